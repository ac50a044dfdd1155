import type { CalibrationReference, ComplexValue } from '../src/contracts/calibration.ts';
import { HoloringError } from '../src/errors.ts';
import { btzChi, diskChi } from '../src/physics/closedForm.ts';
import type { Complex } from '../src/physics/complex.ts';
import { validateDelta } from '../src/physics/params.ts';
import { chiFromSites } from '../src/physics/ring.ts';
import { CalibrationErrorCodes as E } from './errors.ts';
import type { RedundantSolution } from './redundant.ts';

/**
 * Fixing the overall complex constant λ that redundant calibration leaves free
 * (docs/calibration.md, "The reference").
 *
 * `uv-ads` (default): every admissible sample is asymptotically AdS, and a mode
 * of large |k| at low ω is evanescent inside r ≈ |k|/ω, so it only sees the
 * universal near-boundary geometry. Its response is the closed form of the
 * reference geometry (the disk below T_HP; BTZ above) to better than 1e-4 for
 * |k| ≥ 8 (a 30% deformation of the interior changes χ(ω ≤ 2, k = 8) by 8e-5).
 * The calibrated profile's DFT at those (ω, k) is therefore matched to the
 * closed form: λ = weighted mean of χ_measured / χ_closed-form. It needs Δ, γ
 * and the source width (the DFT's e^{k²σ²/2} makes it sensitive to the width).
 *
 * `unit-mean`: λ = 1 with the gains' mean fixed to 1 (relative calibration:
 * the overall scale and phase of χ stay unknown).
 */
export interface ReferenceOptions {
  kind?: 'uv-ads' | 'unit-mean';
  /** "ads" or "btz:RH" (default "ads"). */
  geometry?: string;
  delta?: number;
  gamma?: number;
  kMin?: number;
  kMax?: number;
  /** Largest calibration ω used for the reference (default 2). */
  omegaMax?: number;
  /** Largest accepted χ²/dof of the per-(ω, k) estimates about their mean (default 5). */
  maxReducedChi2?: number;
  /**
   * Fit Δ too (physics.delta "auto"): `delta` is then only the start, whose
   * integer interval is searched for the Δ at which the estimates agree best.
   */
  fitDelta?: boolean;
}

export const REFERENCE_DEFAULTS = { kind: 'uv-ads', geometry: 'ads', delta: 1.5, gamma: 0.25, kMin: 8, kMax: 12, omegaMax: 2, maxReducedChi2: 5, fitDelta: false } as const;

export function referenceChi(geometry: string, delta: number, omega: Complex, k: number): Complex {
  if (geometry === 'ads') return diskChi(delta, omega, k);
  const m = /^btz:([0-9.eE+-]+)$/.exec(geometry);
  if (m && Number(m[1]) > 0) return btzChi(delta, Number(m[1]), omega, k);
  throw new HoloringError(E.REFERENCE, `reference geometry must be "ads" or "btz:RH" with RH > 0 (got "${geometry}")`, { geometry });
}

export function fixReference(sol: RedundantSolution, width: number, opts: ReferenceOptions = {}): CalibrationReference {
  const o = { ...REFERENCE_DEFAULTS, ...opts };
  if (o.kind === 'unit-mean') return { kind: 'unit-mean', factor: { re: 1, im: 0 }, sigma: 0 };
  validateDelta(o.delta);
  const n = sol.gains.length;
  if (!(Number.isInteger(o.kMin) && Number.isInteger(o.kMax) && o.kMin >= 1 && o.kMax >= o.kMin)) {
    throw new HoloringError(E.REFERENCE, `reference k range must be integers 1 ≤ kMin ≤ kMax (got ${o.kMin}..${o.kMax})`, { kMin: o.kMin, kMax: o.kMax });
  }
  if (o.kMax >= n / 2) {
    throw new HoloringError(E.REFERENCE, `reference |k| up to ${o.kMax} needs more than ${2 * o.kMax} sites (ring has ${n}); lower the reference k range or use the unit-mean reference`, { kMax: o.kMax, sites: n });
  }
  const omegas = sol.omegas.filter((w) => w <= o.omegaMax);
  if (omegas.length === 0) {
    throw new HoloringError(E.REFERENCE, `the uv-ads reference needs a calibration frequency ω ≤ ${o.omegaMax} (calibrated at ${sol.omegas.join(', ')})`, { omegas: sol.omegas });
  }
  const dft = omegas.map((w) => {
    const oi = sol.omegas.indexOf(w);
    const prof = sol.profiles[oi];
    return { w, oi, chi: chiFromSites(prof.re, prof.im, 0, width, 1, o.kMax) };
  });
  const at = (delta: number): ReferenceFit => referenceFit(sol, dft, width, o, delta);
  let fit: ReferenceFit;
  let deltaErr: number | undefined;
  if (o.fitDelta) ({ fit, deltaErr } = fitReferenceDelta(at, o.delta));
  else fit = at(o.delta);
  const { estimates, factor, wsum, reducedChi2 } = fit;
  const sigmaGains = gainPartOfSigma(sol, estimates, wsum);
  const sigmaNoise = noisePartOfSigma(sol, estimates, wsum);
  if (!Number.isFinite(factor.re) || !Number.isFinite(factor.im) || Math.hypot(factor.re, factor.im) === 0) {
    throw new HoloringError(E.REFERENCE, 'the reference factor is not finite: the calibrated response at the reference (ω, k) is unusable', {});
  }
  if (reducedChi2 > o.maxReducedChi2) {
    const check = o.fitDelta ? `check the source width and γ, or the reference geometry (Δ was fitted: ${fit.delta.toFixed(4)})` : 'check the source width, Δ and γ, or the reference geometry';
    throw new HoloringError(E.REFERENCE, `the reference is inconsistent across k (χ²/dof ${reducedChi2.toFixed(2)} > ${o.maxReducedChi2}): ${check}`, { reducedChi2, geometry: o.geometry });
  }
  return {
    kind: 'uv-ads', geometry: o.geometry, delta: fit.delta, ...(deltaErr !== undefined ? { deltaErr } : {}), gamma: o.gamma, omegas, kMin: o.kMin, kMax: o.kMax,
    factor, sigma: Math.hypot(sigmaNoise, sigmaGains), reducedChi2,
  };
}

interface Estimate { lambda: ComplexValue; sigma: number; omegaIndex: number; k: number; ref: Complex; scale: number }
interface ReferenceFit { delta: number; estimates: Estimate[]; factor: ComplexValue; wsum: number; chi2: number; reducedChi2: number }

/**
 * λ at one Δ: per (ω, k) the estimate χ_measured/χ_closed-form with its σ from
 * the profile's σ (through the DFT), their weighted mean, and the χ² of the
 * estimates about it.
 */
function referenceFit(
  sol: RedundantSolution, dft: { w: number; oi: number; chi: Complex[] }[], width: number,
  o: { geometry: string; gamma: number; kMin: number; kMax: number }, delta: number,
): ReferenceFit {
  const n = sol.gains.length;
  const estimates: Estimate[] = [];
  for (const { w, oi, chi } of dft) {
    const prof = sol.profiles[oi];
    for (let k = o.kMin; k <= o.kMax; k++) {
      const ref = referenceChi(o.geometry, delta, { re: w, im: o.gamma }, k);
      // σ per real component of the DFT at k, from the profile's σ
      const scale = ((2 * Math.PI) / n) * Math.exp((k * k * width * width) / 2);
      let v = 0;
      for (let d = 0; d < n; d++) {
        const c = Math.cos((2 * Math.PI * k * d) / n);
        v += c * c * prof.sigma[d] * prof.sigma[d];
      }
      const refAbs2 = ref.re * ref.re + ref.im * ref.im;
      const lambda = { re: (chi[k].re * ref.re + chi[k].im * ref.im) / refAbs2, im: (chi[k].im * ref.re - chi[k].re * ref.im) / refAbs2 };
      estimates.push({ lambda, sigma: (scale * Math.sqrt(v)) / Math.sqrt(refAbs2), omegaIndex: oi, k, ref, scale });
    }
  }
  let wsum = 0, lr = 0, li = 0;
  for (const e of estimates) {
    const w = 1 / (e.sigma * e.sigma);
    wsum += w;
    lr += w * e.lambda.re;
    li += w * e.lambda.im;
  }
  const factor = { re: lr / wsum, im: li / wsum };
  let chi2 = 0;
  for (const e of estimates) chi2 += ((e.lambda.re - factor.re) ** 2 + (e.lambda.im - factor.im) ** 2) / (e.sigma * e.sigma);
  const dof = 2 * estimates.length - 2;
  return { delta, estimates, factor, wsum, chi2, reducedChi2: dof > 0 ? chi2 / dof : 0 };
}

/** Scan step of the reference's Δ over its integer interval. */
const REFERENCE_DELTA_STEP = 0.01;

/**
 * Δ of the reference from the data: the Δ in (n + 0.01, n + 0.99), n = ⌊start⌋,
 * at which the estimates of λ agree best across k (their χ² is least). The
 * closed form's k-dependence at large |k|, (|k|/2)^{2Δ−2}, makes this sharp: on
 * a simulated ring at Δ = 1.62 a reference at 1.5 has χ²/dof ≈ 3300. A scan every
 * REFERENCE_DELTA_STEP, then golden-section search around the least; σ_Δ from the
 * curvature of χ² (Δχ² = 1), scaled by √(χ²/dof) when that exceeds 1. The
 * estimates at different k share the same profile points, so σ_Δ is nominal.
 */
function fitReferenceDelta(at: (delta: number) => ReferenceFit, start: number): { fit: ReferenceFit; deltaErr: number | undefined } {
  const lo = Math.floor(start) + 0.01, hi = Math.floor(start) + 0.99;
  let best = at(start);
  for (let d = lo; d <= hi + 1e-9; d += REFERENCE_DELTA_STEP) {
    const f = at(d);
    if (f.chi2 < best.chi2) best = f;
  }
  // golden section on [best − step, best + step]
  let a = Math.max(lo, best.delta - REFERENCE_DELTA_STEP), b = Math.min(hi, best.delta + REFERENCE_DELTA_STEP);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = at(c).chi2, fd = at(d).chi2;
  for (let i = 0; i < 40 && b - a > 1e-7; i++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = at(c).chi2; } else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = at(d).chi2; }
  }
  const fit = at((a + b) / 2);
  const h = 1e-4;
  const curvature = (at(fit.delta + h).chi2 - 2 * fit.chi2 + at(fit.delta - h).chi2) / (h * h);
  const deltaErr = (curvature > 0 ? Math.sqrt(2 / curvature) : Infinity) * Math.max(1, Math.sqrt(fit.reducedChi2));
  return { fit, deltaErr: Number.isFinite(deltaErr) ? deltaErr : undefined };
}

/**
 * The part of σ(λ) that comes from the relative gains' own errors: the profiles
 * are fitted with the gains, δR_p = −R_p Σ_m u_m conj(ĉ_j) δĉ_j, so λ moves by a
 * linear map of δĉ whose variance follows from the gains' covariance.
 */
function gainPartOfSigma(
  sol: RedundantSolution, estimates: { sigma: number; omegaIndex: number; k: number; ref: Complex; scale: number }[], wsum: number,
): number {
  const n = sol.gains.length;
  // δλ = Σ_j A_j δĉ_j (complex-linear)
  const ar = new Float64Array(n);
  const ai = new Float64Array(n);
  for (const e of estimates) {
    const we = 1 / (e.sigma * e.sigma) / wsum;
    const refAbs2 = e.ref.re * e.ref.re + e.ref.im * e.ref.im;
    // coefficient of δR(d) in δλ: we · scale · cos(k θ_d) / ref
    const baseR = (we * e.scale * e.ref.re) / refAbs2;
    const baseI = (-we * e.scale * e.ref.im) / refAbs2;
    const prof = sol.profiles[e.omegaIndex];
    for (let d = 0; d < n; d++) {
      const cs = Math.cos((2 * Math.PI * e.k * d) / n);
      const link = sol.links[e.omegaIndex * n + d];
      // t = coefficient · (−R_d)
      const tr = -cs * (baseR * prof.re[d] - baseI * prof.im[d]);
      const ti = -cs * (baseR * prof.im[d] + baseI * prof.re[d]);
      for (let q = 0; q < link.j.length; q++) {
        const j = link.j[q];
        const u = link.u[q];
        const g = sol.gains[j];
        // t · u · conj(ĉ_j)
        ar[j] += u * (tr * g.re + ti * g.im);
        ai[j] += u * (ti * g.re - tr * g.im);
      }
    }
  }
  // real form T = [[Ar, −Ai], [Ai, Ar]]; var = trace(T C Tᵀ) / 2 per component
  const n2 = 2 * n;
  const rowRe = new Float64Array(n2);
  const rowIm = new Float64Array(n2);
  for (let j = 0; j < n; j++) {
    rowRe[j] = ar[j];
    rowRe[n + j] = -ai[j];
    rowIm[j] = ai[j];
    rowIm[n + j] = ar[j];
  }
  const quad = (row: Float64Array): number => {
    let s = 0;
    for (let a = 0; a < n2; a++) {
      if (row[a] === 0) continue;
      let t = 0;
      for (let b = 0; b < n2; b++) t += sol.gainCovariance[a * n2 + b] * row[b];
      s += row[a] * t;
    }
    return s;
  };
  return Math.sqrt(Math.max(0, (quad(rowRe) + quad(rowIm)) / 2));
}

/**
 * The part of σ(λ) from the profiles' own noise, propagated exactly through the
 * DFT: the estimates at different k share the same profile points and are
 * strongly correlated (the noise sits where the response is large, near the source).
 */
function noisePartOfSigma(
  sol: RedundantSolution, estimates: { sigma: number; omegaIndex: number; k: number; ref: Complex; scale: number }[], wsum: number,
): number {
  const n = sol.gains.length;
  let variance = 0;
  for (const oi of new Set(estimates.map((e) => e.omegaIndex))) {
    const prof = sol.profiles[oi];
    for (let d = 0; d < n; d++) {
      let br = 0, bi = 0;
      for (const e of estimates) {
        if (e.omegaIndex !== oi) continue;
        const we = 1 / (e.sigma * e.sigma) / wsum;
        const refAbs2 = e.ref.re * e.ref.re + e.ref.im * e.ref.im;
        const cs = we * e.scale * Math.cos((2 * Math.PI * e.k * d) / n);
        br += (cs * e.ref.re) / refAbs2;
        bi -= (cs * e.ref.im) / refAbs2;
      }
      variance += (br * br + bi * bi) * prof.sigma[d] * prof.sigma[d];
    }
  }
  return Math.sqrt(variance);
}
