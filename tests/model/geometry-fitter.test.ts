/**
 * The daemon's live fitter (GeometryFitter) under model.geometry auto with Δ
 * fitted: a geometry whose fit stops (its Δ runs out of the integer interval,
 * RING_ERR_DELTA_INTEGER) is judged failed and the other kept (verdict `only`),
 * as `reconstruct --geometry auto` does; when both stop the round has no fit
 * (RING_ERR_MODEL_NO_GEOMETRY naming both codes) and the next round starts
 * where this one started. Checked against the simulated truth (Δ, physics.md §10).
 */
import { describe, expect, it } from 'vitest';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';
import { createLiveTrainer } from '../../src/daemon/trainer.ts';
import { type FitResult, GeometryFitter, type GeometryFit, initBackend } from '../../src/model/index.ts';
import { btzMetric, deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { thrown } from '../support/thrown.ts';

/** The small ring's grid of the daemon tests: ω = 0.5…6, |k| ≤ 4, γ = 0.25, 1% noise. */
const grid = { omegas: frequencyGrid(0.5, 6, 0.5), gamma: 0.25, kMax: 4, noise: 0.01 };
const diskAt = (delta: number, seed = 1) => simulateResponseTable({ metric: deformedMetric(0.3, -0.2, 1.5), delta, ...grid, seed });
const btz = simulateResponseTable({ metric: btzMetric(1.5), delta: 1.5, ...grid, seed: 1 });

const fitter = (deltaStart: number): GeometryFitter => new GeometryFitter('auto', { delta: 'auto', deltaStart, freeScale: true, layers: 200, nodes: 16 });

describe('GeometryFitter in auto with Δ fitted, when a geometry\'s fit stops', () => {
  it('a disk at Δ = 3.2 (start 3.5): the horizon profile runs out of (3, 4), the round is the disk (only) with Δ within 3σ, round after round', async () => {
    await initBackend();
    const f = fitter(3.5);
    try {
      for (const seed of [1, 2]) {
        const fit = f.fit(diskAt(3.2, seed));
        expect(fit.geometry).toBe('disk');
        expect(fit.choice?.verdict).toBe('only');
        expect(fit.choice?.horizon.error?.code).toBe('RING_ERR_DELTA_INTEGER');
        expect(fit.choice?.horizon.quality).toBe('failed');
        expect(fit.choice?.reason).toMatch(/^disk: the only fit that describes the data .*the horizon fit stopped: RING_ERR_DELTA_INTEGER/);
        const { delta_err: err } = fit as FitResult;
        expect(Math.abs(fit.delta - 3.2), `Δ = ${fit.delta} ± ${err}`).toBeLessThan(Math.max(3 * err, 1e-3));
        expect(fit.chi2).toBeLessThan(1.5);
        expect(fit.converged).toBe(true);
      }
    } finally {
      await f.dispose();
    }
  }, 120_000);

  it('a disk at Δ = 2.4 fitted from Δ start 1.5: both fits stop, RING_ERR_MODEL_NO_GEOMETRY naming both codes', async () => {
    await initBackend();
    const f = fitter(1.5);
    try {
      const e = thrown(() => f.fit(diskAt(2.4)));
      expect(e.code).toBe('RING_ERR_MODEL_NO_GEOMETRY');
      expect(e.context).toEqual({ disk: 'RING_ERR_DELTA_INTEGER', horizon: 'RING_ERR_DELTA_INTEGER' });
      expect(e.message).toMatch(/^none: neither geometry gave a fit: the disk fit stopped: RING_ERR_DELTA_INTEGER: .*; the horizon fit stopped: RING_ERR_DELTA_INTEGER: .*physics\.deltaStart/);
    } finally {
      await f.dispose();
    }
  }, 120_000);

  it('a stopped geometry never seeds the next round: after a round where the horizon stopped, its next fit is what it would have been without that round', async () => {
    await initBackend();
    const seen = fitter(1.5), clean = fitter(1.5);
    try {
      const [first, cleanFirst] = [seen.fit(btz), clean.fit(btz)];
      expect(first.geometry).toBe('horizon');
      expect(cleanFirst.chi2).toBe(first.chi2);
      // a disk at Δ = 3.5 seen from Δ start 1.5: the horizon (continuing from the BTZ fit) stops
      const between = seen.fit(diskAt(3.5, 2));
      expect(between.choice?.horizon.error?.code).toBe('RING_ERR_DELTA_INTEGER');
      const [again, cleanAgain] = [seen.fit(btz), clean.fit(btz)] as (GeometryFit & { rh: number; rh_err: number })[];
      expect(again.geometry).toBe('horizon');
      expect(again.rh).toBe(cleanAgain.rh);
      expect(again.rh_err).toBe(cleanAgain.rh_err);
      expect(again.chi2).toBe(cleanAgain.chi2);
      expect(Math.abs(again.rh - 1.5)).toBeLessThan(2.5 * again.rh_err);
    } finally {
      await seen.dispose();
      await clean.dispose();
    }
  }, 120_000);

  it('the live trainer: a round where both stop rejects with that error and is undone; what was kept before stays the start of the next', async () => {
    const base = { geometry: 'auto' as const, delta: 'auto' as const, deltaStart: 1.5, layers: 200, nodes: 16 };
    const seen = await createLiveTrainer(base), clean = await createLiveTrainer(base);
    try {
      const good = diskAt(1.5, 3);
      expect((await seen.fit(good)).chi2).toBe((await clean.fit(good)).chi2);
      await expect(seen.fit(diskAt(2.4))).rejects.toMatchObject({ code: 'RING_ERR_MODEL_NO_GEOMETRY', context: { disk: 'RING_ERR_DELTA_INTEGER', horizon: 'RING_ERR_DELTA_INTEGER' } });
      const [again, cleanAgain] = [await seen.fit(good), await clean.fit(good)];
      expect(again.geometry).toBe('disk');
      expect(again.chi2).toBe(cleanAgain.chi2);
      expect(again.delta).toBe(cleanAgain.delta);
    } finally {
      await seen.dispose();
      await clean.dispose();
    }
  }, 120_000);
});

describe('GeometryFitter: rows measured more precisely than the network resolves', () => {
  it('are fitted at the network\'s precision with a warning, where reconstruct refuses them', async () => {
    await initBackend();
    const { checkSigmaPrecision, modelRelativeError } = await import('../../src/model/quality.ts');
    const table = diskAt(1.5, 3);
    // one row 10⁴ times more precise than its neighbours, as a long run near a normal mode gives
    const i = table.findIndex((p) => p.k === 2 && p.omega === 3);
    const sharp = table.map((p, j) => (j === i ? { ...p, sigma: p.sigma * 1e-4 } : p));
    expect(() => checkSigmaPrecision(sharp, 200)).toThrow(/RING_ERR_MODEL_SIGMA_BELOW_PRECISION|precision/);
    const fit = new GeometryFitter('disk', { delta: 1.5, layers: 200, nodes: 16 }).fit(sharp) as GeometryFit & FitResult;
    expect(fit.warnings.join(' ')).toMatch(/1 row\(s\) measured more precisely than the network resolves at 200 layers \(ω = 3, k = 2\)/);
    // the row weighs as the network's precision allows: the fit is the one with that σ, and describes the table
    const floored = table.map((p, j) => (j === i ? { ...p, sigma: modelRelativeError(200) * Math.hypot(p.chiRe, p.chiIm) } : p));
    const ref = new GeometryFitter('disk', { delta: 1.5, layers: 200, nodes: 16 }).fit(floored) as GeometryFit & FitResult;
    expect(fit.chi2).toBeCloseTo(ref.chi2, 10);
    expect(fit.quality).not.toBe('failed');
    expect(ref.warnings.join(' ')).not.toMatch(/more precisely/);
  });
});
