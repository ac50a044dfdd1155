import { describe, expect, it } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { btzChi } from '../../src/physics/closedForm.ts';
import { type Complex, cadd, cdiv } from '../../src/physics/complex.ts';
import { type HorizonCentre, type Metric, blackHoleMetric, hawkingTemperature } from '../../src/physics/metric.ts';
import { responseTableOf, simulateResponseTable } from '../../src/physics/response.ts';
import { holographyCheck } from '../../src/physics/spectrum/check.ts';
import { solveMode } from '../../src/physics/solver.ts';

// the default drive grid ω = 0.25 … 12, γ = 0.25 (physics.md §9), 1% noise, |k| ≤ 8
const omegas = Array.from({ length: 48 }, (_, i) => 0.25 * (i + 1));
const opts = { resamples: 8 };
const kMax = 8;

/**
 * The truth: a quasinormal mode of a bulk with a horizon is a complex Ω where
 * 1/χ vanishes (A = 0: the infalling solution is normalisable), a zero of χ
 * where B = 0. Both are found by Newton's method (derivative by a finite
 * step, steps capped at 0.25) on χ from the adaptive mode solver started on
 * the infalling horizon series (physics.md §4, §11) — a different integrator
 * from the grid solver that simulates the tables. Deep modes (|Im Ω| near
 * 4πT) are where the outgoing solution contaminates the start most, so the
 * solver runs at rtol 1e-12 and a root counts when Newton's step has fallen
 * below 1e-4. Null when Newton does not settle. `searchNear` starts Newton
 * from the smallest |fn| on a 9 × 9 grid of half-width ρ around a guess.
 */
function root(fn: (z: Complex) => Complex, z0: Complex): Complex | null {
  let z = z0;
  for (let it = 0; it < 40; it++) {
    const e = 1e-5, f = fn(z), f2 = fn({ re: z.re + e, im: z.im });
    let dz = cdiv(f, { re: (f2.re - f.re) / e, im: (f2.im - f.im) / e });
    const n = Math.hypot(dz.re, dz.im);
    if (!Number.isFinite(n)) return null;
    if (n > 0.25) dz = { re: (0.25 * dz.re) / n, im: (0.25 * dz.im) / n };
    z = { re: z.re - dz.re, im: z.im - dz.im };
    if (n < 1e-4) return z;
  }
  return null;
}

function searchNear(fn: (z: Complex) => Complex, z0: Complex, rho: number): Complex | null {
  let best = z0, bv = Infinity;
  for (let i = -4; i <= 4; i++) {
    for (let j = -4; j <= 4; j++) {
      const z = { re: z0.re + (i * rho) / 4, im: z0.im + (j * rho) / 4 };
      const f = fn(z), v = Math.hypot(f.re, f.im);
      if (v < bv) { bv = v; best = z; }
    }
  }
  return root(fn, best);
}

const chiOf = (metric: Metric, k: number, rtol = 1e-12) => (z: Complex): Complex => solveMode(metric, 1.5, z, k, { rtol }).chi;
const quasinormalNear = (metric: Metric, k: number, z0: Complex, rho: number): Complex | null => {
  const coarse = searchNear((z) => cdiv({ re: 1, im: 0 }, chiOf(metric, k, 1e-9)(z)), z0, rho);
  return coarse && root((z) => cdiv({ re: 1, im: 0 }, chiOf(metric, k)(z)), coarse);
};
const zeroNear = (metric: Metric, k: number, z0: Complex): Complex | null => root(chiOf(metric, k), z0);

const table = (metric: Metric, seed: number): ResponsePoint[] =>
  simulateResponseTable({ metric, delta: 1.5, omegas, gamma: 0.25, kMax, noise: 0.01, seed });

describe('holography check on black holes beyond BTZ (mode-solver tables, 1% noise)', () => {
  it.each([
    { metric: blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7), seed: 1, btz: false },
    { metric: blackHoleMetric(1.2, 0, -0.2, 2, 0.6), seed: 2, btz: true },
  ])('$metric.label: a horizon; its poles and zeros are the mode solver\'s, on a light cone of slope ≈ 1; T within 3σ', ({ metric, seed, btz }) => {
    const r = holographyCheck(table(metric, seed), opts);
    const h = r.evidence.horizon;
    expect(h.reason).toMatch(/below the real axis .* shallower zero .* light cone/);
    expect(r.holographic).toBe(true);
    expect(r.geometry).toBe('horizon');
    expect(r.spacing).toBeNull();
    // the boundary is AdS: the light cone's slope is the boundary light speed, 1 in units of v/R
    expect(Math.abs(h.lightCone!.a - 1)).toBeLessThan(Math.max(3 * h.lightCone!.aErr, 0.03));
    // every resolved zero of k ≥ 1 below the axis is a zero of the mode solver's χ (sharp: within 4σ or 0.2 of its depth)
    const zeros = r.evidence.zeros.filter((z) => z.k >= 1 && z.im < 0 && z.im > -1.5);
    expect(zeros.length).toBeGreaterThanOrEqual(kMax - 2);
    for (const z of zeros) {
      const t = zeroNear(metric, z.k, z);
      expect(t).not.toBeNull();
      expect(t!.im).toBeLessThan(0);
      expect(Math.hypot(t!.re - z.re, t!.im - z.im)).toBeLessThan(Math.max(4 * z.err, 0.2 * (0.25 - z.im)));
    }
    // the resolved poles lie strictly below the real axis; from k = 3 on they are the mode solver's quasinormal modes to
    // about a quarter of their depth (at k ≤ 2 the fit pulls the +k mode towards its mirror image −Ω* of the −k branch)
    for (const p of r.poles) expect(p.im).toBeLessThan(0);
    const far = r.poles.filter((p) => p.k >= 3);
    expect(far.length).toBeGreaterThanOrEqual(4);
    for (const p of far) {
      const rho = 3 * Math.max(p.err, 0.25 * (0.25 - p.im));
      const t = quasinormalNear(metric, p.k, p, rho);
      expect(t).not.toBeNull();
      expect(t!.im).toBeLessThan(0);
      expect(Math.hypot(t!.re - p.re, t!.im - p.im)).toBeLessThan(rho);
    }
    // T: the BTZ black hole with the same n = 0 spectrum; its σ grows with the deformation
    const T = hawkingTemperature(metric.centre as HorizonCentre);
    expect(Math.abs(r.temperature! - T)).toBeLessThan(3 * r.temperature_err!);
    expect(h.btz!.consistent).toBe(btz);
    expect(r.evidence.verdict).toMatch(btz ? /consistent with the BTZ ladder/ : /a deformed horizon: the BTZ ladder .* fits poorly/);
  });

  it('BTZ r_h = 1.5 at Δ = 1.3: the mode and its zero, 4πT(Δ − 1) = 0.9 apart, are not taken for a Froissart doublet', () => {
    const r = holographyCheck(responseTableOf((W, k) => btzChi(1.3, 1.5, W, k), { omegas, gamma: 0.25, kMax, noise: 0.01, seed: 1 }), opts);
    expect(r.geometry).toBe('horizon');
    const T = 1.5 / (2 * Math.PI);
    expect(Math.abs(r.temperature! - T)).toBeLessThan(3 * r.temperature_err!);
    expect(Math.abs(r.delta! - 1.3)).toBeLessThan(3 * r.delta_err!);
  });

  it('BTZ r_h = 1.5 at Δ = 1.8: modes too deep to resolve (γ + 4πT·0.9 = 2.95 > 2.94), the zeros on the light cone: undecided, not a verdict', () => {
    const r = holographyCheck(responseTableOf((W, k) => btzChi(1.8, 1.5, W, k), { omegas, gamma: 0.25, kMax, noise: 0.01, seed: 1 }), opts);
    expect(r.holographic).toBe(false);
    expect(r.status).toBe('undecided');
    expect(r.evidence.horizon.reason).toMatch(/^undecided: the zeros of \d+ k lie below the real axis on a light cone .* widen the ω window or lower γ/);
    expect(r.evidence.verdict).toMatch(/^not shown holographic/);
    expect(Math.abs(r.evidence.horizon.lightCone!.a - 1)).toBeLessThan(0.03);
  });

  it.each([
    { residue: 1, at: { re: 6.3, im: -0.2 }, why: /no shallower zero/ },
    { residue: 3, at: { re: 5, im: -1.5 }, why: /do not follow a light cone|no shallower zero|further from the light cone/ },
  ])('BTZ r_h = 1.5 with an extra pole (residue $residue at $at.re $at.im i) fails the horizon check', ({ residue, at, why }) => {
    const chi = (W: Complex, k: number): Complex => cadd(btzChi(1.5, 1.5, W, k), cdiv({ re: residue, im: 0 }, { re: W.re - at.re, im: W.im - at.im }));
    const r = holographyCheck(responseTableOf(chi, { omegas, gamma: 0.25, kMax: 12, noise: 0.01, seed: 1 }), opts);
    expect(r.holographic).toBe(false);
    expect(r.evidence.horizon.reason).toMatch(why);
  });
});
