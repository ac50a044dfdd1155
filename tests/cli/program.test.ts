/**
 * The `holoring` program loads only the command it runs (src/cli/commands/index.ts):
 * the command's own registration, all of them for --help, no command or an unknown
 * one (so commander can suggest the nearest name).
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/commands/index.ts';
import { runInProcess } from '../support/cli.ts';

const ALL = ['start', 'simulate', 'emulate', 'probe', 'reconstruct', 'calibrate', 'recalibrate', 'calibrations', 'token', 'image', 'modes', 'status', 'runs'];

async function registered(argv: string[]): Promise<string[]> {
  const program = new Command();
  await registerCommands(program, argv);
  return program.commands.map((c) => c.name());
}

describe('holoring: one command loaded per run', () => {
  it('registers only the command argv names (and the commands that share its file)', async () => {
    expect(await registered(['runs', 'list'])).toEqual(['runs']);
    expect(await registered(['simulate', '--out', 'x.csv'])).toEqual(['simulate']);
    expect((await registered(['recalibrate', '--frames', 'f.jsonl'])).sort()).toEqual(['calibrate', 'calibrations', 'recalibrate']);
  });

  it('registers every command for --help, no command, help and an unknown name', async () => {
    for (const argv of [[], ['--help'], ['help', 'runs'], ['reconstrukt'], ['toString'], ['__proto__']]) expect((await registered(argv)).sort()).toEqual([...ALL].sort());
  });

  it('an unknown command is refused with the suggestion on its own line', async () => {
    const r = await runInProcess(['simulat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_ARG_INVALID: unknown command 'simulat'\n\(Did you mean simulate\?\)/);
  });
});
