/**
 * A free complex scale κ of χ (χ_table ≈ κ·χ_network, scaledKernel.ts) in the
 * horizon network's fit (HorizonNetwork with `freeScale`), for tables whose
 * overall scale comes from a calibration reference: the daemon's live tables,
 * and tables exported from runs (`reconstruct --free-scale`).
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
 *
 * With κ free, the part of a row's σ that is the reference's common error
 * (ResponsePoint.sigmaCommon) is κ's to carry: the fit weighs rows by the rest
 * (data.ts, prepareData with `freeScale`), or it would count that error twice.
 */
import { HoloringError } from '../errors.ts';
import { spdInverse } from '../util/linalg.ts';
import { ModelErrorCodes } from './data.ts';

/** The fitted complex scale κ with the 1σ of its real and imaginary parts. */
export interface FittedScale {
  re: number;
  im: number;
  re_err: number;
  im_err: number;
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
