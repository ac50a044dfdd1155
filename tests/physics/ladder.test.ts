import { describe, expect, it } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { type Complex, cadd, cdiv } from '../../src/physics/complex.ts';
import { type Metric, adsMetric, deformedMetric } from '../../src/physics/metric.ts';
import { ordinaryChi, parseOrdinaryRing } from '../../src/physics/ordinaryRings.ts';
import { responseTableOf, simulateResponseTable } from '../../src/physics/response.ts';
import { holographyCheck } from '../../src/physics/spectrum/check.ts';
import { solveMode } from '../../src/physics/solver.ts';
import { Rng } from '../../src/util/random.ts';

// the default drive grid ω = 0.25 … 12, γ = 0.25 (physics.md §9), 1% noise
const omegas = Array.from({ length: 48 }, (_, i) => 0.25 * (i + 1));
const opts = { resamples: 8 };

/**
 * The truth: normal modes of a regular bulk are the real Ω where χ has a pole,
 * i.e. where 1/χ from the adaptive mode solver (physics.md §3–4, a different
 * integrator from the grid solver that simulates the tables) changes sign
 * through zero; bisected to 1e-9.
 */
function normalModes(metric: Metric, delta: number, k: number, wMax: number): number[] {
  const inv = (w: number): number => 1 / solveMode(metric, delta, { re: w, im: 0 }, k, { rtol: 1e-10 }).chi.re;
  const out: number[] = [];
  let w0 = 0.05, v0 = inv(w0);
  for (let w = 0.15; w <= wMax; w += 0.1) {
    const v = inv(w);
    // a pole: 1/χ crosses zero continuously (at a zero of χ it jumps through ±∞)
    if (Math.sign(v) !== Math.sign(v0) && Math.abs(v - v0) < 0.5) {
      let a = w0, b = w, fa = v0;
      for (let i = 0; i < 32; i++) {
        const c = (a + b) / 2, fc = inv(c);
        if (Math.sign(fc) === Math.sign(fa)) { a = c; fa = fc; } else b = c;
      }
      out.push((a + b) / 2);
    }
    w0 = w; v0 = v;
  }
  return out;
}

/** τ = ∫₀^∞ dr/√(fg), the boundary-to-centre light time: the WKB spacing of the ladder is π/τ (midpoint rule in ρ = arctan r). */
function lightTime(metric: Metric): number {
  const N = 20000;
  let s = 0;
  for (let i = 0; i < N; i++) {
    const rho = ((i + 0.5) * Math.PI) / 2 / N, r = Math.tan(rho);
    s += ((Math.PI / 2 / N) * (1 + r * r)) / Math.sqrt(metric.f(r) * metric.g(r));
  }
  return s;
}

const table = (metric: Metric, delta: number, kMax: number, seed: number): ResponsePoint[] =>
  simulateResponseTable({ metric, delta, omegas, gamma: 0.25, kMax, noise: 0.01, seed });

// random small deformations |a1|, |a2| ≤ 0.25, w ∈ [0.7, 2]
const rng = new Rng(2026);
const random = Array.from({ length: 3 }, () => deformedMetric(0.5 * (rng.uniform() - 0.5), 0.5 * (rng.uniform() - 0.5), 0.7 + 1.3 * rng.uniform()));

describe('holography check on regular bulks beyond pure AdS (mode-solver tables, 1% noise)', () => {
  it.each([
    { metric: deformedMetric(), delta: 1.5, seed: 1 },
    { metric: deformedMetric(), delta: 1.62, seed: 2 },
    { metric: deformedMetric(-0.3, 0.3, 1), delta: 1.5, seed: 3 },
    { metric: deformedMetric(-0.3, -0.3, 2), delta: 1.5, seed: 4 },
    ...random.map((metric, i) => ({ metric, delta: 1.5, seed: 5 + i })),
  ])('$metric.label at Δ = $delta: a holographic disk; the poles are the normal modes, the spacing near π/τ, Δ within 3σ', ({ metric, delta, seed }) => {
    const r = holographyCheck(table(metric, delta, 3, seed), opts);
    expect(r.evidence.disk.reason).toMatch(/one tower per k/);
    expect(r.holographic).toBe(true);
    expect(r.geometry).toBe('disk');
    expect(Math.abs(r.delta! - delta)).toBeLessThan(3 * r.delta_err!);
    expect(Math.abs(r.delta! - delta)).toBeLessThan(0.02);
    // the asymptotic spacing π/τ (WKB) is approached within the window (ω ≤ 12) to ~1%
    const asymptote = Math.PI / lightTime(metric);
    expect(Math.abs(r.spacing! - asymptote) / asymptote).toBeLessThan(0.015);
    // the resolved poles of k = 0 and 2 are the normal modes of the mode solver, every one of them below ω = 11.8
    for (const k of [0, 2]) {
      const truth = normalModes(metric, delta, k, 11.8);
      const found = r.poles.filter((p) => p.k === k && p.re < 11.8);
      expect(found).toHaveLength(truth.length);
      found.forEach((p, i) => expect(Math.hypot(p.re - truth[i], p.im)).toBeLessThan(Math.max(4 * p.err, 0.01)));
    }
    // information: how far from the pure AdS ladder (a deformed bulk is not pure AdS unless the deformation is tiny)
    const pure = r.evidence.disk.pureAds!;
    expect(pure.consistent).toBe(r.evidence.disk.maxDeviation < 0.02);
    for (const d of r.evidence.disk.deviations) expect(Number.isFinite(d.ladder)).toBe(true);
  });

  it('the default deformed disk at Δ = 2.2, |k| ≤ 12: Δ and the one spacing carry the ladder\'s model error (the truth within 3σ), the |k| slope near v/R = 1', () => {
    const metric = deformedMetric();
    const r = holographyCheck(table(metric, 2.2, 12, 1), opts);
    expect(r.geometry).toBe('disk');
    expect(r.evidence.disk.pureAds!.consistent).toBe(false);
    // the rungs are not on a(Δ + |k| + 2n): Δ is known to the rungs' spread from the asymptotic ladder, not to 0.01
    expect(Math.abs(r.delta! - 2.2)).toBeLessThan(3 * r.delta_err!);
    expect(r.delta_err!).toBeLessThan(0.1);
    const model = r.evidence.disk.model!;
    expect(r.delta_err!).toBeGreaterThanOrEqual(model.deltaJackknife);
    // the overtone spacing approaches π/τ; its error carries the spread of the gaps
    const asymptote = Math.PI / lightTime(metric);
    expect(Math.abs(r.spacing! - asymptote)).toBeLessThan(3 * r.spacing_err!);
    expect(r.spacing_err!).toBeLessThan(0.06);
    expect(Math.abs(model.kSlope - 1)).toBeLessThan(0.03);
    // one spacing in the verdict: the reported one (the others named are its error terms)
    const quoted = [...r.evidence.verdict.matchAll(/spacing (?:is |settling at |of )?(\d+\.\d+) ±/g)].map((m) => Number(m[1]));
    expect(quoted).toEqual([Number(r.spacing!.toFixed(4))]);
    expect(r.evidence.verdict).not.toMatch(/settling at \d|asymptotic spacing \d/);
    expect(r.evidence.disk.reason).not.toMatch(/\d\.\d+ \(Im χ²/);
  });

  it('pure AdS: consistent with the pure AdS ladder, deviations within the floor', () => {
    const r = holographyCheck(table(adsMetric(), 1.5, 3, 1), opts);
    expect(r.geometry).toBe('disk');
    expect(r.evidence.disk.pureAds!.consistent).toBe(true);
    expect(r.evidence.disk.maxDeviation).toBeLessThan(0.02);
    expect(r.evidence.verdict).toMatch(/consistent with the pure AdS ladder/);
  });

  it('the default deformed disk deviates from the pure AdS ladder: reported, not held against it', () => {
    const r = holographyCheck(table(deformedMetric(), 1.5, 3, 1), opts);
    expect(r.holographic).toBe(true);
    expect(r.evidence.disk.pureAds!.consistent).toBe(false);
    expect(r.evidence.disk.maxDeviation).toBeGreaterThan(0.1);
    expect(r.evidence.verdict).toMatch(/deviate from the pure AdS ladder/);
  });

  it.each([
    { residue: 1, at: 4.4 },
    { residue: 2, at: 8.6 },
  ])('an extra isolated pole (residue $residue at Ω = $at) on top of the AdS ladder fails the check', ({ residue, at }) => {
    const chi = (W: Complex, k: number): Complex => cadd(diskChi(1.5, W, k), cdiv({ re: residue, im: 0 }, { re: W.re - at, im: W.im }));
    const r = holographyCheck(responseTableOf(chi, { omegas, gamma: 0.25, kMax: 3, noise: 0.01, seed: 1 }), opts);
    expect(r.holographic).toBe(false);
    expect(r.evidence.disk.reason).toMatch(/not one tower per k/);
  });

  it.each(['oscillators', 'oscillators:1,0.7,0.1', 'diffusion', 'diffusion:0.2'])('the ordinary ring %s fails the check', (spec) => {
    const ring = parseOrdinaryRing(spec);
    const r = holographyCheck(responseTableOf((W, k) => ordinaryChi(ring, W, k), { omegas, gamma: 0.25, kMax: 6, noise: 0.01, seed: 2 }), opts);
    expect(r.holographic).toBe(false);
    expect(r.geometry).toBe('none');
  });
});
