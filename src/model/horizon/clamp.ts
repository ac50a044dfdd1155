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
 *
 * Two cases where the smoothness prior, not the data, would set the answer:
 *
 * * *Reach.* When a wider clamp won, the deformation reaches far out, where the
 *   nodes are sparse in r and the data resolve only broad structure; a feature
 *   there sharper than the prior admits is traded against r_h (a bump at 3.75 r_h:
 *   r_h 6σ high with a `good` χ²). A tenfold weaker prior (λ/10) is then tried at
 *   that clamp and kept when the evidence rises. When it does, and the evidence
 *   rose at every wider clamp up to the widest, the fit is flagged (`reach`): the
 *   metric varies at the edge of what the network can represent, r_h and f, g are
 *   not trusted.
 * * *Weak data.* When the data determine fewer than WEAK_DATA_NU effective weights
 *   (ν = tr(JᵀJ·C), MacKay's γ), the prior decides most of the metric and its band
 *   at λ misses a deformation the prior smooths away (2σ coverage 71–88% on a
 *   12 × 7 table at 3% noise). The fit is then redone at λ/10 and kept whatever
 *   the evidence: its bands hold what the data leave open (coverage 100% there).
 */
import type { ResponsePoint, ResponseTable } from '../../contracts/response.ts';
import { FAILED_FIT_CHI2, type FitQuality } from '../quality.ts';
import { HORIZON_LAMBDA, type HorizonFitOptions, type HorizonFitResult, type HorizonNetwork, type HorizonNetworkOptions, createHorizonNetwork } from './network.ts';

/** r_c/r_h of the first fit, and of the first wider one. */
export const RC_FIRST = 3;
export const RC_WIDER = 4.5;
/** The widest clamp in data units: the disk network's reach (r = 6), as r_c/r_h in [RC_WIDER + 0.5, RC_MAX_RATIO]. */
export const RC_REACH = 6;
export const RC_MAX_RATIO = 6;
/**
 * A wider clamp is not fitted when the evidence its fit would reach, predicted from
 * one pass at the warm start (HorizonNetwork.predictLogEvidence), is below the best
 * by more than PREDICT_MARGIN while the predicted decrease of the loss is at most
 * PREDICT_TRUST (a short step, where the Gauss–Newton model holds: predictions within
 * 0.3 of the fitted evidence on the default targets, which lie 4–6 below 3 r_h; far
 * from the optimum the model is pessimistic by hundreds, and the clamp is fitted).
 */
export const PREDICT_MARGIN = 1;
export const PREDICT_TRUST = 25;
/** The weaker prior (reach, weak data) is λ/PRIOR_STEP. */
export const PRIOR_STEP = 10;
/** Fewer effective weights than this (ν = 2P − dof) is weak data: the fit is redone at λ·PRIOR_STEP. */
export const WEAK_DATA_NU = 8;

/** The clamps r_c/r_h tried after RC_FIRST for a first fit at r_h (in data units). */
export function widerClamps(rh: number, rMaxRatio: number): number[] {
  const reach = Math.min(RC_MAX_RATIO, rMaxRatio - 1, RC_REACH / rh);
  return reach >= RC_WIDER + 0.5 ? [RC_WIDER, reach] : [RC_WIDER];
}

export interface ClampTrial {
  /** r_c/r_h, and r_c in data units. */
  ratio: number;
  /** Weight λ of the smoothness prior. */
  lambda: number;
  rc: number;
  rh: number;
  log_evidence: number;
  chi2: number;
  evaluations: number;
  /** The clamp was not fitted: log_evidence is the prediction from one pass at its warm start (chi2 and rh those of the start). */
  predicted?: boolean;
}

export interface ClampedHorizonFit {
  net: HorizonNetwork;
  fit: HorizonFitResult;
  /** The fits tried, in order (clamps, then a weaker prior); the picked one is the last kept. */
  trials: ClampTrial[];
  /**
   * Why the prior was weakened (`reach`: the evidence preferred λ/10 at a wider clamp;
   * `weak-data`: ν < WEAK_DATA_NU), if it was.
   */
  priorWeakened?: 'reach' | 'weak-data';
  /** Sentences for people when the result is not to be trusted (the verdict is then at best `poor`); empty otherwise. */
  warnings: string[];
}

/**
 * Fits at r_c = 3 r_h (from `opts.init`, by default the r_h scan), then at the wider
 * clamps of widerClamps() while the evidence rises, each warm-started from the fit
 * before (or only predicted from one pass there when clearly lower: PREDICT_MARGIN); returns the network and fit of the highest evidence (its elapsedMs the
 * time of all of them). `first` is the network
 * of the first fit (its shape but r_c, and its free scale, are kept for the wider
 * ones); `done`, when given, is its fit already made on this table (the weights in
 * `first`: the Δ profile's last fit), taken as the first trial instead of fitting
 * again. Errors as HorizonNetwork.fit.
 */
export function fitHorizonClamp(table: ResponseTable | readonly ResponsePoint[], first: HorizonNetwork, opts: HorizonFitOptions & { done?: HorizonFitResult } = {}): ClampedHorizonFit {
  const trials: ClampTrial[] = [];
  let elapsedMs = 0;
  const { done, ...fitOpts } = opts;
  const run = (net: HorizonNetwork, o: HorizonFitOptions, given?: HorizonFitResult): { net: HorizonNetwork; fit: HorizonFitResult; z: number } => {
    const fit = given ?? net.fit(table, o);
    elapsedMs += given ? 0 : fit.elapsedMs;
    const z = fit.log_evidence ?? NaN;
    const ratio = net.shape.rCRatio;
    trials.push({ ratio, lambda: net.lambda, rc: ratio * fit.rh, rh: fit.rh, log_evidence: z, chi2: fit.chi2, evaluations: given ? 0 : fit.evaluations });
    return { net, fit, z };
  };
  // a network like `from` but for `shape` (its r_c or λ), warm-started from `from`'s weights
  const neighbour = (from: HorizonNetwork, shape: HorizonNetworkOptions): HorizonNetwork =>
    createHorizonNetwork({ ...from.shape, ...shape, delta: from.delta, lambda: shape.lambda ?? from.lambda, freeScale: from.freeScale });
  const refit = (from: HorizonNetwork, shape: HorizonNetworkOptions, net = neighbour(from, shape)): { net: HorizonNetwork; fit: HorizonFitResult; z: number } =>
    run(net, { ...fitOpts, init: from.checkpoint() });
  let best = run(first, fitOpts, done);
  const wider = widerClamps(best.fit.rh, first.shape.rMaxRatio);
  let risingToWidest = wider.length > 0;
  for (const ratio of wider) {
    // one network for the prediction and, when it is not clearly lower, the fit (its kernel is reused)
    const trial = neighbour(best.net, { rCRatio: ratio });
    const t0 = performance.now();
    const pred = trial.predictLogEvidence(table, best.net.checkpoint());
    elapsedMs += performance.now() - t0;
    if (pred.decrease <= PREDICT_TRUST && pred.logEvidence < best.z - PREDICT_MARGIN) {
      trials.push({ ratio, lambda: trial.lambda, rc: ratio * best.fit.rh, rh: best.fit.rh, log_evidence: pred.logEvidence, chi2: best.fit.chi2, evaluations: 1, predicted: true });
      risingToWidest = false;
      break;
    }
    const next = refit(best.net, { rCRatio: ratio }, trial);
    if (!(next.z > best.z)) {
      risingToWidest = false;
      break;
    }
    best = next;
  }
  let priorWeakened: ClampedHorizonFit['priorWeakened'];
  const warnings: string[] = [];
  // once only: a network already at the weaker prior (e.g. warm-started from such a fit) keeps it;
  // and not for a fit that does not describe the table (e.g. a disk's table under --geometry auto)
  const canWeaken = first.lambda > HORIZON_LAMBDA / PRIOR_STEP && best.fit.chi2 <= FAILED_FIT_CHI2;
  if (canWeaken && best.net !== first) {
    // reach: a deformation far out, sharper than the prior admits, is traded against r_h
    const lighter = refit(best.net, { lambda: best.net.lambda / PRIOR_STEP });
    if (lighter.z > best.z) {
      priorWeakened = 'reach';
      if (risingToWidest) {
        const rc = (best.net.shape.rCRatio * lighter.fit.rh).toPrecision(3);
        warnings.push(
          `the metric may vary beyond r_c = ${rc} (${best.net.shape.rCRatio} r_h), the widest clamp the network has: the evidence rose at every wider clamp ` +
          `and again when the smoothness prior was weakened tenfold (ln Z ${best.z.toFixed(1)} → ${lighter.z.toFixed(1)}), so the data hold structure far out ` +
          `that the network can only approximate; r_h and f, g near r_c are not trusted (r_h ${best.fit.rh.toPrecision(4)} at λ = ${+best.net.lambda.toPrecision(3)}, ` +
          `${lighter.fit.rh.toPrecision(4)} at λ = ${+lighter.net.lambda.toPrecision(3)}; a table reaching higher ω or |k| resolves it better)`,
        );
      }
      best = lighter;
    }
  }
  const residuals = 2 * best.net.prepare(table).data.modes.length;
  if (canWeaken && !priorWeakened && residuals - best.fit.dof < WEAK_DATA_NU) {
    // weak data: the band at λ is the prior's and misses what it smooths away
    best = refit(best.net, { lambda: best.net.lambda / PRIOR_STEP });
    priorWeakened = 'weak-data';
  }
  // elapsedMs counts every fit made here
  return { net: best.net, fit: best.fit === done ? done : { ...best.fit, elapsedMs }, trials, ...(priorWeakened ? { priorWeakened } : {}), warnings };
}

/**
 * A verdict with the clamp search's warnings added: a fit they flag is at best `poor`
 * (a `failed` one stays failed).
 */
export function withClampWarnings(q: FitQuality, warnings: readonly string[]): FitQuality {
  if (warnings.length === 0) return q;
  return { ...q, quality: q.quality === 'good' ? 'poor' : q.quality, warnings: [...q.warnings, ...warnings] };
}
