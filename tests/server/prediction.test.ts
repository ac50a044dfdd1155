import { describe, expect, it } from 'vitest';
import { makeHorizonCheckpoint } from '../../src/model/horizon/checkpoint.ts';
import { DEFAULT_HORIZON_SHAPE, HorizonGrid } from '../../src/model/horizon/grid.ts';
import { btzChi, diskChi } from '../../src/physics/closedForm.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { predictResponse } from '../../src/server/prediction.ts';
import { cellKey } from '../../src/server/views.ts';

const rel = (a: { re: number; im: number }, b: { re: number; im: number }): number => Math.hypot(a.re - b.re, a.im - b.im) / Math.hypot(b.re, b.im);

/** A horizon fit on BTZ (α = β = 0 at r_h) as the trainer hands it over: the checkpoint carries the network's weights. */
function btzHorizonFit(rh: number, delta: number, scale?: { re: number; im: number }) {
  const hg = new HorizonGrid(DEFAULT_HORIZON_SHAPE);
  const theta = new Float64Array(hg.nw);
  theta[hg.iq] = Math.log(rh);
  const r = Array.from({ length: 40 }, (_, i) => rh + 0.1 * i);
  const f = r.map((x) => (x - rh) * (x + rh));
  return { geometry: 'horizon' as const, r, f, g: f, checkpoint: makeHorizonCheckpoint(hg, delta, 0.1, theta, 'test'), ...(scale ? { scale } : {}) };
}

const grid = (f: (r: number) => number) => {
  const r = Array.from({ length: 321 }, (_, i) => i * 0.025);
  return { r, f: r.map(f), g: r.map(f) };
};

describe('model prediction for the response panel', () => {
  it('reproduces the AdS disk closed form (physics.md §5) from a tabulated pure-AdS fit', async () => {
    const cells = [0.5, 2.25, 4.5, 9].flatMap((omega) => [0, 1, 3].map((k) => ({ omega, gamma: 0.25, k })));
    const pred = await predictResponse(grid((r) => 1 + r * r), cells, 1.5);
    expect(pred).not.toBeNull();
    for (const c of cells) {
      const want = diskChi(1.5, { re: c.omega, im: c.gamma }, c.k);
      const got = pred!.get(cellKey(c.omega, c.k))!;
      expect(Math.hypot(got.re - want.re, got.im - want.im) / Math.hypot(want.re, want.im)).toBeLessThan(1e-4);
    }
  });

  it('predicts a horizon fit by the horizon network: the BTZ closed form (physics.md §5) at the checkpoint\'s r_h and Δ, times the fitted scale', async () => {
    const cells = [0.5, 2.25, 6, 12].flatMap((omega) => [0, 1, 4, 12].map((k) => ({ omega, gamma: 0.25, k })));
    // the Δ passed in is the disk solver's; the horizon network takes its checkpoint's
    const pred = await predictResponse(btzHorizonFit(1.5, 1.62), cells, 1.5);
    expect(pred).not.toBeNull();
    expect(pred!.size).toBe(cells.length);
    for (const c of cells) expect(rel(pred!.get(cellKey(c.omega, c.k))!, btzChi(1.62, 1.5, { re: c.omega, im: c.gamma }, c.k))).toBeLessThan(1e-5);
    // Im χ > 0 for ω > 0 (absorption at the horizon, physics.md §11)
    for (const v of pred!.values()) expect(v.im).toBeGreaterThan(0);
    const kappa = { re: 0.999, im: -4e-4 };
    const scaled = await predictResponse(btzHorizonFit(1.5, 1.62, kappa), cells, 1.5);
    for (const c of cells) {
      const w = btzChi(1.62, 1.5, { re: c.omega, im: c.gamma }, c.k);
      expect(rel(scaled!.get(cellKey(c.omega, c.k))!, { re: kappa.re * w.re - kappa.im * w.im, im: kappa.re * w.im + kappa.im * w.re })).toBeLessThan(1e-5);
    }
    expect(await predictResponse(btzHorizonFit(1.5, 1.62), cells, 1.5, () => true)).toBeNull();
  });

  it('multiplies a disk fit\'s prediction by its fitted scale κ', async () => {
    const cells = [1, 5].flatMap((omega) => [0, 2].map((k) => ({ omega, gamma: 0.25, k })));
    const kappa = { re: 0.42, im: 0.05 };
    const pred = await predictResponse({ ...grid((r) => 1 + r * r), scale: kappa }, cells, 1.5);
    for (const c of cells) {
      const w = diskChi(1.5, { re: c.omega, im: c.gamma }, c.k);
      expect(rel(pred!.get(cellKey(c.omega, c.k))!, { re: kappa.re * w.re - kappa.im * w.im, im: kappa.re * w.im + kappa.im * w.re })).toBeLessThan(1e-4);
    }
  });

  it('gives up when a newer fit arrives, and refuses a metric it cannot tabulate', async () => {
    const m = deformedMetric();
    const cells = Array.from({ length: 40 }, (_, i) => ({ omega: 0.5 + i * 0.25, gamma: 0.25, k: 1 }));
    expect(await predictResponse(grid((r) => m.f(r)), cells, 1.5, () => true)).toBeNull();
    expect(await predictResponse({ r: [0, 1, 2, 3], f: [1, -1, 5, 10], g: [1, 2, 5, 10] }, cells, 1.5)).toBeNull();
  });
});
