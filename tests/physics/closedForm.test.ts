import { describe, expect, it } from 'vitest';
import { btzChi, diskChi } from '../../src/physics/closedForm.ts';
import { cabs, clgamma, cexp } from '../../src/physics/complex.ts';
import { SPOT_VALUES } from '../fixtures/spotValues.ts';


const gammaOf = (re: number, im = 0) => cexp(clgamma({ re, im }));

describe('complex log-Gamma', () => {
  it('matches Γ at known points', () => {
    expect(gammaOf(5).re).toBeCloseTo(24, 10);
    expect(gammaOf(0.5).re).toBeCloseTo(Math.sqrt(Math.PI), 12);
    // reflection branch: Γ(−1.5) = 4√π/3
    expect(gammaOf(-1.5).re).toBeCloseTo((4 * Math.sqrt(Math.PI)) / 3, 12);
    // |Γ(1+i)|² = π / sinh π
    const g = gammaOf(1, 1);
    expect(cabs(g) ** 2).toBeCloseTo(Math.PI / Math.sinh(Math.PI), 12);
    // |Γ(iy)|² = π / (y sinh πy), large imaginary part
    const y = 12;
    expect(Math.log(cabs(gammaOf(0, y)) ** 2)).toBeCloseTo(Math.log(Math.PI / (y * Math.sinh(Math.PI * y))), 9);
  });
});

describe('closed forms', () => {
  it.each(SPOT_VALUES)('disk χ at Δ=$delta, Ω=$re+$im i, k=$k matches physics.md', ({ delta, re, im, k, chi }) => {
    const v = diskChi(delta, { re, im }, k);
    expect(Math.abs(v.re - chi[0])).toBeLessThan(5.1e-7);
    expect(Math.abs(v.im - chi[1])).toBeLessThan(5.1e-7);
  });

  it('disk χ is even in k', () => {
    const a = diskChi(1.5, { re: 3.3, im: 0.25 }, 5);
    const b = diskChi(1.5, { re: 3.3, im: 0.25 }, -5);
    expect(a.re).toBe(b.re);
    expect(a.im).toBe(b.im);
  });

  it('disk large-|k| limit is Γ(1−Δ)/Γ(Δ−1)·(|k|/2)^{2Δ−2}', () => {
    const delta = 1.5;
    const k = 4000;
    const b = diskChi(delta, { re: 0.5, im: 0.25 }, k);
    const lim = (2 * delta - 2) * (gammaOf(1 - delta).re / gammaOf(delta - 1).re) * (k / 2) ** (2 * delta - 2);
    expect(Math.abs(b.re / lim - 1)).toBeLessThan(1e-3);
  });

  it('BTZ absorbs at real ω > 0 (Im χ > 0)', () => {
    for (const w of [0.3, 1, 4, 9]) for (const k of [0, 2, 7]) {
      expect(btzChi(1.5, 1.5, { re: w, im: 0 }, k).im).toBeGreaterThan(0);
    }
  });
});
