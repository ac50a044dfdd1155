import type { Command } from 'commander';
import { registerStart } from './start.ts';
import { registerSimulate } from './simulate.ts';
import { registerEmulate } from './emulate.ts';
import { registerProbe } from './probe.ts';
import { registerReconstruct } from './reconstruct.ts';
import { registerCalibrate } from './calibrate.ts';
import { registerToken } from './token.ts';
import { registerImage } from './image.ts';
import { registerModes } from './modes.ts';
import { registerStatus } from './status.ts';
import { registerRuns } from './runs.ts';

/** Every subcommand of `holoring`, one file each. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerSimulate(program);
  registerEmulate(program);
  registerProbe(program);
  registerReconstruct(program);
  registerCalibrate(program);
  registerToken(program);
  registerImage(program);
  registerModes(program);
  registerStatus(program);
  registerRuns(program);
}
