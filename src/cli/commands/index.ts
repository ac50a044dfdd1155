import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every subcommand of `holoring`, one file each, by the names it registers. Each is
 * loaded only when needed: a command's own run loads its file alone (the daemon,
 * the server, the network and the serial drivers are not read for `holoring runs
 * list`), while `--help`, no command or an unknown one load them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  start: async () => (await import('./start.ts')).registerStart,
  simulate: async () => (await import('./simulate.ts')).registerSimulate,
  emulate: async () => (await import('./emulate.ts')).registerEmulate,
  probe: async () => (await import('./probe.ts')).registerProbe,
  reconstruct: async () => (await import('./reconstruct.ts')).registerReconstruct,
  // calibrate.ts also registers `calibrations` and `recalibrate`
  calibrate: async () => (await import('./calibrate.ts')).registerCalibrate,
  token: async () => (await import('./token.ts')).registerToken,
  image: async () => (await import('./image.ts')).registerImage,
  modes: async () => (await import('./modes.ts')).registerModes,
  status: async () => (await import('./status.ts')).registerStatus,
  runs: async () => (await import('./runs.ts')).registerRuns,
};
const ALIASES: Record<string, string> = { calibrations: 'calibrate', recalibrate: 'calibrate' };

/**
 * Registers the subcommands on `program`: only the one `argv` names when its first
 * word is a command (and not a request for the list of commands), else all of them
 * (in the order of COMMANDS, which is the order of `holoring --help`).
 */
export async function registerCommands(program: Command, argv: readonly string[] = []): Promise<void> {
  const first = argv[0];
  const name = first === undefined ? undefined : ALIASES[first] ?? first;
  const loaders = name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]] : Object.values(COMMANDS);
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program);
}
