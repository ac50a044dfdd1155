import type { ComplexValue } from '../src/contracts/calibration.ts';
import { choleskySolve, pseudoInverse, symmetricEigen } from '../src/util/linalg.ts';
import type { PreparedData } from './data.ts';

/**
 * Redundant calibration of the ring (physics.md §7). The ideal ring is
 * rotation-invariant, so the offset-free reading of site j with the source at
 * site s and drive ω is
 *     Z_j(s, ω) = c_j · R_ω((j − s) mod N)
 * with one unknown profile R_ω per drive frequency. Weighted nonlinear least
 * squares (Gauss–Newton with the profiles eliminated exactly: for fixed gains
 * they are a linear fit, and the gain step uses the Schur complement of the
 * normal matrix) gives the gains up to one overall complex constant, fixed here
 * by Σ_j c_j / N = 1 (the reference step rescales it afterwards).
 */

export interface RedundantSolution {
  /** Relative gains ĉ_j (mean 1). */
  gains: ComplexValue[];
  /** 1σ per real component of each relative gain (overall constant excluded). */
  gainSigma: number[];
  /** Drive frequencies of the profiles. */
  omegas: number[];
  /** Per ω: the response profile R_ω(d) at relative site d = 0..N−1, per unit amplitude (in the mean-1 gauge). */
  profiles: { re: Float64Array; im: Float64Array; sigma: Float64Array }[];
  chi2: number;
  dof: number;
  maxNormalized: number;
  perSite: number[];
  /** λ_max / λ_min of the gain normal matrix with the two overall-constant directions removed. */
  condition: number;
  iterations: number;
  /** Covariance of the relative gains, real form [Re ĉ; Im ĉ] (2N × 2N, row-major), overall constant excluded. */
  gainCovariance: Float64Array;
  /** Per profile p = ωIndex·N + d: the sites measuring it and their weights w/Σw|c|² (for error propagation). */
  links: { j: Int32Array; u: Float64Array }[];
}

interface Measurement {
  j: number;
  p: number;
  zr: number;
  zi: number;
  w: number;
}

export function solveRedundant(data: PreparedData, opts: { maxIterations?: number; tolerance?: number } = {}): RedundantSolution {
  const n = data.sites;
  const omegas = [...new Set(data.settings.map((s) => s.omega))].sort((a, b) => a - b);
  const oIndex = new Map(omegas.map((o, i) => [o, i]));
  const nP = omegas.length * n;
  const { relative, floor } = data.noise;
  const ms: Measurement[] = [];
  for (const s of data.settings) {
    const oi = oIndex.get(s.omega)!;
    const a2 = s.amplitude * s.amplitude;
    for (let j = 0; j < n; j++) {
      const zr = s.re[j];
      const zi = s.im[j];
      const single = relative * relative * (zr * zr + zi * zi) * a2 + floor * floor;
      const offVar = 2 * data.offsetSigma[j] * data.offsetSigma[j];
      // never below a relative 1e-9 (exact, simulated data: rounding and the closed form's own accuracy)
      const varC = (single / s.frames + offVar) / a2 + 1e-18 * (zr * zr + zi * zi) + 1e-300;
      const d = (((j - s.sourceSite) % n) + n) % n;
      ms.push({ j, p: oi * n + d, zr, zi, w: 1 / varC });
    }
  }
  const cr = new Float64Array(n).fill(1);
  const ci = new Float64Array(n);
  const rr = new Float64Array(nP);
  const ri = new Float64Array(nP);
  const dpp = new Float64Array(nP);
  const byP: number[][] = Array.from({ length: nP }, () => []);
  ms.forEach((m, idx) => byP[m.p].push(idx));

  const fitProfiles = (): void => {
    rr.fill(0);
    ri.fill(0);
    dpp.fill(0);
    for (const m of ms) {
      // R_p = Σ w conj(c_j) Z / Σ w |c_j|²
      const a = cr[m.j], b = ci[m.j];
      rr[m.p] += m.w * (a * m.zr + b * m.zi);
      ri[m.p] += m.w * (a * m.zi - b * m.zr);
      dpp[m.p] += m.w * (a * a + b * b);
    }
    for (let p = 0; p < nP; p++) {
      if (dpp[p] > 0) {
        rr[p] /= dpp[p];
        ri[p] /= dpp[p];
      }
    }
  };

  /** Real form [[Sr, −Si], [Si, Sr]] of the Schur complement and the real gradient. */
  const normalSystem = (): { m: Float64Array; g: Float64Array } => {
    const sr = new Float64Array(n * n);
    const si = new Float64Array(n * n);
    const gr = new Float64Array(n);
    const gi = new Float64Array(n);
    for (const m of ms) {
      const Rr = rr[m.p], Ri = ri[m.p];
      sr[m.j * n + m.j] += m.w * (Rr * Rr + Ri * Ri);
      const resR = m.zr - (cr[m.j] * Rr - ci[m.j] * Ri);
      const resI = m.zi - (cr[m.j] * Ri + ci[m.j] * Rr);
      gr[m.j] += m.w * (Rr * resR + Ri * resI);
      gi[m.j] += m.w * (Rr * resI - Ri * resR);
    }
    for (let p = 0; p < nP; p++) {
      const list = byP[p];
      if (list.length === 0 || dpp[p] === 0) continue;
      const br: number[] = [];
      const bi: number[] = [];
      for (const idx of list) {
        const m = ms[idx];
        // b_j = w conj(R_p) c_j
        br.push(m.w * (rr[p] * cr[m.j] + ri[p] * ci[m.j]));
        bi.push(m.w * (rr[p] * ci[m.j] - ri[p] * cr[m.j]));
      }
      for (let u = 0; u < list.length; u++) {
        const ju = ms[list[u]].j;
        for (let v = 0; v < list.length; v++) {
          const jv = ms[list[v]].j;
          // b_u conj(b_v) / D_pp
          sr[ju * n + jv] -= (br[u] * br[v] + bi[u] * bi[v]) / dpp[p];
          si[ju * n + jv] -= (bi[u] * br[v] - br[u] * bi[v]) / dpp[p];
        }
      }
    }
    const n2 = 2 * n;
    const mReal = new Float64Array(n2 * n2);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const vr = sr[a * n + b], vi = si[a * n + b];
        mReal[a * n2 + b] = vr;
        mReal[a * n2 + n + b] = -vi;
        mReal[(n + a) * n2 + b] = vi;
        mReal[(n + a) * n2 + n + b] = vr;
      }
    }
    const g = new Float64Array(n2);
    g.set(gr, 0);
    g.set(gi, n);
    return { m: mReal, g };
  };

  const maxIt = opts.maxIterations ?? 30;
  const tol = opts.tolerance ?? 1e-10;
  const n2 = 2 * n;
  let iterations = 0;
  for (; iterations < maxIt; iterations++) {
    fitProfiles();
    const { m, g } = normalSystem();
    // the overall constant is a null direction of m: pin it with a penalty and solve by Cholesky
    addGaugePenalty(m, cr, ci);
    const step = choleskySolve(m, g, n2);
    if (!step) break;
    let maxStep = 0;
    for (let j = 0; j < n; j++) {
      cr[j] += step[j];
      ci[j] += step[n + j];
      maxStep = Math.max(maxStep, Math.hypot(step[j], step[n + j]));
    }
    normaliseGauge(cr, ci);
    if (maxStep < tol) {
      iterations++;
      break;
    }
  }
  fitProfiles();
  const { m } = normalSystem();
  const eig = symmetricEigen(m, n2);
  const cov = pseudoInverse(eig, 2);
  const lmax = eig.values[n2 - 1];
  const lmin = eig.values[2];
  const condition = lmin > 0 ? lmax / lmin : Infinity;

  let chi2 = 0;
  let maxNormalized = 0;
  const siteChi2 = new Float64Array(n);
  const siteCount = new Float64Array(n);
  for (const mm of ms) {
    const resR = mm.zr - (cr[mm.j] * rr[mm.p] - ci[mm.j] * ri[mm.p]);
    const resI = mm.zi - (cr[mm.j] * ri[mm.p] + ci[mm.j] * rr[mm.p]);
    // per real component σ² = 1/(2w)
    const c2 = 2 * mm.w * (resR * resR + resI * resI);
    chi2 += c2;
    siteChi2[mm.j] += c2;
    siteCount[mm.j] += 2;
    maxNormalized = Math.max(maxNormalized, Math.sqrt(2 * mm.w) * Math.max(Math.abs(resR), Math.abs(resI)));
  }
  const usedP = byP.filter((l) => l.length > 0).length;
  const dof = 2 * ms.length - 2 * (n + usedP - 1);
  // sites' share of the parameters, for a per-site reduced χ²
  const perSite = Array.from(siteChi2, (v, j) => v / Math.max(1, siteCount[j] * (dof / (2 * ms.length))));
  const gains: ComplexValue[] = [];
  const gainSigma: number[] = [];
  for (let j = 0; j < n; j++) {
    gains.push({ re: cr[j], im: ci[j] });
    gainSigma.push(Math.sqrt(Math.max(0, (cov[j * n2 + j] + cov[(n + j) * n2 + n + j]) / 4)));
  }
  const profiles = omegas.map((_, oi) => {
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    const sigma = new Float64Array(n);
    for (let d = 0; d < n; d++) {
      const p = oi * n + d;
      re[d] = rr[p];
      im[d] = ri[p];
      sigma[d] = dpp[p] > 0 ? Math.sqrt(1 / (2 * dpp[p])) : Infinity;
    }
    return { re, im, sigma };
  });
  const gainCovariance = cov.map((v) => v / 2);
  const links = byP.map((list, p) => ({ j: Int32Array.from(list, (idx) => ms[idx].j), u: Float64Array.from(list, (idx) => (dpp[p] > 0 ? ms[idx].w / dpp[p] : 0)) }));
  return { gains, gainSigma, omegas, profiles, chi2, dof, maxNormalized, perSite, condition, iterations, gainCovariance, links };
}

/** Adds μ(v₁v₁ᵀ + v₂v₂ᵀ), v₁ = c/|c| and v₂ = i·c/|c| in real form, μ = mean diagonal. */
function addGaugePenalty(m: Float64Array, cr: Float64Array, ci: Float64Array): void {
  const n = cr.length;
  const n2 = 2 * n;
  let norm = 0;
  let trace = 0;
  for (let j = 0; j < n; j++) norm += cr[j] * cr[j] + ci[j] * ci[j];
  for (let a = 0; a < n2; a++) trace += m[a * n2 + a];
  const mu = trace / n2 / norm;
  const v1 = new Float64Array(n2);
  const v2 = new Float64Array(n2);
  for (let j = 0; j < n; j++) {
    v1[j] = cr[j];
    v1[n + j] = ci[j];
    v2[j] = -ci[j];
    v2[n + j] = cr[j];
  }
  for (let a = 0; a < n2; a++) {
    for (let b = 0; b < n2; b++) m[a * n2 + b] += mu * (v1[a] * v1[b] + v2[a] * v2[b]);
  }
}

/** Rescales the gains so that their mean is 1 (the profiles are refitted afterwards). */
function normaliseGauge(cr: Float64Array, ci: Float64Array): void {
  const n = cr.length;
  let mr = 0, mi = 0;
  for (let j = 0; j < n; j++) {
    mr += cr[j] / n;
    mi += ci[j] / n;
  }
  const d = mr * mr + mi * mi;
  if (!(d > 0)) return;
  for (let j = 0; j < n; j++) {
    const a = cr[j], b = ci[j];
    cr[j] = (a * mr + b * mi) / d;
    ci[j] = (b * mr - a * mi) / d;
  }
}
