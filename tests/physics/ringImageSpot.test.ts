import { describe, expect, it } from 'vitest';
import { btzChi, diskChi } from '../../src/physics/closedForm.ts';
import type { Complex } from '../../src/physics/complex.ts';
import { blackHoleMetric, deformedMetric, type Metric } from '../../src/physics/metric.ts';
import { type OrdinaryRing, ordinaryChi } from '../../src/physics/ordinaryRings.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { REFOCUSING_GAIN, SINGLE_WAVE_GAIN, chiAtOmega, refocusingGain, ringImage } from '../../src/physics/ringImage.ts';

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
