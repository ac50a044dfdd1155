/**
 * Levenberg–Marquardt in trust-region form for the regularised least-squares
 * loss F(θ) = χ²(θ) + θᵀRθ (R = λLᵀL, the smoothness prior). Each accepted
 * step costs one fused pass (residuals + normal equations at the new θ); the
 * first steps are bounded by the trust radius, which is what keeps the fit from
 * pure AdS out of spurious stationary points that undamped Gauss–Newton finds.
 */
import { symmetrize, trustRegionStep } from '../util/linalg.ts';

export interface LsqProblem {
  /** Number of weights. */
  n: number;
  /** At θ: fills A (upper triangle of JᵀJ) and b (Jᵀr); returns χ² = Σ r². */
  normal(theta: Float64Array, A: Float64Array, b: Float64Array): number;
  /** Prior matrix R (full, n × n). */
  prior: Float64Array;
}

export interface LmOptions {
  /** Initial trust radius in the weights (2-norm, default 1). */
  radius0?: number;
  /** Stop when an accepted step lowers F by less than ftol·F (default 1e-7). */
  ftol?: number;
  /** Stop when ‖step‖ < xtol (xtol + ‖θ‖) (default 1e-8). */
  xtol?: number;
  /** Stop when max |∇F|/2 < gtol (default 1e-10). */
  gtol?: number;
  /** Maximum number of fused passes (default 60). */
  maxEvaluations?: number;
  onIteration?: (info: LmIteration) => void;
}

export interface LmIteration {
  iteration: number;
  evaluations: number;
  loss: number;
  chi2: number;
  radius: number;
  accepted: boolean;
}

export interface LmResult {
  theta: Float64Array;
  loss: number;
  chi2: number;
  /** JᵀJ (full) at the solution. */
  A: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: 'ftol' | 'xtol' | 'gtol' | 'maxEvaluations';
}

export const LM_DEFAULTS = { radius0: 1, ftol: 1e-7, xtol: 1e-8, gtol: 1e-10, maxEvaluations: 60 } as const;

function priorTerms(R: Float64Array, n: number, theta: Float64Array, Rt: Float64Array): number {
  let q = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += R[i * n + j] * theta[j];
    Rt[i] = s;
    q += s * theta[i];
  }
  return q;
}

export function levenbergMarquardt(prob: LsqProblem, theta0: ArrayLike<number>, opts: LmOptions = {}): LmResult {
  const o = { ...LM_DEFAULTS, ...opts };
  const n = prob.n, R = prob.prior;
  let theta = Float64Array.from(theta0);
  let A = new Float64Array(n * n), b = new Float64Array(n);
  let At = new Float64Array(n * n), bt = new Float64Array(n);
  const Rt = new Float64Array(n);
  const H = new Float64Array(n * n);
  const g = new Float64Array(n);
  let chi2 = prob.normal(theta, A, b);
  let loss = chi2 + priorTerms(R, n, theta, Rt);
  let evaluations = 1;
  let iterations = 0;
  let radius = o.radius0;
  let reason: LmResult['reason'] = 'maxEvaluations';
  o.onIteration?.({ iteration: 0, evaluations, loss, chi2, radius, accepted: true });
  while (evaluations < o.maxEvaluations) {
    symmetrize(A, n);
    priorTerms(R, n, theta, Rt);
    let gmax = 0;
    for (let i = 0; i < n; i++) {
      g[i] = b[i] + Rt[i];
      gmax = Math.max(gmax, Math.abs(g[i]));
      for (let j = 0; j < n; j++) H[i * n + j] = A[i * n + j] + R[i * n + j];
    }
    if (gmax < o.gtol) {
      reason = 'gtol';
      break;
    }
    const { p } = trustRegionStep(H, g, n, radius);
    let pn = 0, tn = 0, gp = 0, pHp = 0;
    for (let i = 0; i < n; i++) {
      pn += p[i] * p[i];
      tn += theta[i] * theta[i];
      gp += g[i] * p[i];
      let s = 0;
      for (let j = 0; j < n; j++) s += H[i * n + j] * p[j];
      pHp += p[i] * s;
    }
    pn = Math.sqrt(pn);
    tn = Math.sqrt(tn);
    const predicted = -(2 * gp + pHp);
    const trial = theta.map((v, i) => v + p[i]);
    const chi2t = prob.normal(trial, At, bt);
    evaluations++;
    const losst = chi2t + priorTerms(R, n, trial, Rt);
    const actual = loss - losst;
    const ratio = predicted > 0 ? actual / predicted : -1;
    if (ratio < 0.25 || !Number.isFinite(losst)) radius = 0.25 * pn;
    else if (ratio > 0.75 && pn > 0.95 * radius) radius *= 2;
    const accepted = Number.isFinite(losst) && actual > 0;
    if (accepted) {
      iterations++;
      [theta, A, b, At, bt] = [trial, At, bt, A, b];
      chi2 = chi2t;
      loss = losst;
    }
    o.onIteration?.({ iteration: iterations, evaluations, loss, chi2, radius, accepted });
    if (accepted && actual < o.ftol * loss && ratio > 0.25) {
      reason = 'ftol';
      break;
    }
    if (pn < o.xtol * (o.xtol + tn)) {
      reason = 'xtol';
      break;
    }
  }
  symmetrize(A, n);
  return { theta, loss, chi2, A, iterations, evaluations, converged: reason !== 'maxEvaluations', reason };
}
