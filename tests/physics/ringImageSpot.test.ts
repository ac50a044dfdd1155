import { describe, expect, it } from 'vitest';
import { btzChi, diskChi } from '../../src/physics/closedForm.ts';
import type { Complex } from '../../src/physics/complex.ts';
import { blackHoleMetric, deformedMetric, type Metric } from '../../src/physics/metric.ts';
import { type OrdinaryRing, ordinaryChi } from '../../src/physics/ordinaryRings.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { REFOCUSING_GAIN, SINGLE_WAVE_GAIN, SPOT_SNR, antipodeSnr, chiAtOmega, imageFromTable, refocusingGain, ringImage } from '../../src/physics/ringImage.ts';
import { responseTableOf } from '../../src/physics/response.ts';
import { spotVerdict } from '../../src/cli/commands/image.ts';

// The spot criterion of the ring image (physics.md §13, docs/spectrum.md) over
// the parameters of every geometry and ordinary ring of §5 and §12: the disk
// shows the focused spot wherever wave optics holds (ω ≥ 6), nothing else does.

const chis = (fn: (k: number) => Complex, K: number): Complex[] => Array.from({ length: K + 1 }, (_, k) => fn(k));
const at = (w: number): Complex => ({ re: w, im: 0.25 });
const OMEGAS = [2, 4, 6, 8, 12, 20];
const KS = [12, 40];
/** χ of a metric from the mode solver at one ω, |k| ≤ 12. */
const solved = (metric: Metric, delta: number, w: number): Complex[] =>
  chiAtOmega(simulateResponseTable({ metric, delta, omegas: [w], gamma: 0.25, kMax: 12 }), w).chiByK;

describe('the focused spot of the ring image: the disk has it, nothing else', () => {
  it.each([1.2, 1.5, 1.8, 2.5, 3.3])('disk Δ = %s (closed form): a refocused central spot at ω = 6…20, |k| ≤ 12 and ≤ 40', (delta) => {
    for (const K of KS) {
      for (const w of [6, 8, 12, 20]) {
        const img = ringImage(chis((k) => diskChi(delta, at(w), k), K), at(w));
        expect({ delta, K, w, spot: img.spot }).toEqual({ delta, K, w, spot: true });
        expect(img.position).toBe(0);
        expect(img.refocusing).toBeGreaterThan(REFOCUSING_GAIN);
      }
    }
  });

  it.each([
    { a: [0.3, -0.2, 1.5], delta: 1.5 },
    { a: [0.3, -0.2, 1.5], delta: 2.2 },
    { a: [-0.3, 0.3, 1], delta: 1.5 },
    { a: [0.5, -0.3, 0.8], delta: 1.8 },
  ])('deformed disk $a at Δ = $delta (mode solver, |k| ≤ 12): a refocused central spot at ω = 8 and 12', ({ a, delta }) => {
    for (const w of [8, 12]) {
      const img = ringImage(solved(deformedMetric(a[0], a[1], a[2]), delta, w), at(w));
      expect(img.spot).toBe(true);
      expect(img.refocusing).toBeGreaterThan(REFOCUSING_GAIN);
    }
  });

  const rings: OrdinaryRing[] = [
    ...[0.05, 0.2, 0.5, 2, 10, 100].map((D): OrdinaryRing => ({ kind: 'diffusion', D, label: `diffusion:${D}` })),
    ...[0.2, 0.5, 1, 2].flatMap((c) => [0.5, 1.3, 5].flatMap((m0) => [0.05, 0.2, 1].map((Gamma): OrdinaryRing => ({ kind: 'oscillators', c, m0, Gamma, label: `oscillators:${c},${m0},${Gamma}` })))),
  ];
  it.each(rings.map((r) => [r.label, r] as const))('%s (physics.md §12): no focused spot at any ω, refocusing below the single-wave bound', (_, ring) => {
    for (const K of KS) {
      for (const w of OMEGAS) {
        const img = ringImage(chis((k) => ordinaryChi(ring, at(w), k), K), at(w));
        expect({ K, w, spot: img.spot }).toEqual({ K, w, spot: false });
        expect(img.refocusing).toBeLessThan(SINGLE_WAVE_GAIN);
      }
    }
  });

  it('a diffusive ring can still give a centred image (D = 2 at ω = 4, 8): the refocusing is what tells it from the disk', () => {
    const ring: OrdinaryRing = { kind: 'diffusion', D: 2, label: 'diffusion:2' };
    for (const w of [4, 8]) {
      const img = ringImage(chis((k) => ordinaryChi(ring, at(w), k), 12), at(w));
      expect(img.central).toBe(true);
      expect(img.spot).toBe(false);
      expect(img.refocusing).toBeLessThan(1);
    }
  });

  it.each([0.2, 0.5, 1, 1.5, 3])('BTZ r_h = %s (closed form): no focused spot at any ω', (rh) => {
    for (const K of KS) {
      for (const w of OMEGAS) {
        const img = ringImage(chis((k) => btzChi(1.5, rh, at(w), k), K), at(w));
        expect({ K, w, spot: img.spot }).toEqual({ K, w, spot: false });
        expect(img.refocusing).toBeLessThan(SINGLE_WAVE_GAIN);
      }
    }
  });

  it('a deformed black hole (mode solver, |k| ≤ 12): no focused spot at ω = 4, 8, 12', () => {
    for (const w of [4, 8, 12]) expect(ringImage(solved(blackHoleMetric(), 1.5, w), at(w)).spot).toBe(false);
  });
});

describe('the focused spot on noisy tables (1% and 5% noise, |k| ≤ 12, 5 seeds)', () => {
  const omegas = [2, 4, 6, 8, 12, 16, 20];
  const cases: { name: string; chi: (W: Complex, k: number) => Complex; disk: boolean }[] = [
    ...[1.2, 1.5, 2.2, 3.3].map((d) => ({ name: `disk Δ = ${d}`, chi: (W: Complex, k: number) => diskChi(d, W, k), disk: true })),
    ...[0.05, 0.5, 2, 10, 100].map((D) => ({ name: `diffusion:${D}`, chi: (W: Complex, k: number) => ordinaryChi({ kind: 'diffusion', D, label: '' }, W, k), disk: false })),
    ...[[1, 1.3, 0.2], [2, 0.5, 1], [1, 5, 0.05], [0.5, 1.3, 0.05]].map(([c, m0, Gamma]) => ({ name: `oscillators:${c},${m0},${Gamma}`, chi: (W: Complex, k: number) => ordinaryChi({ kind: 'oscillators', c, m0, Gamma, label: '' }, W, k), disk: false })),
    ...[0.5, 1.5].map((rh) => ({ name: `btz:${rh}`, chi: (W: Complex, k: number) => btzChi(1.5, rh, W, k), disk: false })),
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, { chi, disk }) => {
    for (const noise of [0.01, 0.05]) {
      for (let seed = 1; seed <= 5; seed++) {
        const table = responseTableOf(chi, { omegas, gamma: 0.25, kMax: 12, noise, seed });
        for (const w of omegas) {
          const img = imageFromTable(table, w);
          // the disk once wave optics holds; nothing else, ever
          if (disk && w >= 6) expect({ noise, seed, w, spot: img.spot }).toEqual({ noise, seed, w, spot: true });
          if (!disk) expect({ noise, seed, w, spot: img.spot }).toEqual({ noise, seed, w, spot: false });
        }
      }
    }
  });
});

describe('antipodeSnr and the verdict text', () => {
  it('is |⟨O(π)⟩| over √(2Σ w_k²σ_k²), w_k = (2 − δ_k0)(−1)^k e^{−k²σ²/2}', () => {
    // χ_0 = 1 alone with σ_0 = 0.1: 1/√(2·0.01)
    expect(antipodeSnr([{ re: 1, im: 0 }], [0.1], 0.15)).toBeCloseTo(1 / Math.sqrt(0.02), 12);
    // χ_1 = i with σ_1 = 0.2, width 0: |−2i| / √(2·4·0.04)
    expect(antipodeSnr([{ re: 0, im: 0 }, { re: 0, im: 1 }], [0, 0.2], 0)).toBeCloseTo(2 / Math.sqrt(0.32), 12);
    expect(antipodeSnr([{ re: 1, im: 0 }], [0], 0.15)).toBeNull();
  });

  it('names why a centred image is no spot', () => {
    expect(spotVerdict({ spot: true, central: true, refocusing: 8, antipodeSnr: 40 })).toBe('a central spot (the response refocuses at the antipode)');
    expect(spotVerdict({ spot: false, central: false, refocusing: 8, antipodeSnr: 40 })).toBe('no central spot');
    expect(spotVerdict({ spot: false, central: true, refocusing: 0.9, antipodeSnr: 40 })).toMatch(/does not refocus at the antipode \(gain 0\.90 < 3/);
    expect(spotVerdict({ spot: false, central: true, refocusing: 4, antipodeSnr: 2.5 })).toBe(`a centred image but no focused spot: the response at the antipode is within the noise (S/N 2.50 < ${SPOT_SNR})`);
  });
});

describe('refocusingGain', () => {
  it('reaches the single-wave bound 2/(1 + min sinc) ≈ 2.555 for a lossless standing wave with πκ at the minimum of sin t/t', () => {
    // χ_k = 1/(k² − κ²): far from the source ⟨O⟩ ∝ cos(κ(θ − π)); tan t = t at t = πκ ≈ 4.4934
    const kappa = 4.493409457909064 / Math.PI;
    const g = refocusingGain(chis((k) => ({ re: 1 / (k * k - kappa * kappa), im: 0 }), 4000), 0);
    expect(Math.abs(g - SINGLE_WAVE_GAIN)).toBeLessThan(1e-3);
    expect(SINGLE_WAVE_GAIN).toBeCloseTo(2.555, 3);
  });

  it('is 1 for a uniform far field and 0 when the far field vanishes', () => {
    // χ_0 alone: ⟨O⟩ = χ_0/2π everywhere
    expect(refocusingGain([{ re: 2, im: -1 }], 0.15)).toBeCloseTo(1, 12);
    expect(refocusingGain([{ re: 0, im: 0 }, { re: 0, im: 0 }], 0.15)).toBe(0);
  });
});
