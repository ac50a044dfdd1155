import { describe, expect, it } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { btzChi } from '../../src/physics/closedForm.ts';
import { btzMetric } from '../../src/physics/metric.ts';
import { responseTableOf, simulateResponseTable } from '../../src/physics/response.ts';
import { holographyCheck } from '../../src/physics/spectrum/check.ts';

// the default drive grid ω = 0.25 … 12, γ = 0.25 (physics.md §9), 1% noise, |k| ≤ 8
const omegas = Array.from({ length: 48 }, (_, i) => 0.25 * (i + 1));
const grid = { omegas, gamma: 0.25, kMax: 8, noise: 0.01 };
const opts = { resamples: 8 };

/**
 * BTZ at 2 < Δ < 3 (physics.md §5): the quasinormal modes Ω = ±k − 2i r_h(n + Δ/2)
 * and the zeros Ω = ±k − 2i r_h(n + 1 − Δ/2), so the n = 0 zeros lie ABOVE the
 * real axis, at Im = r_h(Δ − 2).
 */
describe('holography check of black holes at 2 < Δ < 3', () => {
  const rh = 1.5, delta = 2.2;
  const tables: [string, () => ResponsePoint[]][] = [
    ['the closed form', () => responseTableOf((W, k) => btzChi(delta, rh, W, k), { ...grid, seed: 4 })],
    ['the grid solver on the btz metric', () => simulateResponseTable({ metric: btzMetric(rh), delta, ...grid, seed: 4 })],
  ];

  it.each(tables)('BTZ r_h = 1.5, Δ = 2.2 (%s): the n = 0 zeros resolved above the axis at k + i r_h(Δ − 2), the modes too deep (γ + r_hΔ = 3.55 > 2.94): undecided, never "not holographic"', (_, make) => {
    const r = holographyCheck(make(), opts);
    expect(r.status).toBe('undecided');
    expect(r.holographic).toBe(false);
    expect(r.evidence.horizon.reason).toMatch(/^undecided: the zeros of \d+ k lie above the real axis on a light cone/);
    const height = rh * (delta - 2);
    const above = r.evidence.zeros.filter((z) => z.k >= 1 && z.im > 0);
    expect(new Set(above.map((z) => z.k)).size).toBeGreaterThanOrEqual(6);
    for (const z of above) expect(Math.hypot(z.re - z.k, z.im - height)).toBeLessThan(3 * z.err + 0.1 * height);
    expect(Math.abs(r.evidence.horizon.lightCone!.a - 1)).toBeLessThan(0.03);
  });

  it('BTZ r_h = 0.8, Δ = 2.2 (closed form): modes shallow enough to resolve, their partner zeros above the axis: a horizon with Δ > 2', () => {
    const r = holographyCheck(responseTableOf((W, k) => btzChi(delta, 0.8, W, k), { ...grid, kMax: 12, seed: 1 }), opts);
    expect(r.geometry).toBe('horizon');
    expect(r.evidence.horizon.btz!.consistent).toBe(true);
    expect(r.delta!).toBeGreaterThan(2);
  });

  it('a featureless response (χ = 1 + 0.1·Ω/(k + 1)) resolves nothing: undecided, not "not holographic"', () => {
    const r = holographyCheck(responseTableOf((W, k) => ({ re: 1 + (0.1 * W.re) / (k + 1), im: (0.1 * W.im) / (k + 1) }), { ...grid, seed: 2 }), opts);
    expect(r.status).toBe('undecided');
    expect(r.evidence.verdict).toMatch(/^not shown holographic \(undecided\)/);
  });
});
