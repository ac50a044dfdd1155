/**
 * A table with fewer rows than the horizon network's 33 weights (6 ω × |k| ≤ 3:
 * 24 rows) under `--geometry auto`: the horizon fit cannot run (too few points),
 * is judged failed with that error in geometry_choice, and the disk (whose nodes
 * follow the table) is still judged and picked, with Δ against the simulated truth.
 * With `--geometry horizon` the table stays refused (exit 2); a table too small for
 * both networks is refused in `auto` too. The daemon's GeometryFitter the same.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { HoloringError } from '../../src/errors.ts';
import { type GeometryFigures, GeometryFitter, attemptGeometry, judgeAttempts } from '../../src/model/geometry.ts';
import { initBackend } from '../../src/model/index.ts';
import { adsMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { runCliAsync } from '../support/cli.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'holoring-small-table-'));
/** `simulate --metric ads --omega 2:12:2 --kmax 3 --noise 0.01`: 24 rows. */
const small = simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas: [2, 4, 6, 8, 10, 12], gamma: 0.25, kMax: 3, noise: 0.01, seed: 1 });
const data = join(dir, 'small.csv');
writeFileSync(data, formatResponseTable(small));

describe('a table too small for the horizon network', () => {
  it('--geometry auto --delta auto: the horizon is judged failed (too few points), the disk picked with Δ within 3σ of the truth', async () => {
    const out = join(dir, 'auto.json');
    const r = await runCliAsync(['reconstruct', '--data', data, '--delta', 'auto', '--quiet', '--out', out], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8')) as { geometry: string; delta: number; delta_err: number; geometry_choice: { verdict: string; horizon: GeometryFigures } };
    expect(res.geometry).toBe('disk');
    expect(res.geometry_choice.verdict).toBe('only');
    expect(res.geometry_choice.horizon.error?.code).toBe('RING_ERR_MODEL_TOO_FEW_POINTS');
    expect(res.geometry_choice.horizon.error?.message).toMatch(/24 point\(s\) but the network has 33 weights/);
    expect(Math.abs(res.delta - 1.5)).toBeLessThan(3 * res.delta_err);
  }, 120_000);

  it('--geometry horizon: still a refusal of the table (exit 2, naming --data)', async () => {
    const r = await runCliAsync(['reconstruct', '--data', data, '--geometry', 'horizon', '--quiet', '--out', join(dir, 'h.json')], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_MODEL_TOO_FEW_POINTS: --data: response table has 24 point/);
  }, 60_000);

  it('the daemon\'s GeometryFitter in auto: the round is the disk (only), the horizon\'s error named', async () => {
    await initBackend();
    const f = new GeometryFitter('auto', { delta: 1.5, layers: 200, nodes: 7 });
    try {
      const fit = f.fit(small);
      expect(fit.geometry).toBe('disk');
      expect(fit.choice?.verdict).toBe('only');
      expect(fit.choice?.horizon.error?.code).toBe('RING_ERR_MODEL_TOO_FEW_POINTS');
      expect(fit.quality).not.toBe('failed');
    } finally {
      await f.dispose();
    }
  }, 60_000);

  it('too few points for both networks: the table is refused (the disk\'s error), not "no geometry"', () => {
    const few = (n: number) => attemptGeometry((): { chi2: number; chi2_total: number; dof: number; converged: boolean; elapsedMs: number } => {
      throw new HoloringError('RING_ERR_MODEL_TOO_FEW_POINTS', `response table has 4 point(s) but the network has ${n} weights`, { points: 4, weights: n });
    });
    expect(() => judgeAttempts(few(5), few(33), 8)).toThrow(/RING_ERR_MODEL_TOO_FEW_POINTS|network has 5 weights/);
    try {
      judgeAttempts(few(5), few(33), 8);
    } catch (e) {
      expect((e as HoloringError).code).toBe('RING_ERR_MODEL_TOO_FEW_POINTS');
      expect((e as HoloringError).message).toMatch(/has 5 weights/);
    }
  });
});
