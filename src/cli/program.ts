import { Command, CommanderError } from 'commander';
import { ErrorCodes, type HoloringError, escapeControl, isHoloringError } from '../errors.ts';
import { HOLORING_VERSION } from '../version.ts';
import { tidyDefaultsInHelp } from './args.ts';
import { registerCommands } from './commands/index.ts';

/**
 * The exit-code rule of every `holoring` command (README "CLI reference"):
 *   0  success (also --help and --version);
 *   2  the command refused what it was given: an unknown command or option, a
 *      missing or bad flag value, a file a flag names that cannot be read or is
 *      malformed (table, configuration, record, checkpoint, frames, capture,
 *      scenario), or a configuration value;
 *   1  a failure while running (the device, the fit, storage, the daemon).
 */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/**
 * Codes that always refuse the command's input: a bad argument or configuration,
 * a file named on the command line that does not exist, a run id that names no run.
 */
const USAGE_CODES: ReadonlySet<string> = new Set([ErrorCodes.ARG_INVALID, ErrorCodes.CONFIG_INVALID, ErrorCodes.FILE_NOT_FOUND, 'RING_ERR_RUN_NOT_FOUND']);

/** True when an error refuses the command's input (exit 2): a usage code (above), or a refusal that names its flag or argument. */
export function isUsageError(e: HoloringError): boolean {
  return USAGE_CODES.has(e.code) || typeof e.context.flag === 'string' || typeof e.context.argument === 'string';
}

/** Commander's own message ("error: unknown option '--x'") in holoring's format. */
export function formatCommanderError(message: string): string {
  // commander's own line breaks (a "Did you mean …?" hint) stay; control bytes it quotes are escaped
  const text = message.trim().replace(/^error:\s*/, '').split('\n').map(escapeControl).join('\n');
  return `holoring: error ${ErrorCodes.ARG_INVALID}: ${text}\n`;
}

/**
 * Builds the `holoring` program for `argv` (the subcommand it names is loaded alone:
 * commands/index.ts). The CLI only parses argv/env and picks implementations.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('holoring')
    .description('holoring: live holographic reconstruction of the bulk metric of a ring-shaped sample')
    .version(HOLORING_VERSION)
    // set before the subcommands are added, so that every one inherits them
    .configureOutput({ outputError: (message, write) => write(formatCommanderError(message)) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await registerCommands(program, argv);
  tidyDefaultsInHelp(program);
  return program;
}

/** Runs `holoring ARGS…` and returns its exit code (see EXIT); refusals are printed as `holoring: error CODE: message`. */
export async function runProgram(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed (formatCommanderError)
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (isHoloringError(e)) {
      process.stderr.write(`holoring: error ${e.code}: ${e.message}\n`);
      return isUsageError(e) ? EXIT.USAGE : EXIT.FAILURE;
    }
    // a stack keeps its lines; whatever else it quotes is escaped
    process.stderr.write(`holoring: unexpected error: ${((e as Error)?.stack ?? String(e)).split('\n').map(escapeControl).join('\n')}\n`);
    return EXIT.FAILURE;
  }
}
