/**
 * Start-up of the `holoring` command: a command loads only its own file
 * (src/cli/commands/index.ts), so `holoring runs list` or `holoring simulate`
 * does not read the daemon, the server, the network or the serial drivers.
 * Baseline: the same launcher (tsx) running a module of constants, i.e. the floor
 * any command pays.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from '../run.ts';

const BIN = fileURLToPath(new URL('../../bin/holoring.mjs', import.meta.url));
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const VERSION_TS = fileURLToPath(new URL('../../src/version.ts', import.meta.url));

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

export const suite: BenchSuite = {
  name: 'cli',
  cases: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-bench-cli-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const baseline = { name: 'the tsx launcher running src/version.ts (a module of constants)', run: () => run([RUN_TS, VERSION_TS]) };
    return [
      { name: 'cli: holoring runs list (an empty data directory)', run: () => run([BIN, 'runs', 'list', '--data-dir', dir]), baseline, repeats: 5, warmup: 1 },
      { name: 'cli: holoring simulate (a 4 ω × 3 k table to a file)', run: () => run([BIN, 'simulate', '--omega', '1:2.5:0.5', '--kmax', '2', '--out', join(dir, 't.csv'), '--quiet']), baseline, repeats: 5, warmup: 1 },
      { name: 'cli: holoring --help (every command loaded)', run: () => run([BIN, '--help']), baseline, repeats: 5, warmup: 1 },
    ];
  },
};
