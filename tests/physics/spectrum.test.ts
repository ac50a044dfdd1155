import { describe, expect, it } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { btzChi, diskChi } from '../../src/physics/closedForm.ts';
import type { Complex } from '../../src/physics/complex.ts';
import { ordinaryChi, parseOrdinaryRing } from '../../src/physics/ordinaryRings.ts';
import { responseTableOf } from '../../src/physics/response.ts';
import { holographyCheck } from '../../src/physics/spectrum/check.ts';
import { findSpectrum } from '../../src/physics/spectrum/modes.ts';
import { chiSquareSurvival } from '../../src/physics/spectrum/stats.ts';

// the default drive grid ω = 0.25 … 12, γ = 0.25 (physics.md §9), 1% noise
const omegas = Array.from({ length: 48 }, (_, i) => 0.25 * (i + 1));
const table = (chi: (W: Complex, k: number) => Complex, kMax: number, seed = 1): ResponsePoint[] =>
  responseTableOf(chi, { omegas, gamma: 0.25, kMax, noise: 0.01, seed });
const opts = { resamples: 12 };

describe('holography check: poles of χ(Ω, k) against the closed forms (physics.md §5, §12)', () => {
  it.each([
    { delta: 1.5, kMax: 4 },
    { delta: 2.4, kMax: 2 },
  ])('disk Δ = $delta: the ladder Ω = Δ + |k| + 2n on the real axis, Δ and the spacing 2 within 3σ', ({ delta, kMax }) => {
    const r = holographyCheck(table((W, k) => diskChi(delta, W, k), kMax), opts);
    expect(r.holographic).toBe(true);
    expect(r.geometry).toBe('disk');
    expect(Math.abs(r.delta! - delta)).toBeLessThan(Math.max(3 * r.delta_err!, 1e-4));
    expect(Math.abs(r.delta! - delta)).toBeLessThan(2e-3);
    expect(Math.abs(r.spacing! - 2)).toBeLessThan(Math.max(3 * r.spacing_err!, 1e-4));
    expect(r.evidence.disk.pValue).toBeGreaterThan(0.01);
    // every closed-form rung inside the window is found, and nothing else
    for (let k = 0; k <= kMax; k++) {
      const truth: number[] = [];
      for (let n = 0; delta + k + 2 * n < 11.9; n++) truth.push(delta + k + 2 * n);
      const found = r.poles.filter((p) => p.k === k);
      expect(found.map((p) => Math.round((p.re - delta - k) / 2) + 0)).toEqual(truth.map((_, n) => n));
      found.forEach((p, n) => {
        expect(Math.hypot(p.re - truth[n], p.im)).toBeLessThan(Math.max(4 * p.err, 0.01));
      });
    }
  });

  it('a table in other frequency units: the spacing measures 2·v/R in those units, Δ is unchanged', () => {
    const s = 2 * Math.PI * 1e3; // e.g. v/R = 2π kHz, ω in rad/s
    const pts = table((W, k) => diskChi(1.5, W, k), 2).map((p) => ({ ...p, omega: p.omega * s, gamma: p.gamma * s }));
    const r = holographyCheck(pts, opts);
    expect(r.geometry).toBe('disk');
    expect(Math.abs(r.spacing! / 2 - s) / s).toBeLessThan(1e-3);
    expect(Math.abs(r.delta! - 1.5)).toBeLessThan(2e-3);
  });

  it('BTZ r_h = 1.5: quasinormal modes Ω = k − 2i·r_h·Δ/2 and zeros Ω = k − 2i·r_h(1 − Δ/2) give T = r_h/2π within 3σ and 15%', () => {
    const rh = 1.5;
    const r = holographyCheck(table((W, k) => btzChi(1.5, rh, W, k), 8), opts);
    expect(r.holographic).toBe(true);
    expect(r.geometry).toBe('horizon');
    const T = rh / (2 * Math.PI);
    expect(Math.abs(r.temperature! - T)).toBeLessThan(3 * r.temperature_err!);
    expect(Math.abs(r.temperature! - T) / T).toBeLessThan(0.15);
    expect(Math.abs(r.delta! - 1.5)).toBeLessThan(3 * r.delta_err!);
    // the resolved n = 0 modes lie near the closed form k − i·4πT·Δ/2 (a depth of 2.5 below the line: rough)
    const qnm = r.poles.filter((p) => p.k >= 1 && p.im < -1);
    expect(qnm.length).toBeGreaterThanOrEqual(3);
    for (const p of qnm) expect(Math.hypot(p.re - p.k, p.im + 2 * rh * 0.75)).toBeLessThan(3 * Math.max(p.err, 0.25 * (0.25 + 2 * rh * 0.75)));
    // the zeros (depth 1.0) are sharp: k − 0.75i within 0.1
    const zeros = r.evidence.zeros.filter((z) => z.k >= 1 && z.im < -0.3);
    expect(zeros.length).toBeGreaterThanOrEqual(6);
    for (const z of zeros) expect(Math.hypot(z.re - z.k, z.im + 2 * rh * 0.25)).toBeLessThan(Math.max(4 * z.err, 0.1));
    expect(r.spacing).toBeNull();
  });

  it('damped oscillators (c = 1, m₀ = 1.3, Γ = 0.2) fail the check; their one pole per k is the closed form', () => {
    const ring = parseOrdinaryRing('oscillators');
    const r = holographyCheck(table((W, k) => ordinaryChi(ring, W, k), 6), opts);
    expect(r.holographic).toBe(false);
    expect(r.geometry).toBe('none');
    expect(r.evidence.disk.reason).toMatch(/no ladder/);
    for (let k = 0; k <= 6; k++) {
      const found = r.poles.filter((p) => p.k === k);
      expect(found).toHaveLength(1);
      const wk2 = k * k + 1.69;
      // Ω = −iΓ/2 + √(ω_k² − Γ²/4)
      expect(Math.hypot(found[0].re - Math.sqrt(wk2 - 0.01), found[0].im + 0.1)).toBeLessThan(Math.max(4 * found[0].err, 0.005));
    }
  });

  it('diffusion (D = 0.5) fails the check; its pole Ω = −iDk² is found at k = 1', () => {
    const ring = parseOrdinaryRing('diffusion');
    const r = holographyCheck(table((W, k) => ordinaryChi(ring, W, k), 4), opts);
    expect(r.holographic).toBe(false);
    expect(r.geometry).toBe('none');
    const p1 = r.poles.filter((p) => p.k === 1);
    expect(p1).toHaveLength(1);
    expect(Math.hypot(p1[0].re, p1[0].im + 0.5)).toBeLessThan(Math.max(4 * p1[0].err, 0.02));
  });

  it('a noiseless table (σ = 0) gives the ladder to ~1e-4', () => {
    const pts = responseTableOf((W, k) => diskChi(1.5, W, k), { omegas, gamma: 0.25, kMax: 1 });
    const r = holographyCheck(pts, { resamples: 4 });
    expect(r.geometry).toBe('disk');
    expect(Math.abs(r.delta! - 1.5)).toBeLessThan(1e-3);
    for (const p of r.poles) expect(Math.abs(p.re - Math.round(p.re - 0.5) - 0.5)).toBeLessThan(1e-3);
  });

  it('refuses a |k| with too few frequencies or several γ', () => {
    const few = responseTableOf((W, k) => diskChi(1.5, W, k), { omegas: omegas.slice(0, 8), gamma: 0.25, kMax: 0 });
    expect(() => findSpectrum(few)).toThrow(/needs at least 12/);
    const two = [...few, ...few.map((p) => ({ ...p, gamma: 0.5 }))];
    expect(() => findSpectrum(two)).toThrow(/several lines/);
  });

  it('χ² survival function: known quantiles', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(124.3421134, 100)).toBeCloseTo(0.05, 7);
    expect(chiSquareSurvival(0, 5)).toBe(1);
    expect(chiSquareSurvival(2, 2)).toBeCloseTo(Math.exp(-1), 12);
  });
});
