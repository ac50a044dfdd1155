/**
 * Where a Δ fit starts without a given start (physics.md §10): the coarse profile
 * scans the integer intervals (1, 2) … (4, 5) and starts in the one of lowest χ².
 * Tables simulated by the mode solver at Δ ∈ {1.3, 1.62, 2.2, 2.4, 2.8} for the
 * deformed disk and the deformed black hole (`simulate --metric blackhole`), at 1%
 * noise on a small grid (ω = 0.5…9.5, |k| ≤ 4).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DELTA_FIT_MAX, DELTA_SCAN_INTERVALS, profileDelta, validateDeltaStart } from '../../src/model/deltaFree.ts';
import { prepareData } from '../../src/model/data.ts';
import { createMetricNetwork } from '../../src/model/network.ts';
import { initBackend } from '../../src/model/backend.ts';
import { NetworkGrid, nodesForTable } from '../../src/model/grid.ts';
import { horizonDeltaStart } from '../../src/model/horizon/deltaProfile.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { blackHoleMetric, deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { runInProcess } from '../support/cli.ts';

const omegas = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5];
const table = (metric: ReturnType<typeof deformedMetric>, delta: number) => simulateResponseTable({ metric, delta, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 2 });

beforeAll(async () => {
  await initBackend();
});

describe('Δ start without --delta-start: a scan of the integer intervals', () => {
  for (const delta of [1.3, 1.62, 2.2, 2.4, 2.8]) {
    it(`Δ = ${delta}: the disk's UV profile and the horizon's BTZ scan start in its interval; the joint fit finds Δ`, () => {
      const disk = table(deformedMetric(), delta);
      const grid = new NetworkGrid({ layers: 200, nodes: 12, r0: 1e-3, rMax: 12, rC: 6 });
      const p = profileDelta(grid, prepareData(disk, grid.nw), 'scan');
      expect(p.intervals.map((x) => x.interval[0])).toEqual([...DELTA_SCAN_INTERVALS]);
      expect(Math.floor(p.delta)).toBe(Math.floor(delta));
      // a small table has few UV modes: its most UV quarter sees some of the interior (0.09 at 2.4)
      expect(Math.abs(p.delta - delta)).toBeLessThan(0.1);
      // the best interval is the lowest χ², by orders of magnitude
      const [best, next] = [...p.intervals].sort((a, b) => a.chi2 - b.chi2);
      expect(best.interval[0]).toBe(Math.floor(delta));
      expect(next.chi2).toBeGreaterThan(10 * best.chi2);

      // the joint fit from that start (no --delta-start): Δ within 3σ and 1e-3
      const net = createMetricNetwork({ delta: 'auto', layers: 200, nodes: 12 });
      const fit = net.fit(disk, { init: 'ads' });
      void net.dispose();
      expect(fit.delta_profile!.intervals).toHaveLength(DELTA_SCAN_INTERVALS.length);
      expect(Math.abs(fit.delta - delta)).toBeLessThan(Math.min(1e-3, 3 * fit.delta_err));
      expect(fit.quality).toBe('good');

      const bh = table(blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7), delta);
      const h = horizonDeltaStart(bh, { shape: { layers: 200, nodes: 12 } });
      expect(h.intervals).toHaveLength(DELTA_SCAN_INTERVALS.length);
      expect(Math.floor(h.delta)).toBe(Math.floor(delta));
      expect(Math.abs(h.delta - delta)).toBeLessThan(0.1);
      // a given start searches its own interval only
      const one = horizonDeltaStart(bh, { deltaStart: 3.5, shape: { layers: 200, nodes: 12 } });
      expect(one.intervals.map((x) => x.interval)).toEqual([[3, 4]]);
    });
  }
});

describe('--delta-start is checked against the range a Δ fit searches', () => {
  it('Δ ≥ 5 is refused naming the range; 1 < Δ < 5, non-integer, passes', async () => {
    expect(validateDeltaStart(4.5)).toBe(4.5);
    expect(() => validateDeltaStart(DELTA_FIT_MAX + 45.5)).toThrow(/searches 1 < Δ < 5 .*2\.5 for Δ in \(2, 3\)/);
    for (const bad of ['50.5', '5', '0.5', '3']) {
      const r = await runInProcess(['reconstruct', '--data', 'no-such-table.csv', '--delta', 'auto', '--delta-start', bad]);
      expect(r.code, `${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`holoring: error (${ErrorCodes.DELTA_INVALID}|${ErrorCodes.DELTA_INTEGER}): --delta-start: `));
    }
  });

  it('with a number for --delta, --delta-start is ignored and said so', async () => {
    const r = await runInProcess(['reconstruct', '--data', 'no-such-table.csv', '--delta', '1.5', '--delta-start', '2.5']);
    expect(r.stderr).toMatch(/holoring: warning: --delta-start 2\.5 is ignored: --delta 1\.5 fixes Δ/);
    const auto = await runInProcess(['reconstruct', '--data', 'no-such-table.csv', '--delta', 'auto', '--delta-start', '2.5']);
    expect(auto.stderr).not.toMatch(/is ignored/);
  });
});

describe('weight nodes and the table size', () => {
  it('the default K follows ω_max and the number of rows; the refusal of a small table is true and names the --nodes that fit', () => {
    expect(nodesForTable(624, 12)).toBe(32);
    expect(nodesForTable(240, 12)).toBe(32);
    // the field tables: ω = 0.5…6, |k| ≤ 4
    expect(nodesForTable(60, 6)).toBe(16);
    expect(nodesForTable(50, 9.5)).toBe(14);
    expect(nodesForTable(8, 2)).toBe(4);
    const pts = simulateResponseTable({ metric: deformedMetric(), delta: 1.5, omegas: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6], gamma: 0.25, kMax: 4, noise: 0.01, seed: 3 });
    const grid = new NetworkGrid({ layers: 200, nodes: 32, r0: 1e-3, rMax: 12, rC: 6 });
    expect(() => prepareData(pts, grid.nw, { nodes: 32 })).toThrow(/has 60 point\(s\) but the network has 61 weights, and a fit needs at least one point \(one complex χ\) per weight: use --nodes 31 or fewer/);
    expect(() => prepareData(pts, grid.nw, { nodes: 32 })).not.toThrow(/real values/);
    expect(() => prepareData(pts, new NetworkGrid({ layers: 200, nodes: 31, r0: 1e-3, rMax: 12, rC: 6 }).nw)).not.toThrow();
  });
});
