/**
 * The boundary end of the fused kernel (physics.md §4): the series basis u_A
 * (p0 = 2 − Δ) and u_B (p0 = Δ) at r_max for every mode, with their exact
 * Δ-derivatives when Δ is a weight, and the Δ-derivative of χ = (2Δ − 2)·B/A
 * through that basis and the prefactor at a fixed final state (R, R′).
 */
import { type SeriesValue, boundarySeriesDerivative } from '../physics/boundary.ts';
import { massSquared } from '../physics/params.ts';

/** Per-mode basis values [re, im, dre, dim] (4 doubles a mode); dbA/dbB empty when Δ is fixed. */
export interface BoundaryBasis {
  bA: Float64Array;
  bB: Float64Array;
  dbA: Float64Array;
  dbB: Float64Array;
}

export function allocBoundaryBasis(P: number, freeDelta: boolean): BoundaryBasis {
  return { bA: new Float64Array(4 * P), bB: new Float64Array(4 * P), dbA: new Float64Array(freeDelta ? 4 * P : 0), dbB: new Float64Array(freeDelta ? 4 * P : 0) };
}

/**
 * Fills the basis of every mode (Ω = omegaRe + i·omegaIm, k) at Δ and r_max for the
 * disk (M = −1); with dbA non-empty also d/dΔ (p0 = ∓1, m² = 2Δ − 2).
 */
export function fillBoundaryBasis(basis: BoundaryBasis, modes: readonly { omegaRe: number; omegaIm: number; k: number }[], delta: number, rMax: number): void {
  const m2 = massSquared(delta), dm2 = 2 * delta - 2, free = basis.dbA.length > 0;
  const put = (arr: Float64Array, p: number, v: SeriesValue): void => {
    arr[4 * p] = v.re; arr[4 * p + 1] = v.im; arr[4 * p + 2] = v.dre; arr[4 * p + 3] = v.dim;
  };
  modes.forEach((m, p) => {
    const om = { re: m.omegaRe, im: m.omegaIm };
    const a = boundarySeriesDerivative(2 - delta, om, m.k, m2, -1, rMax, free ? { p0: -1, m2: dm2 } : null);
    const b = boundarySeriesDerivative(delta, om, m.k, m2, -1, rMax, free ? { p0: 1, m2: dm2 } : null);
    put(basis.bA, p, a.value);
    put(basis.bB, p, b.value);
    if (free) {
      put(basis.dbA, p, a.d);
      put(basis.dbB, p, b.d);
    }
  });
}

/**
 * ∂χ/∂Δ through the basis and the prefactor at fixed (R, R′) of mode p, into out[0..1]:
 * 2q + (2Δ − 2)·∂q/∂Δ with ∂q/∂Δ = [du_A R′ − R du_A′ − q(R du_B′ − du_B R′)]/D,
 * q = B/A and D = R u_B′ − u_B R′ (complex; D given with |D|²).
 */
export function boundaryDeltaTerm(
  basis: BoundaryBasis, p: number, R0: number, R1: number, dR0: number, dR1: number,
  qre: number, qim: number, dre: number, dim: number, dd: number, scaleChi: number, out: Float64Array,
): void {
  const eA = basis.dbA, eB = basis.dbB, b = 4 * p;
  const n2re = eA[b] * dR0 - eA[b + 1] * dR1 - (R0 * eA[b + 2] - R1 * eA[b + 3]);
  const n2im = eA[b] * dR1 + eA[b + 1] * dR0 - (R0 * eA[b + 3] + R1 * eA[b + 2]);
  const d2re = R0 * eB[b + 2] - R1 * eB[b + 3] - (eB[b] * dR0 - eB[b + 1] * dR1);
  const d2im = R0 * eB[b + 3] + R1 * eB[b + 2] - (eB[b] * dR1 + eB[b + 1] * dR0);
  const tre = n2re - (qre * d2re - qim * d2im), tim = n2im - (qre * d2im + qim * d2re);
  out[0] = 2 * qre + (scaleChi * (tre * dre + tim * dim)) / dd;
  out[1] = 2 * qim + (scaleChi * (tim * dre - tre * dim)) / dd;
}
