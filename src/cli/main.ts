import { Command, CommanderError } from 'commander';
import { isHoloringError } from '../errors.ts';
import { HOLORING_VERSION } from '../version.ts';
import { registerCommands } from './commands/index.ts';

/** Builds the `holoring` program. The CLI only parses argv/env and picks implementations. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('holoring')
    .description('holoring: live holographic reconstruction of the bulk metric of a ring-shaped sample')
    .version(HOLORING_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isHoloringError(e)) {
      process.stderr.write(`holoring: error ${e.code}: ${e.message}\n`);
      return e.code === 'RING_ERR_ARG_INVALID' || e.code === 'RING_ERR_CONFIG_INVALID' ? 2 : 1;
    }
    process.stderr.write(`holoring: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
