/**
 * The one horizon fit of a table, for `holoring reconstruct` and the daemon alike:
 * Δ given or profiled (deltaProfile.ts), a free complex scale κ of χ or not
 * (HorizonNetwork `freeScale`, horizonScale.ts), r_c chosen by the evidence
 * (clamp.ts). A fit from a start (the r_h scan or a checkpoint) runs all of
 * them; a fit that continues (the network's current weights: the next round of
 * the daemon, or the rest of a fit stopped on its pass budget) keeps the
 * network's r_c and, with Δ profiled, profiles Δ again from its weights.
 */
import type { ResponsePoint, ResponseTable } from '../../contracts/response.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { ModelErrorCodes } from '../data.ts';
import type { DeltaProfile } from '../deltaFree.ts';
import type { LmIteration } from '../lm.ts';
import { definedOnly } from '../../util/options.ts';
import type { HorizonCheckpoint } from './checkpoint.ts';
import { type ClampTrial, type ClampedHorizonFit, fitHorizonClamp } from './clamp.ts';
import { HORIZON_DELTA_FIRST_PASSES, fitHorizonDelta, horizonDeltaStart, profileHorizonDelta } from './deltaProfile.ts';
import type { HorizonShape } from './grid.ts';
import { type HorizonFitResult, type HorizonNetwork, createHorizonNetwork } from './network.ts';
import { RESTART_PROBE_GAIN, RESTART_PROBE_PASSES, failedStart, restartCandidates } from './restart.ts';

export interface HorizonFitPlan {
  /** Δ, or 'auto': profiled over its integer interval (of `deltaStart`, default 1.5; of the checkpoint's Δ with one). */
  delta: number | 'auto';
  deltaStart?: number;
  /** Fit a free complex scale κ of χ too. */
  freeScale?: boolean;
  /** layers, nodes (defaults: DEFAULT_HORIZON_SHAPE). */
  shape?: Partial<Pick<HorizonShape, 'layers' | 'nodes'>>;
  /**
   * Where the fit starts: 'scan' (the r_h scan, or `rhGuess`), a checkpoint, or the
   * network of an earlier fit to continue (its weights, r_c and Δ; with its fit on
   * this same table when there is one, which the Δ profile then starts from).
   */
  init: 'scan' | HorizonCheckpoint | { net: HorizonNetwork; fit?: HorizonFitResult };
  /** Start r_h instead of the scan (e.g. from the sample temperature). */
  rhGuess?: number;
  /** Fused passes of each fit (the Δ profile: of the whole profile) at most. */
  maxEvaluations?: number;
  onIteration?: (info: LmIteration) => void;
}

export interface HorizonGeometryFit {
  /** The network holding the fitted weights (dispose it). */
  net: HorizonNetwork;
  /** Its fit: with Δ profiled, delta_err and the bands widened by σ_Δ; with κ free, `scale`. */
  fit: HorizonFitResult & { delta_err?: number; delta_auto?: true };
  /** The clamps (and priors) tried (a fit from a start). */
  rcSearch?: ClampTrial[];
  /** With rcSearch: the clamp search's warnings (clamp.ts; empty when none) and why it weakened the prior, if it did. */
  clampWarnings?: string[];
  priorWeakened?: ClampedHorizonFit['priorWeakened'];
  /** With Δ profiled from the r_h scan: the start's coarse profile over Δ. */
  deltaStartProfile?: DeltaProfile & { rh: number };
}

/**
 * Fits the horizon network to a table as `plan` says (see the module comment).
 * elapsedMs, iterations and evaluations of the result count every fit it made.
 * @throws RING_ERR_MODEL_* for a table the network cannot fit, RING_ERR_DELTA_INTEGER
 *   as profileHorizonDelta.
 */
export function fitHorizonGeometry(table: ResponseTable | readonly ResponsePoint[], plan: HorizonFitPlan): HorizonGeometryFit {
  const lm = plan.maxEvaluations === undefined ? {} : { maxEvaluations: plan.maxEvaluations };
  const { onIteration } = plan;
  const shape = definedOnly({ layers: plan.shape?.layers, nodes: plan.shape?.nodes });
  const init = plan.init;
  if (typeof init === 'object' && 'net' in init) {
    if (plan.delta !== 'auto') return { net: init.net, fit: init.net.fit(table, { init: 'current', lm, onIteration }) };
    // Δ profiled again from the network's weights (a few passes first when it has no fit on this table)
    const fit = init.fit ?? init.net.fit(table, { init: 'current', lm: { maxEvaluations: Math.min(HORIZON_DELTA_FIRST_PASSES, plan.maxEvaluations ?? Infinity) }, onIteration });
    const r = profileHorizonDelta(table, { net: init.net, fit }, { onIteration, ...lm });
    const first = init.fit ? null : fit;
    return { net: r.net, fit: first ? { ...r.fit, iterations: r.fit.iterations + first.iterations, evaluations: r.fit.evaluations + first.evaluations, elapsedMs: r.fit.elapsedMs + first.elapsedMs } : r.fit };
  }
  // a checkpoint's prior weight too (it may be the weaker prior of clamp.ts)
  const lambda = typeof init === 'object' ? init.lambda : undefined;
  const searched = (c: ClampedHorizonFit): Pick<HorizonGeometryFit, 'rcSearch' | 'clampWarnings' | 'priorWeakened'> =>
    ({ rcSearch: c.trials, clampWarnings: c.warnings, ...(c.priorWeakened ? { priorWeakened: c.priorWeakened } : {}) });
  const fixed = (net: HorizonNetwork, rhGuess: number | undefined): HorizonGeometryFit => {
    // r_c by the evidence: 3 r_h, then wider clamps
    const c = fitHorizonClamp(table, net, { init, rhGuess, lm, onIteration });
    if (c.net !== net) void net.dispose();
    return { net: c.net, fit: c.fit, ...searched(c) };
  };
  if (plan.delta !== 'auto') {
    const create = (): HorizonNetwork => createHorizonNetwork(definedOnly({ ...shape, delta: plan.delta as number, freeScale: plan.freeScale, lambda }));
    if (typeof init === 'object') return fixed(create(), plan.rhGuess);
    const net = create();
    const start = plan.rhGuess ?? net.scanHorizon(net.prepare(table).data);
    return restartIfFailed(table, plan, plan.delta, start, fixed(net, start), (rh) => fixed(create(), rh));
  }
  // Δ profiled at the first clamp, from the start's coarse profile (or the checkpoint's Δ)
  const profiled = (start: { start: number; rhGuess?: number; lambda?: number }): HorizonGeometryFit => {
    let r = fitHorizonDelta(table, { ...start, shape, freeScale: plan.freeScale, init, maxEvaluations: plan.maxEvaluations, onIteration });
    // r_c by the evidence at the fitted Δ: the profile's last fit is the first clamp's; a wider
    // clamp that wins is profiled over Δ again from its own fit
    const c = fitHorizonClamp(table, r.net, { done: r.fit, lm, onIteration });
    if (c.net !== r.net) {
      const again = profileHorizonDelta(table, { net: c.net, fit: c.fit }, { onIteration, ...lm });
      const passes = r.fit.evaluations + c.trials.reduce((n, t) => n + t.evaluations, 0);
      void r.net.dispose();
      r = { net: again.net, fit: { ...again.fit, iterations: again.fit.iterations + r.fit.iterations, evaluations: again.fit.evaluations + passes, elapsedMs: again.fit.elapsedMs + r.fit.elapsedMs + c.fit.elapsedMs } };
    }
    return { net: r.net, fit: r.fit, ...searched(c) };
  };
  if (typeof init === 'object') return profiled({ start: init.delta, rhGuess: plan.rhGuess, lambda });
  const deltaStartProfile = horizonDeltaStart(table, { deltaStart: plan.deltaStart, shape, freeScale: plan.freeScale });
  const start = plan.rhGuess ?? deltaStartProfile.rh;
  const r = restartIfFailed(table, plan, deltaStartProfile.delta, start, profiled({ start: deltaStartProfile.delta, rhGuess: start }), (rh) => profiled({ start: deltaStartProfile.delta, rhGuess: rh }));
  return { ...r, deltaStartProfile };
}

/**
 * A fit from the r_h scan at `start` that failed (restart.ts, failedStart) tried
 * again from restartCandidates: each probed by RESTART_PROBE_PASSES passes at Δ
 * `delta` and the first clamp, fitted in full (`again`) when the probe's loss is
 * already below RESTART_PROBE_GAIN times the best fit's; the fit of the lowest loss is kept, and the search
 * ends at the first that does not fail. Candidates whose probe or fit stops
 * (RING_ERR_MODEL_DIVERGED, RING_ERR_DELTA_INTEGER) are skipped. The kept fit's
 * iterations, passes and time count every fit and probe made.
 */
function restartIfFailed(
  table: ResponseTable | readonly ResponsePoint[],
  plan: HorizonFitPlan,
  delta: number,
  start: number,
  first: HorizonGeometryFit,
  again: (rh: number) => HorizonGeometryFit,
): HorizonGeometryFit {
  if (!failedStart(first.fit)) return first;
  let best = first;
  const spent = { iterations: 0, evaluations: 0, elapsedMs: 0 };
  const count = (f: { iterations: number; evaluations: number; elapsedMs: number }): void => {
    spent.iterations += f.iterations;
    spent.evaluations += f.evaluations;
    spent.elapsedMs += f.elapsedMs;
  };
  const stops = (e: unknown): boolean => e instanceof HoloringError && (e.code === ModelErrorCodes.DIVERGED || e.code === ErrorCodes.DELTA_INTEGER);
  count(first.fit);
  for (const rh of restartCandidates(start, first.fit.rh)) {
    const probe = createHorizonNetwork(definedOnly({ ...plan.shape, delta, freeScale: plan.freeScale }));
    try {
      const p = probe.fit(table, { init: 'scan', rhGuess: rh, lm: { maxEvaluations: RESTART_PROBE_PASSES } });
      count(p);
      if (!(p.loss < RESTART_PROBE_GAIN * best.fit.loss)) continue;
      const next = again(rh);
      count(next.fit);
      if (next.fit.loss < best.fit.loss) {
        if (best !== first) void best.net.dispose();
        best = next;
      } else void next.net.dispose();
      if (!failedStart(next.fit)) break;
    } catch (e) {
      if (!stops(e)) throw e;
    } finally {
      void probe.dispose();
    }
  }
  if (best !== first) void first.net.dispose();
  return { ...best, fit: { ...best.fit, ...spent } };
}
