import { describe, expect, it } from 'vitest';
import { btzChi, diskChi } from '../../src/physics/closedForm.ts';
import type { Complex } from '../../src/physics/complex.ts';
import { adsMetric, btzMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { ringResponse } from '../../src/physics/ring.ts';
import { chiAtOmega, imageFromTable, ringImage } from '../../src/physics/ringImage.ts';

const chis = (fn: (k: number) => Complex, K: number): Complex[] => Array.from({ length: K + 1 }, (_, k) => fn(k));
const disk = (W: Complex, K = 40) => chis((k) => diskChi(1.5, W, k), K);
const btz = (W: Complex, K = 40) => chis((k) => btzChi(1.5, 1.5, W, k), K);

describe('ring image (physics.md §13)', () => {
  // the §13 table: Δ = 1.5, σ = 0.15, |k| ≤ 40, d = 0.5, f = 1, closed forms of §5
  it.each([
    { W: { re: 7.3, im: 0.1 }, fwhm: 0.98, cm: 3.0 },
    { W: { re: 12, im: 0.25 }, fwhm: 0.8, cm: 3.6 },
    { W: { re: 20, im: 0.25 }, fwhm: 0.52, cm: 5.4 },
  ])('disk at Ω = $W.re + $W.im i: a central spot, FWHM $fwhm, centre/mean $cm', ({ W, fwhm, cm }) => {
    const img = ringImage(disk(W), W);
    expect(img.position).toBe(0);
    expect(img.width).toBeCloseTo(fwhm, 1);
    expect(Math.abs(img.width - fwhm)).toBeLessThan(0.012);
    expect(Math.abs(img.contrast - cm)).toBeLessThan(0.05);
    expect(img.spot).toBe(true);
  });

  it('BTZ r_h = 1.5 at Ω = 12 + 0.25i: side peaks at ±1.1, FWHM 2.6, centre/mean 0.41, no central spot', () => {
    const W = { re: 12, im: 0.25 };
    const img = ringImage(btz(W), W);
    expect(Math.abs(Math.abs(img.position) - 1.1)).toBeLessThan(0.05);
    expect(Math.abs(img.width - 2.6)).toBeLessThan(0.05);
    expect(Math.abs(img.contrast - 0.41)).toBeLessThan(0.01);
    expect(img.spot).toBe(false);
  });

  it('the closed-form lens integral equals a direct quadrature of ⟨O⟩ over the aperture', () => {
    const W = { re: 9, im: 0.25 };
    const chi = disk(W, 20);
    const img = ringImage(chi, W, { samples: 61 });
    // ⟨O⟩ on a fine ring (the antipode of site 0 is site N/2), trapezoid over |x| ≤ d
    const N = 8192;
    const o = ringResponse(chi, N, 0, 0.15, 1);
    const h = (2 * Math.PI) / N;
    const m = Math.round(0.5 / h);
    const direct = Array.from(img.x, (xs) => {
      let re = 0;
      let im = 0;
      for (let j = -m; j <= m; j++) {
        const x = j * h;
        const wt = (Math.abs(j) === m ? 0.5 : 1) * h;
        const ph = -W.re * x * xs;
        const zr = o.re[N / 2 + j];
        const zi = o.im[N / 2 + j];
        re += wt * (zr * Math.cos(ph) - zi * Math.sin(ph));
        im += wt * (zr * Math.sin(ph) + zi * Math.cos(ph));
      }
      return re * re + im * im;
    });
    const max = Math.max(...direct);
    // the quadrature's end point is 0.5 to within h/2: agree to ~1e-3 of the peak
    direct.forEach((v, i) => expect(Math.abs(v / max - img.intensity[i])).toBeLessThan(2e-3));
  });

  it('the spot narrows as ω grows (disk, |k| ≤ 40)', () => {
    const widths = [6, 9, 12, 16, 20].map((w) => ringImage(disk({ re: w, im: 0.25 }), { re: w, im: 0.25 }).width);
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeLessThan(widths[i - 1]);
  });

  it('ring-limited (|k| ≤ 12) from a simulated response table: the disk still focuses at ω = 12, BTZ does not', () => {
    const omegas = [11.75, 12];
    const ads = simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas, gamma: 0.25, kMax: 12 });
    const img = imageFromTable(ads, 12);
    const truth = ringImage(disk({ re: 12, im: 0.25 }, 12), { re: 12, im: 0.25 });
    expect(img.kMax).toBe(12);
    expect(img.spot).toBe(true);
    expect(img.position).toBe(0);
    expect(Math.abs(img.width - truth.width)).toBeLessThan(1e-6);
    expect(Math.abs(img.contrast - truth.contrast)).toBeLessThan(1e-6);
    const hole = simulateResponseTable({ metric: btzMetric(1.5), delta: 1.5, omegas, gamma: 0.25, kMax: 12 });
    const dark = imageFromTable(hole, 12);
    expect(dark.spot).toBe(false);
    expect(dark.contrast).toBeLessThan(0.1);
  });

  it('an oscillator ring (physics.md §12) has no central spot', () => {
    const W = { re: 12, im: 0.25 };
    const osc = chis((k) => {
      // χ = 1/(ω_k² − Ω² − iΓΩ), ω_k² = k² + 1.3², Γ = 0.2
      const re = k * k + 1.69 - (W.re * W.re - W.im * W.im) + 0.2 * W.im;
      const im = -2 * W.re * W.im - 0.2 * W.re;
      const d = re * re + im * im;
      return { re: re / d, im: -im / d };
    }, 12);
    expect(ringImage(osc, W).spot).toBe(false);
  });

  it('refuses an ω the table lacks (naming the nearest), gaps in k and a bad lens', () => {
    const t = simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas: [1, 2], gamma: 0.25, kMax: 2 });
    expect(() => chiAtOmega(t, 1.5)).toThrow(/no rows at ω = 1.5; nearest: 1, 2|nearest: 2, 1/);
    expect(() => chiAtOmega(t.filter((p) => p.k !== 1), 1)).toThrow(/lacks \|k\| = 1/);
    const W = { re: 2, im: 0.25 };
    expect(() => ringImage(disk(W, 3), W, { aperture: 0 })).toThrow(/half-aperture d must be in \(0, π − 3σ\)/);
    expect(() => ringImage(disk(W, 3), W, { aperture: 4 })).toThrow(/half-aperture d must be in \(0, π − 3σ\).*\(got 4\)/);
    expect(() => ringImage(disk(W, 3), W, { aperture: Math.PI })).toThrow(/off the source at ±π/);
    // the arc's end within 3σ of the smeared source (σ = 0.15): its own field would enter the lens
    expect(() => ringImage(disk(W, 3), W, { aperture: 3.1 })).toThrow(/\(0, 2\.692\) for a source of width σ = 0\.15/);
    expect(() => ringImage(disk(W, 3), W, { aperture: 3.1, sourceWidth: 0.01 })).not.toThrow();
    expect(() => ringImage(disk(W, 3), W, { focal: -1 })).toThrow(/focal length must be > 0/);
    expect(() => ringImage(disk(W, 3), { re: 0, im: 0.25 })).toThrow(/ω = Re Ω > 0/);
  });
});
