/**
 * From fitted weights to the metric estimate the dashboard shows: f, g on a fine
 * radial grid, their 1σ errors from the Gauss–Newton posterior
 * C = (JᵀJ + λLᵀL)⁻¹ (J weighted by 1/σ), the reduced χ², and the radial
 * resolution the data support. θ may carry parameters beyond the nw spline
 * weights (a free Δ): C then spans all of them, so the bands of f and g are
 * marginal over those too.
 */
import { HoloringError } from '../errors.ts';
import { ModelErrorCodes } from './data.ts';
import type { NetworkGrid } from './grid.ts';
import { spdInverse } from '../util/linalg.ts';

export interface MetricEstimate {
  /** Radii from 0 to OUTPUT_R_MAX (α = β = 0 beyond r_c). */
  r: number[];
  f: number[];
  g: number[];
  /** 1σ errors of f and g. */
  f_err: number[];
  g_err: number[];
  /** Smallest radial scale Δr the data resolve at each r. */
  resolution: number[];
  /** Weights at the K nodes (full, including the fixed entries) and the node radii. */
  alpha: number[];
  beta: number[];
  nodes_r: number[];
  /** Reduced χ² = χ²/(2P − ν), ν = tr(JᵀJ·C) the effective number of parameters. */
  chi2: number;
  /** Raw χ² (data term) and the full loss (χ² + prior). */
  chi2_total: number;
  loss: number;
  dof: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

export const OUTPUT_R_MAX = 8;
export const OUTPUT_DR = 0.025;

/** Data resolution in ρ = arctan r: a quarter wavelength π/(2|Ω|max), never finer than two node spacings. */
export function resolutionRho(omegaMax: number, H: number): number {
  return Math.max(Math.PI / (2 * omegaMax), 2 * H);
}

/**
 * The estimate at θ (n ≥ nw parameters; A = JᵀJ and the prior are n × n, full). Also
 * returns `paramErr`, the 1σ of every parameter (√C_ii). Throws
 * RING_ERR_MODEL_DIVERGED when JᵀJ + prior is singular.
 */
export function buildEstimate(
  grid: NetworkGrid,
  theta: Float64Array,
  A: Float64Array,
  prior: Float64Array,
  fit: { chi2: number; loss: number; iterations: number; evaluations: number; converged: boolean; residuals: number; omegaMax: number },
): MetricEstimate & { paramErr: number[] } {
  const n = theta.length, nw = grid.nw;
  const Hm = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) Hm[i] = A[i] + prior[i];
  const C = spdInverse(Hm, n);
  if (!C) throw new HoloringError(ModelErrorCodes.DIVERGED, 'the posterior matrix JᵀJ + λLᵀL is singular: the fit did not converge to a usable point', {});
  // effective parameters ν = tr(A C)
  let nu = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) nu += A[i * n + j] * C[j * n + i];
  const dof = Math.max(1, fit.residuals - nu);
  const { alpha, beta } = grid.nodeValues(theta);
  const rows = Math.round(OUTPUT_R_MAX / OUTPUT_DR) + 1;
  const out = { r: [] as number[], f: [] as number[], g: [] as number[], f_err: [] as number[], g_err: [] as number[], resolution: [] as number[] };
  const dRho = resolutionRho(fit.omegaMax, grid.H);
  const Cb = new Float64Array(n);
  const quad = (b: Float64Array): number => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += C[i * n + j] * b[j];
      Cb[i] = s;
    }
    let q = 0;
    for (let i = 0; i < n; i++) q += b[i] * Cb[i];
    return Math.max(0, q);
  };
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    const r = i * OUTPUT_DR;
    const basis = grid.basisAt(r);
    a.set(basis.a);
    b.set(basis.b);
    let al = 0, be = 0;
    for (let j = 0; j < nw; j++) {
      al += a[j] * theta[j];
      be += b[j] * theta[j];
    }
    const base = 1 + r * r;
    const f = base * Math.exp(al), g = base * Math.exp(be);
    out.r.push(r);
    out.f.push(f);
    out.g.push(g);
    out.f_err.push(f * Math.sqrt(quad(a)));
    out.g_err.push(g * Math.sqrt(quad(b)));
    // Δr = Δρ·dr/dρ = Δρ (1 + r²)
    out.resolution.push(dRho * base);
  }
  return {
    ...out,
    alpha: Array.from(alpha),
    beta: Array.from(beta),
    nodes_r: grid.nodeRadii(),
    paramErr: Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(0, C[i * n + i]))),
    chi2: fit.chi2 / dof,
    chi2_total: fit.chi2,
    loss: fit.loss,
    dof,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: fit.converged,
  };
}
