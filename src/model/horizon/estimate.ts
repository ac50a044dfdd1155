/**
 * From fitted horizon-network weights to what the dashboard and `reconstruct`
 * report: r_h ± σ, the Hawking temperature T = √(f′(r_h)g′(r_h))/4π =
 * r_h e^{(α_h+β_h)/2}/2π ± σ, f and g from the horizon outwards with 1σ bands
 * from the posterior C = (JᵀJ + λLᵀL)⁻¹, and the reduced χ².
 */
import { HoloringError } from '../../errors.ts';
import { cholesky, spdInverse, symmetricEigen } from '../../util/linalg.ts';
import { ModelErrorCodes } from '../data.ts';
import { OUTPUT_DR, OUTPUT_R_MAX } from '../estimate.ts';
import type { HorizonGrid } from './grid.ts';

export interface HorizonEstimate {
  geometry: 'horizon';
  /** Radii from r_h outwards (α = β = 0 beyond r_c). */
  r: number[];
  f: number[];
  g: number[];
  f_err: number[];
  g_err: number[];
  /** Smallest radial scale Δr the data resolve at each r (structure narrower is smoothed). */
  resolution: number[];
  /** Horizon radius r_h ± 1σ. */
  rh: number;
  rh_err: number;
  /** Hawking temperature T = √(f′(r_h)g′(r_h))/4π ± 1σ (units v/R; T_HP = 1/2π). */
  temperature: number;
  temperature_err: number;
  /** α, β at the K nodes (α_{K−1} = β_{K−1} = 0), their slopes dα/dr, dβ/dr at the horizon, node radii. */
  alpha: number[];
  beta: number[];
  alpha_slope: number;
  beta_slope: number;
  nodes_r: number[];
  chi2: number;
  chi2_total: number;
  loss: number;
  dof: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

/** Posterior C = (A + R)⁻¹ and the effective number of parameters ν = tr(AC). */
export function posterior(A: Float64Array, prior: Float64Array, n: number): { C: Float64Array; nu: number } {
  const Hm = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) Hm[i] = A[i] + prior[i];
  const C = spdInverse(Hm, n);
  if (!C) throw new HoloringError(ModelErrorCodes.DIVERGED, 'the posterior matrix JᵀJ + λLᵀL is singular: the fit did not converge to a usable point', {});
  let nu = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) nu += A[i * n + j] * C[j * n + i];
  return { C, nu };
}

/** ln pdet(R): the sum of the logs of R's eigenvalues above 10⁻⁹ of the largest (R symmetric n × n, ≥ 0). */
export function logPseudoDet(R: Float64Array, n: number): number {
  const { values } = symmetricEigen(R, n);
  const top = values[n - 1];
  let s = 0;
  for (const v of values) if (v > 1e-9 * top) s += Math.log(v);
  return s;
}

/**
 * Laplace log evidence of a fit: −½ loss − ½ ln det(A + R) + ½ ln pdet(R), with A = JᵀJ
 * (n × n) at the optimum and `logPdetPrior` = ln pdet(R). NaN if A + R is not positive
 * definite.
 */
export function laplaceLogEvidence(loss: number, A: Float64Array, prior: Float64Array, n: number, logPdetPrior: number): number {
  const H = new Float64Array(n * n), L = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) H[i] = A[i] + prior[i];
  if (!cholesky(H, n, 0, L)) return NaN;
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(L[i * n + i]);
  return -0.5 * loss - 0.5 * logDet + 0.5 * logPdetPrior;
}

/** bᵀCb (≥ 0). */
export function quadForm(C: Float64Array, b: ArrayLike<number>, n: number): number {
  let q = 0;
  for (let i = 0; i < n; i++) {
    if (b[i] === 0) continue;
    let s = 0;
    for (let j = 0; j < n; j++) s += C[i * n + j] * b[j];
    q += b[i] * s;
  }
  return Math.max(0, q);
}

/**
 * α(r) (fn = 0) or β(r) (fn = 1) of the horizon network at radius r ≥ r_h (same
 * units as r_h), and into `grad` (length nw) its gradient over θ at fixed r: the
 * node weights through the spline at ρ = arctan(r/r_h), and ln r_h through the
 * move of ρ with r_h (dρ/d ln r_h = −(r/r_h)/(1 + r²/r_h²)). The factor
 * r² − r_h² of f = (r² − r_h²)e^α adds −2r_h²/(r² − r_h²) to ∂ln f/∂ln r_h.
 */
export function alphaGradient(grid: HorizonGrid, theta: ArrayLike<number>, r: number, fn: 0 | 1, grad: Float64Array): number {
  const K = grid.K, rh = Math.exp(theta[grid.iq]);
  const ratio = r / rh;
  const { c, d } = grid.basisAt(Math.atan(ratio));
  const off = fn * K;
  let al = 0, slope = 0;
  grad.fill(0);
  for (let j = 0; j < K; j++) {
    al += c[j] * theta[off + j];
    slope += d[j] * theta[off + j];
    grad[off + j] = c[j];
  }
  grad[grid.iq] = (slope * -ratio) / (1 + ratio * ratio);
  return al;
}

/** r_h beyond this (units v/R; the start scan covers 0.3–6) is a fit that ran away, not an estimate. */
export const MAX_HORIZON_RADIUS = 1e3;

export function buildHorizonEstimate(
  grid: HorizonGrid,
  theta: Float64Array,
  A: Float64Array,
  prior: Float64Array,
  fit: { chi2: number; loss: number; iterations: number; evaluations: number; converged: boolean; residuals: number; omegaMax: number },
): HorizonEstimate {
  const n = grid.nw, K = grid.K, iq = grid.iq;
  const { C, nu } = posterior(A, prior, n);
  const dof = Math.max(1, fit.residuals - nu);
  const rh = Math.exp(theta[iq]);
  // a fit that ran r_h away (a table the horizon does not describe, e.g. at a wrong Δ) would lay out rh·r_c/r_h / OUTPUT_DR radii
  if (!(rh < MAX_HORIZON_RADIUS)) throw new HoloringError(ModelErrorCodes.DIVERGED, `the horizon fit ran r_h away to ${rh.toPrecision(3)} (units v/R): the horizon network does not describe this table (check Δ and the geometry)`, { rh });
  const T = (rh * Math.exp(0.5 * (theta[0] + theta[K]))) / (2 * Math.PI);
  const gT = new Float64Array(n);
  gT[iq] = T;
  gT[0] = 0.5 * T;
  gT[K] = 0.5 * T;
  const out = { r: [] as number[], f: [] as number[], g: [] as number[], f_err: [] as number[], g_err: [] as number[], resolution: [] as number[] };
  const rEnd = Math.max(OUTPUT_R_MAX, rh * grid.shape.rCRatio);
  const dRstar = Math.PI / (2 * fit.omegaMax);
  const grad = new Float64Array(n);
  // r_h, then the output grid's radii above it
  const radii = [rh];
  for (let j = Math.floor(rh / OUTPUT_DR + 1e-9) + 1; j * OUTPUT_DR <= rEnd + 1e-12; j++) radii.push(j * OUTPUT_DR);
  for (const r of radii) {
    const z = (r - rh) * (r + rh);
    for (const [fn, arr, err] of [[0, out.f, out.f_err], [1, out.g, out.g_err]] as const) {
      const e = Math.exp(alphaGradient(grid, theta, r, fn, grad));
      // δf = e^α [z δα − 2 r_h² δq], δα including the move of the nodes with r_h
      for (let j = 0; j < n; j++) grad[j] *= z;
      grad[iq] -= 2 * rh * rh;
      arr.push(z * e);
      err.push(e * Math.sqrt(quadForm(C, grad, n)));
    }
    out.r.push(r);
    out.resolution.push(Math.max(dRstar * z, (2 * grid.H * (r * r + rh * rh)) / rh));
  }
  const alpha = Array.from({ length: K }, (_, j) => (j < K - 1 ? theta[j] : 0));
  const beta = Array.from({ length: K }, (_, j) => (j < K - 1 ? theta[K + j] : 0));
  // H·slope in ρ → d/dr at the horizon: dρ/dr = 1/(2 r_h) there
  const toR = 1 / (grid.H * 2 * rh);
  return {
    geometry: 'horizon',
    ...out,
    rh,
    rh_err: rh * Math.sqrt(Math.max(0, C[iq * n + iq])),
    temperature: T,
    temperature_err: Math.sqrt(quadForm(C, gT, n)),
    alpha,
    beta,
    alpha_slope: theta[K - 1] * toR,
    beta_slope: theta[2 * K - 1] * toR,
    nodes_r: grid.nodeRatios().map((x) => x * rh),
    chi2: fit.chi2 / dof,
    chi2_total: fit.chi2,
    loss: fit.loss,
    dof,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: fit.converged,
  };
}
