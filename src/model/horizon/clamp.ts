/**
 * Where the horizon network's α, β are clamped to zero (r_c), chosen per fit by
 * the Laplace evidence. r_c = 3 r_h suits deformations within ~2 r_h (the
 * evidence of the default-grid targets is highest there, and σ(r_h) is smallest);
 * a deformation further out cannot be described inside 3 r_h and the clamp then
 * buys a good-looking χ² with a wrong r_h. So the fit runs at 3 r_h, then at wider
 * clamps warm-started from the previous fit (α, β resampled through its spline,
 * r_h kept), and keeps the clamp of the highest evidence:
 *
 *   ln Z = −½ F(θ̂) − ½ ln det(JᵀJ + R) + ½ ln pdet(R)
 *
 * (F = χ² + θᵀRθ the loss at the optimum, R = λLᵀL the smoothness prior, pdet its
 * product of non-zero eigenvalues; estimate.ts, laplaceLogEvidence; the flat prior on ln r_h is the same for every
 * clamp and drops out; MacKay 1992, "Bayesian interpolation", eq. 4.7.)
 */
import type { ResponsePoint, ResponseTable } from '../../contracts/response.ts';
import { type HorizonFitOptions, type HorizonFitResult, type HorizonNetwork, createHorizonNetwork } from './network.ts';

/** r_c/r_h of the first fit, and of the first wider one. */
export const RC_FIRST = 3;
export const RC_WIDER = 4.5;
/** The widest clamp in data units: the disk network's reach (r = 6), as r_c/r_h in [RC_WIDER + 0.5, RC_MAX_RATIO]. */
export const RC_REACH = 6;
export const RC_MAX_RATIO = 6;

/** The clamps r_c/r_h tried after RC_FIRST for a first fit at r_h (in data units). */
export function widerClamps(rh: number, rMaxRatio: number): number[] {
  const reach = Math.min(RC_MAX_RATIO, rMaxRatio - 1, RC_REACH / rh);
  return reach >= RC_WIDER + 0.5 ? [RC_WIDER, reach] : [RC_WIDER];
}

export interface ClampTrial {
  /** r_c/r_h, and r_c in data units. */
  ratio: number;
  rc: number;
  rh: number;
  log_evidence: number;
  chi2: number;
  evaluations: number;
}

export interface ClampedHorizonFit {
  net: HorizonNetwork;
  fit: HorizonFitResult;
  /** The clamps tried, in order; the picked one has the highest log_evidence. */
  trials: ClampTrial[];
}

/**
 * Fits at r_c = 3 r_h (from `opts.init`, by default the r_h scan), then at the wider
 * clamps of widerClamps() while the evidence rises, each warm-started from the fit
 * before; returns the network and fit of the highest evidence (its elapsedMs the
 * time of all of them). `first` is the network
 * of the first fit (its shape but r_c is kept for the wider ones). Errors as
 * HorizonNetwork.fit.
 */
export function fitHorizonClamp(table: ResponseTable | readonly ResponsePoint[], first: HorizonNetwork, opts: HorizonFitOptions = {}): ClampedHorizonFit {
  const trials: ClampTrial[] = [];
  let elapsedMs = 0;
  const run = (net: HorizonNetwork, o: HorizonFitOptions): { net: HorizonNetwork; fit: HorizonFitResult; z: number } => {
    const fit = net.fit(table, o);
    elapsedMs += fit.elapsedMs;
    const z = fit.log_evidence ?? NaN;
    const ratio = net.shape.rCRatio;
    trials.push({ ratio, rc: ratio * fit.rh, rh: fit.rh, log_evidence: z, chi2: fit.chi2, evaluations: fit.evaluations });
    return { net, fit, z };
  };
  let best = run(first, opts);
  for (const ratio of widerClamps(best.fit.rh, first.shape.rMaxRatio)) {
    const net = createHorizonNetwork({ ...first.shape, rCRatio: ratio, delta: first.delta, lambda: first.lambda });
    const next = run(net, { ...opts, init: best.net.checkpoint() });
    if (!(next.z > best.z)) break;
    best = next;
  }
  // elapsedMs counts every clamp tried
  return { net: best.net, fit: { ...best.fit, elapsedMs }, trials };
}
