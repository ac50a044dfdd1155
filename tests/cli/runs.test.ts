import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, startDelta } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/log.ts';
import { openRun } from '../../src/storage/run.ts';
import { runInProcess } from '../support/cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'holoring-runs-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const config = parseConfig({});

/** A stopped run with no fit and no acquisition frame (started with --no-train, stopped at once). */
async function emptyRun(): Promise<string> {
  const run = openRun({ dataDir, identity: { model: 'HOLORING-SIM', serial: 'E-1', firmware: '1', protocolVersion: '1.0' }, newRun: true, logger: silentLogger() });
  run.begin({ rig: config.rig, config: {}, delta: startDelta(config), gamma: config.physics.gamma, sweep: { ...config.sweep, sweeps: 0 }, holoringVersion: 'test', gitCommit: null, note: null }, null);
  await run.close({ status: 'stopped', frames: { received: 0, journaled: 0, skipped: {}, missing: {}, duplicates: 0 }, calibrationFrames: 0, gaps: 0, sweeps: 0, fits: 0, durationMs: 0 });
  return run.id;
}

describe('holoring runs: refusals and empty exports', () => {
  it('a run id that names no run is a refused argument: exit 2 with RING_ERR_RUN_NOT_FOUND, for show and export alike', async () => {
    await emptyRun();
    for (const args of [['show', 'nosuch'], ['export', 'nosuch', '--what', 'fits']]) {
      const r = await runInProcess(['runs', ...args, '--data-dir', dataDir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^holoring: error RING_ERR_RUN_NOT_FOUND: no run "nosuch" in .*; the latest are: /);
    }
    const none = await runInProcess(['runs', 'show', 'latest', '--data-dir', join(dataDir, 'nothing-here')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/RING_ERR_RUN_NOT_FOUND: no runs in /);
  });

  it('what a run does not have (no fit, no frame) is refused alike for every --what: exit 1, RING_ERR_RUN_EXPORT, no --out file left', async () => {
    const id = await emptyRun();
    for (const what of ['metric', 'fits', 'response', 'frames']) {
      for (const format of ['csv', 'json']) {
        const out = join(dataDir, `${what}.${format}`);
        const r = await runInProcess(['runs', 'export', id, '--what', what, '--format', format, '--out', out, '--data-dir', dataDir]);
        expect(r.code, `${what} ${format}`).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^holoring: error RING_ERR_RUN_EXPORT: run ${id} has no `));
        expect(existsSync(out)).toBe(false);
      }
    }
  });

  it('an unwritable --out is refused before the run is read', async () => {
    const r = await runInProcess(['runs', 'export', 'nosuch', '--what', 'fits', '--out', join(dataDir, 'no-dir', 'x.csv'), '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_ARG_INVALID: --out: cannot write .*does not exist/);
  });
});
