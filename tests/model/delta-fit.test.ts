/**
 * Δ from the data (physics.md §10): joint fits of Δ and the metric on tables the
 * mode solver simulated at Δ ∈ {1.3, 1.62, 2.4} for deformed metrics at 1% noise,
 * each compared with a fit at the true Δ on the same table.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/model/backend.ts';
import { createMetricNetwork, type FitResult } from '../../src/model/network.ts';
import { refuseNearInteger } from '../../src/model/deltaFree.ts';
import { ErrorCodes } from '../../src/errors.ts';
import type { Metric } from '../../src/physics/metric.ts';
import { defaultTableAt, errorsAgainst, targets } from './targets.ts';

beforeAll(async () => {
  await initBackend();
});

function fit(table: ReturnType<typeof defaultTableAt>, delta: number | 'auto', init: 'ads' | number[] = 'ads', deltaStart?: number): FitResult {
  const net = createMetricNetwork({ delta, deltaStart });
  try {
    return net.fit(table, { init });
  } finally {
    void net.dispose();
  }
}

const cases: Array<{ delta: number; start: number; metric: () => Metric; seed: number }> = [
  { delta: 1.3, start: 1.5, metric: targets.deformed, seed: 1 },
  { delta: 1.62, start: 1.5, metric: targets.deformedB, seed: 2 },
  { delta: 2.4, start: 2.2, metric: targets.deformed, seed: 3 },
];

describe('Δ estimated with the metric', () => {
  for (const c of cases) {
    it(`Δ = ${c.delta} (start ${c.start}): within 3σ and 1e-3 of the truth, the metric as accurate as at the true Δ`, () => {
      const metric = c.metric();
      const table = defaultTableAt(metric, c.delta, 0.01, c.seed);
      const auto = fit(table, 'auto', 'ads', c.start);
      const known = fit(table, c.delta);
      expect(auto.delta_auto).toBe(true);
      expect(known.delta_auto).toBe(false);
      expect(known.delta_err).toBe(0);
      expect(auto.converged).toBe(true);
      expect(auto.delta_err).toBeGreaterThan(0);
      expect(auto.delta_err).toBeLessThan(5e-4);
      expect(Math.abs(auto.delta - c.delta)).toBeLessThan(3 * auto.delta_err);
      expect(Math.abs(auto.delta - c.delta)).toBeLessThan(1e-3);
      const ea = errorsAgainst(metric, auto), ek = errorsAgainst(metric, known);
      expect(ea.max, `auto ${ea.max} known ${ek.max}`).toBeLessThan(Math.max(1.1 * ek.max, ek.max + 1e-3));
      expect(ea.max).toBeLessThan(0.015);
      expect(ea.coverage).toBeGreaterThanOrEqual(0.9);
      expect(auto.chi2).toBeGreaterThan(0.9);
      expect(auto.chi2).toBeLessThan(1.1);
      // the bands are marginal over Δ: not narrower than with Δ known (up to the slightly
      // different Jacobian at Δ̂ ≠ Δ)
      auto.f_err.forEach((e, i) => expect(e).toBeGreaterThanOrEqual(known.f_err[i] * (1 - 1e-3)));
      auto.g_err.forEach((e, i) => expect(e).toBeGreaterThanOrEqual(known.g_err[i] * (1 - 1e-3)));
      // the coarse profile chose the start of the joint fit
      expect(auto.delta_profile).toBeDefined();
      expect(Math.abs(auto.delta_profile!.delta - c.delta)).toBeLessThan(0.05);
    });
  }

  it('the joint fit alone (no profile) converges from Δ far off: 1.5 for a 1.62 table, 2.2 for 2.4', () => {
    for (const [delta, start, metric] of [[1.62, 1.5, targets.deformedB()], [2.4, 2.2, targets.deformed()]] as const) {
      const table = defaultTableAt(metric, delta, 0.01, 5);
      const net = createMetricNetwork({ delta: 'auto' });
      const init = new Array<number>(net.nt).fill(0);
      init[net.grid.nw] = start;
      const res = net.fit(table, { init });
      void net.dispose();
      expect(res.delta_profile).toBeUndefined();
      expect(res.converged).toBe(true);
      expect(Math.abs(res.delta - delta), `start ${start}`).toBeLessThan(Math.min(1e-3, 3 * res.delta_err));
      expect(errorsAgainst(metric, res).max).toBeLessThan(0.015);
    }
  });

  it('a warm start keeps the estimate, and the checkpoint carries it', () => {
    const metric = targets.deformed();
    const table = defaultTableAt(metric, 1.62, 0.01, 6);
    const net = createMetricNetwork({ delta: 'auto' });
    const first = net.fit(table, { init: 'ads' });
    const again = net.fit(table, { init: 'current' });
    expect(again.delta_profile).toBeUndefined();
    expect(Math.abs(again.delta - first.delta)).toBeLessThan(0.1 * first.delta_err);
    expect(again.evaluations).toBeLessThan(first.evaluations);
    const cp = net.checkpoint();
    expect(cp.delta).toBe(again.delta);
    void net.dispose();
    const other = createMetricNetwork({ delta: 'auto' });
    expect(other.initialTheta(cp)[other.grid.nw]).toBe(cp.delta);
    void other.dispose();
  });

  it('with a free scale, a table off by a complex factor gives the same Δ, and κ undoes the factor', () => {
    const metric = targets.deformed();
    const table = defaultTableAt(metric, 1.62, 0.01, 7);
    // as if calibrated with a reference at the wrong Δ and phase: χ × 2.37 e^{0.3i}
    const f = { re: 2.37 * Math.cos(0.3), im: 2.37 * Math.sin(0.3) };
    const off = table.map((p) => ({ ...p, chiRe: p.chiRe * f.re - p.chiIm * f.im, chiIm: p.chiRe * f.im + p.chiIm * f.re, sigma: p.sigma * 2.37 }));
    const net = createMetricNetwork({ delta: 'auto', freeScale: true });
    const res = net.fit(off, { init: 'ads' });
    void net.dispose();
    expect(Math.abs(res.delta - 1.62)).toBeLessThan(Math.min(1e-3, 3 * res.delta_err));
    expect(Math.abs(res.scale!.re - f.re)).toBeLessThan(3 * res.scale!.re_err);
    expect(Math.abs(res.scale!.im - f.im)).toBeLessThan(3 * res.scale!.im_err);
    expect(errorsAgainst(metric, res).max).toBeLessThan(0.015);
    expect(res.chi2).toBeLessThan(1.1);
  });

  it('refuses an estimate that approaches an integer', () => {
    const table = defaultTableAt(targets.deformed(), 1.996, 0.01, 1);
    expect(() => fit(table, 'auto', 'ads', 1.5)).toThrow(expect.objectContaining({ code: ErrorCodes.DELTA_INTEGER }));
    // and names the way to search another integer interval
    expect(() => refuseNearInteger(1.005, 1e-3)).toThrow(/searches only the integer interval of its start \(1, 2\).*--delta-start 2\.5/);
    expect(() => refuseNearInteger(2.995, 1e-3)).toThrow(/\(2, 3\).*--delta-start 1\.5 or 3\.5/);
  });
});

describe('the bands above Δ = 2', () => {
  it('Δ = 2.8, deformed disk, the seeds where λ = 1 covered 82% and 65%: Δ found from the scan, 2σ coverage ≥ 90%', () => {
    const metric = targets.deformed();
    for (const seed of [4, 5]) {
      const table = defaultTableAt(metric, 2.8, 0.01, seed);
      const net = createMetricNetwork({ delta: 'auto' });
      const res = net.fit(table, { init: 'ads' });
      // the prior follows the interval Δ starts in
      expect(net.lambda).toBe(0.3);
      void net.dispose();
      expect(Math.abs(res.delta - 2.8)).toBeLessThan(Math.min(1e-3, 3 * res.delta_err));
      const e = errorsAgainst(metric, res);
      expect(e.coverage, `seed ${seed}`).toBeGreaterThanOrEqual(0.9);
      expect(e.max, `seed ${seed}`).toBeLessThan(0.045);
    }
    // below Δ = 2 the prior stays λ = 1
    expect(createMetricNetwork({ delta: 1.62 }).lambda).toBe(1);
  });
});
