import type { Complex } from './complex.ts';

/**
 * Exact boundary series (physics.md §4) for f = g = r² − M:
 *   R = Σ_j c_j r^{−(p0+2j)},  c0 = 1,
 *   c_j P(p0+2j) + c_{j−1} Q(p0+2j−2) + c_{j−2} S(p0+2j−4) = 0.
 * Returns value and r-derivative at r, summed until terms fall below 1e-18 relative.
 */
export interface SeriesValue {
  re: number;
  im: number;
  dre: number;
  dim: number;
}

/**
 * A direction in (p0, m²) along which to differentiate the series: for the
 * conformal dimension, p0 = 2 − Δ or Δ gives p0 = ∓1 and m² = Δ(Δ−2) gives m² = 2Δ − 2.
 */
export interface SeriesDirection {
  p0: number;
  m2: number;
}

export function boundarySeries(p0: number, omega: Complex, k: number, m2: number, M: number, r: number, maxTerms = 200): SeriesValue {
  return boundarySeriesDerivative(p0, omega, k, m2, M, r, null, maxTerms).value;
}

/**
 * The boundary series and, when `dir` is given, its exact derivative along
 * (dp0, dm²) (forward-mode through the recursion: dc_j from dP, dQ, dS, and
 * d r^{−p} = −ln r · dp0 · r^{−p}); `d` is the derivative of value and r-derivative.
 */
export function boundarySeriesDerivative(
  p0: number, omega: Complex, k: number, m2: number, M: number, r: number, dir: SeriesDirection | null, maxTerms = 200,
): { value: SeriesValue; d: SeriesValue } {
  const o2re = omega.re * omega.re - omega.im * omega.im;
  const o2im = 2 * omega.re * omega.im;
  const k2 = k * k;
  const P = (p: number): number => p * (p - 2) - m2;
  // Q(p) = Ω² − k² + M m² − 2M p(p−1) (complex through Ω²)
  const Qre = (p: number): number => o2re - k2 + M * m2 - 2 * M * p * (p - 1);
  const S = (p: number): number => M * M * p * p + M * k2;
  let cm2re = 0, cm2im = 0; // c_{j-2}
  let cm1re = 1, cm1im = 0; // c_{j-1} (starts as c0)
  const inv = 1 / r;
  const inv2 = inv * inv;
  let pw = Math.pow(r, -p0); // r^{−(p0+2j)}
  let vre = pw, vim = 0;
  let dre = -p0 * pw * inv, dim = 0;
  // derivatives along dir: of c_{j−2}, c_{j−1}, the value and the r-derivative
  const dp = dir ? dir.p0 : 0, dm = dir ? dir.m2 : 0, lnr = Math.log(r);
  let e2re = 0, e2im = 0, e1re = 0, e1im = 0;
  let wre = -lnr * dp * pw, wim = 0;
  let xre = (-dp * pw - p0 * wre) * inv, xim = 0;
  for (let j = 1; j < maxTerms; j++) {
    const p = p0 + 2 * j;
    const pj = P(p);
    const q = Qre(p - 2);
    const s = j >= 2 ? S(p - 4) : 0;
    // c_j = −(c_{j−1} Q + c_{j−2} S) / P
    const nre = -((cm1re * q - cm1im * o2im) + cm2re * s) / pj;
    const nim = -((cm1re * o2im + cm1im * q) + cm2im * s) / pj;
    pw *= inv2;
    const tre = nre * pw, tim = nim * pw;
    if (dir) {
      // dc_j = −(dc_{j−1} Q + c_{j−1} dQ + dc_{j−2} S + c_{j−2} dS + c_j dP) / P
      const dP = (2 * p - 2) * dp - dm;
      const dQ = M * dm - 2 * M * (2 * (p - 2) - 1) * dp;
      const dS = j >= 2 ? 2 * M * M * (p - 4) * dp : 0;
      const ere = -((e1re * q - e1im * o2im) + cm1re * dQ + e2re * s + cm2re * dS + nre * dP) / pj;
      const eim = -((e1re * o2im + e1im * q) + cm1im * dQ + e2im * s + cm2im * dS + nim * dP) / pj;
      e2re = e1re; e2im = e1im;
      e1re = ere; e1im = eim;
      // d(c_j r^{−p}) = dc_j r^{−p} − ln r dp c_j r^{−p};  d(−p t/r) = (−dp t − p dt)/r
      const dtre = ere * pw - lnr * dp * tre, dtim = eim * pw - lnr * dp * tim;
      wre += dtre; wim += dtim;
      xre += (-dp * tre - p * dtre) * inv; xim += (-dp * tim - p * dtim) * inv;
    }
    cm2re = cm1re; cm2im = cm1im;
    cm1re = nre; cm1im = nim;
    vre += tre; vim += tim;
    dre += -p * tre * inv; dim += -p * tim * inv;
    if (j > 4 && Math.hypot(tre, tim) * (1 + p) < 1e-18 * Math.hypot(vre, vim)) break;
  }
  return { value: { re: vre, im: vim, dre, dim }, d: { re: wre, im: wim, dre: xre, dim: xim } };
}

/**
 * Given (R, R′) at r, solves R = A u_A + B u_B, R′ = A u_A′ + B u_B′ and returns B/A.
 */
export function matchBoverA(
  Rre: number, Rim: number, dRre: number, dRim: number,
  uA: SeriesValue, uB: SeriesValue,
): Complex {
  // B/A = (uA R' − R uA') / (R uB' − uB R')
  const numRe = uA.re * dRre - uA.im * dRim - (Rre * uA.dre - Rim * uA.dim);
  const numIm = uA.re * dRim + uA.im * dRre - (Rre * uA.dim + Rim * uA.dre);
  const denRe = Rre * uB.dre - Rim * uB.dim - (uB.re * dRre - uB.im * dRim);
  const denIm = Rre * uB.dim + Rim * uB.dre - (uB.re * dRim + uB.im * dRre);
  const d = denRe * denRe + denIm * denIm;
  return { re: (numRe * denRe + numIm * denIm) / d, im: (numIm * denRe - numRe * denIm) / d };
}
