/**
 * The horizon network with a free complex scale κ of χ (χ_table ≈ κ·χ_network,
 * scaledKernel.ts), for tables whose overall scale comes from a calibration
 * reference: the daemon's live tables.
 *
 * Why: the reference fixes the calibration's overall complex constant to
 * ~2·10⁻⁴ (its σ), an error common to every row of the table, while a row's σ
 * is ~5·10⁻⁴ relative after a few sweeps. The horizon fit is very sensitive to
 * that constant (on a |k| ≤ 4 ring at 1% noise, |κ| − 1 = 10⁻³ moves r_h by
 * +2.8% = 7σ and arg κ = 10⁻³ by +1.7% = 5σ, with reduced χ² still near 1),
 * so without κ a reference 2–3σ off puts r_h several σ away and the quoted σ
 * does not know it. With κ free the data fix it themselves (σ_κ ≈ 9·10⁻⁵ per
 * component on that ring) and r_h's σ grows by the part of the information
 * that κ takes (~40% there).
 *
 * The posterior of the metric weights is marginal over κ: the normal matrix of
 * all weights, reduced by the Schur complement over κ (no prior on κ), is what
 * buildHorizonEstimate inverts, so f, g, r_h and T carry κ's uncertainty; κ's
 * own 1σ comes from the full posterior.
 */
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { HoloringError } from '../errors.ts';
import { spdInverse } from '../util/linalg.ts';
import { ModelErrorCodes } from './data.ts';
import { makeHorizonCheckpoint } from './horizon/checkpoint.ts';
import { buildHorizonEstimate } from './horizon/estimate.ts';
import type { HorizonFitOptions, HorizonFitResult, HorizonNetwork } from './horizon/network.ts';
import { levenbergMarquardt } from './lm.ts';
import { ScaledModes, leastSquaresScale } from './scaledKernel.ts';

/** The fitted complex scale κ with the 1σ of its real and imaginary parts. */
export interface FittedScale {
  re: number;
  im: number;
  re_err: number;
  im_err: number;
}

export type ScaledHorizonFitResult = HorizonFitResult & { scale: FittedScale };

/**
 * Fits the horizon network and a free complex scale κ of χ by Levenberg–Marquardt
 * (exact Jacobian: the network's, times κ, and ∂χ/∂κ = χ_network); leaves the
 * fitted network weights in `net` (its checkpoint then holds them; κ is not part
 * of a checkpoint, the next fit starts it from its least-squares value).
 * @returns the horizon estimate, marginal over κ, with `scale` = κ ± 1σ.
 * @throws RING_ERR_MODEL_DIVERGED when the loss is not finite.
 */
export function fitHorizonWithScale(net: HorizonNetwork, table: ResponseTable | readonly ResponsePoint[], opts: HorizonFitOptions = {}): ScaledHorizonFitResult {
  const t0 = performance.now();
  const { data, kernel } = net.prepare(table);
  const nw = net.grid.nw, nt = nw + 2, P = kernel.P;
  const scaled = new ScaledModes(kernel);
  const chi = new Float64Array(2 * P);
  const theta0 = new Float64Array(nt);
  theta0.set(net.initialTheta(opts.init, data, opts.rhGuess));
  // κ starts at its least-squares value, so a warm start keeps the scale the previous fit found
  const ls = leastSquaresScale(kernel.forward(theta0.subarray(0, nw), chi), data);
  const k0 = Number.isFinite(ls.re) && Number.isFinite(ls.im) ? ls : { re: 1, im: 0 };
  theta0[nw] = k0.re - 1;
  theta0[nw + 1] = k0.im;
  // the network's smoothness prior; none on κ
  const prior = new Float64Array(nt * nt);
  for (let i = 0; i < nw; i++) prior.set(net.prior.subarray(i * nw, (i + 1) * nw), i * nt);
  const res = levenbergMarquardt(
    { n: nt, prior, normal: (theta, A, b) => scaled.normal(theta, data.chi, data.invSigma, chi, A, b) },
    theta0,
    { ...opts.lm, onIteration: opts.onIteration },
  );
  if (!Number.isFinite(res.loss)) throw new HoloringError(ModelErrorCodes.DIVERGED, 'the horizon fit (with a free scale) produced a non-finite loss', {});
  const theta = res.theta.slice(0, nw);
  net.restore(makeHorizonCheckpoint(net.grid, net.delta, net.lambda, theta, data.fingerprint));
  const { Aeff, scaleCov } = marginalOverScale(res.A, prior, nw);
  const est = buildHorizonEstimate(net.grid, theta, Aeff, net.prior, {
    chi2: res.chi2, loss: res.loss, iterations: res.iterations, evaluations: res.evaluations, converged: res.converged,
    // κ's two weights have no prior: each takes one degree of freedom
    residuals: 2 * P - 2, omegaMax: data.omegaMax,
  });
  const scale = { re: 1 + res.theta[nw], im: res.theta[nw + 1], re_err: Math.sqrt(Math.max(0, scaleCov[0])), im_err: Math.sqrt(Math.max(0, scaleCov[3])) };
  return { ...est, delta: net.delta, layers: net.grid.N, nodes: net.grid.K, fingerprint: data.fingerprint, noiseless: data.noiseless, elapsedMs: performance.now() - t0, scale };
}

/**
 * The normal matrix of the first nw weights with the last two (κ, no prior)
 * integrated out: A_mm − A_mκ (A_κκ)⁻¹ A_κm, so that (A_eff + R)⁻¹ is the marginal
 * posterior of the metric weights; and κ's 2 × 2 posterior covariance (row-major).
 * @throws RING_ERR_MODEL_DIVERGED when the posterior is singular.
 */
export function marginalOverScale(A: Float64Array, prior: Float64Array, nw: number): { Aeff: Float64Array; scaleCov: Float64Array } {
  const nt = nw + 2;
  const a = A[nw * nt + nw], b = A[nw * nt + nw + 1], d = A[(nw + 1) * nt + nw + 1];
  const det = a * d - b * b;
  const H = new Float64Array(nt * nt);
  for (let i = 0; i < nt * nt; i++) H[i] = A[i] + prior[i];
  const C = spdInverse(H, nt);
  if (!(det > 0) || !C) throw new HoloringError(ModelErrorCodes.DIVERGED, 'the posterior with a free scale is singular: the fit did not converge to a usable point', {});
  const inv = [d / det, -b / det, -b / det, a / det];
  const Aeff = new Float64Array(nw * nw);
  for (let i = 0; i < nw; i++) {
    const ui0 = A[i * nt + nw], ui1 = A[i * nt + nw + 1];
    const wi0 = inv[0] * ui0 + inv[1] * ui1, wi1 = inv[2] * ui0 + inv[3] * ui1;
    for (let j = 0; j < nw; j++) Aeff[i * nw + j] = A[i * nt + j] - (wi0 * A[j * nt + nw] + wi1 * A[j * nt + nw + 1]);
  }
  return { Aeff, scaleCov: Float64Array.of(C[nw * nt + nw], C[nw * nt + nw + 1], C[(nw + 1) * nt + nw], C[(nw + 1) * nt + nw + 1]) };
}
