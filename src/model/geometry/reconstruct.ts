/**
 * `holoring reconstruct`: the disk network, the horizon network, or both
 * (`--geometry auto`, judged by choice.ts) fitted to a table, and the output of
 * the picked one.
 */
import type { ResponsePoint, ResponseTable } from '../../contracts/response.ts';
import { HoloringError } from '../../errors.ts';
import { definedOnly } from '../../util/options.ts';
import { initBackend } from '../backend.ts';
import { type Checkpoint, CHECKPOINT_FORMAT, parseCheckpoint, readCheckpointJson } from '../checkpoint.ts';
import { ModelErrorCodes } from '../data.ts';
import { type DeltaProfile, nearIntegerVerdict } from '../deltaFree.ts';
import { nodesForTable } from '../grid.ts';
import { HORIZON_CHECKPOINT_FORMAT, type HorizonCheckpoint, checkpointGeometry, parseHorizonCheckpoint } from '../horizon/checkpoint.ts';
import { type ClampTrial, withClampWarnings } from '../horizon/clamp.ts';
import { fitHorizonGeometry } from '../horizon/fit.ts';
import type { HorizonFitResult, HorizonNetwork } from '../horizon/network.ts';
import type { LmIteration } from '../lm.ts';
import { createMetricNetwork } from '../network.ts';
import { makeOutput } from '../output.ts';
import { type GeometryAttempt, assessHorizonFit, attemptGeometry, judgeAttempts } from './attempt.ts';
import { AUTO_PASS_BUDGET, type Geometry, type GeometryChoice, type GeometryOption } from './choice.ts';

/** Reads a checkpoint of either network (by its "format"). */
export function loadAnyCheckpoint(path: string): Checkpoint | HorizonCheckpoint {
  const data = readCheckpointJson(path);
  const format = (data as { format?: unknown } | null)?.format;
  if (format === HORIZON_CHECKPOINT_FORMAT) return parseHorizonCheckpoint(data, path);
  if (format !== CHECKPOINT_FORMAT) {
    throw new HoloringError(ModelErrorCodes.CHECKPOINT, `${path}: not a metric-network checkpoint (format "${String(format)}", expected "${CHECKPOINT_FORMAT}" or "${HORIZON_CHECKPOINT_FORMAT}")`, { path });
  }
  return parseCheckpoint(data, path);
}

/** A checkpoint's Δ is taken for a given Δ within its own delta_err or this (a `--delta auto` output's Δ printed to 4–5 digits). */
export const INIT_DELTA_TOLERANCE = 1e-4;

/**
 * The warm start `init` for a fit at the given Δ: a checkpoint fitted at a Δ within
 * max(its delta_err, INIT_DELTA_TOLERANCE) of it is taken as fitted at Δ (its
 * weights change by far less than their σ over such a step).
 * @throws RING_ERR_MODEL_CHECKPOINT (context.flag `--init`) when the checkpoint's Δ is further away.
 */
export function initAtDelta<C extends Checkpoint | HorizonCheckpoint>(init: C, delta: number): C {
  const err = (init as { delta_err?: unknown }).delta_err;
  const sigma = typeof err === 'number' && Number.isFinite(err) ? err : 0;
  const tol = Math.max(INIT_DELTA_TOLERANCE, sigma);
  const off = Math.abs(init.delta - delta);
  if (off === 0) return init;
  if (off <= tol) return { ...init, delta };
  throw new HoloringError(
    ModelErrorCodes.CHECKPOINT,
    `the checkpoint was fitted at Δ = ${init.delta}${sigma > 0 ? ` ± ${sigma.toExponential(1)}` : ''}, ${+off.toPrecision(3)} from --delta ${delta}, more than ${sigma > INIT_DELTA_TOLERANCE ? 'its σ' : INIT_DELTA_TOLERANCE} (its weights belong to its Δ): ` +
      `give --delta ${init.delta}, or --delta auto to fit Δ starting from the checkpoint, or drop --init`,
    { flag: '--init', delta, checkpointDelta: init.delta },
  );
}

export interface ReconstructOptions {
  geometry?: GeometryOption;
  /**
   * Δ, or 'auto' (physics.md §10): each network fits its own, the disk's as one
   * more weight, the horizon's by a profile over Δ (horizon/deltaProfile.ts).
   */
  delta?: number | 'auto';
  /** With delta 'auto': start of the Δ fit (see deltaFree.ts). */
  deltaStart?: number;
  /**
   * Fit a free complex scale κ of χ with either network (output `scale`: re, im and
   * their 1σ): for tables whose calibration constant has an error common to every
   * row (tables exported from runs). The rows' common part of σ is then κ's.
   */
  freeScale?: boolean;
  layers?: number;
  /** Weight nodes per function (default: for the disk 32, fewer for a small table (nodesForTable); 16 for the horizon). */
  nodes?: number;
  /** Warm start of the geometry it belongs to. */
  init?: Checkpoint | HorizonCheckpoint;
  threads?: number;
  /** Sample temperature T/T_HP (both in the same units), if known: the start r_h (BTZ: r_h = T/T_HP) and the tie-break of `auto`. */
  temperatureRatio?: number;
  onIteration?: (geometry: Geometry, info: LmIteration) => void;
  log?: (line: string) => void;
}

export interface ReconstructResult {
  geometry: Geometry;
  /** The `reconstruct` JSON: checkpoint of the picked network, its estimate, `geometry` and (auto) `geometry_choice`. */
  output: Record<string, unknown> & { chi2: number; chi2_total: number; dof: number; iterations: number; converged: boolean; elapsedMs: number; noiseless: boolean };
  choice?: GeometryChoice;
}

/**
 * Fits the disk network, the horizon network, or both (`auto`) to a table and
 * returns the output of the picked one.
 * @throws RING_ERR_MODEL_CHECKPOINT when `init` belongs to the other geometry than the one asked for.
 */
export async function reconstructGeometry(table: ResponseTable | readonly ResponsePoint[], o: ReconstructOptions = {}): Promise<ReconstructResult> {
  const mode = o.geometry ?? 'auto';
  const initGeometry = o.init ? checkpointGeometry(o.init) : undefined;
  if (initGeometry && mode !== 'auto' && initGeometry !== mode) {
    throw new HoloringError(ModelErrorCodes.CHECKPOINT, `the checkpoint holds ${initGeometry} weights but the geometry asked for is ${mode}: pass --geometry ${initGeometry} or auto, or drop --init`, { geometry: mode, flag: '--init' });
  }
  if (o.init && typeof o.delta === 'number') o = { ...o, init: initAtDelta(o.init, o.delta) };
  const points = Array.isArray(table) ? (table as readonly ResponsePoint[]) : (table as ResponseTable).points;
  // auto: both fits on a pass budget (the wrong geometry never converges); the picked one is then run to convergence
  const lm = mode === 'auto' ? { maxEvaluations: AUTO_PASS_BUDGET } : {};
  const backend = mode === 'horizon' ? '' : await initBackend({ log: o.log });
  const diskNodes = o.nodes ?? nodesForTable(points.length, Math.max(...points.map((p) => p.omega)));
  const disk = mode === 'horizon' ? null : createMetricNetwork({ delta: o.delta, deltaStart: o.deltaStart, freeScale: o.freeScale, layers: o.layers, nodes: diskNodes });
  let horizon: HorizonNetwork | null = null;
  let horizonFit: HorizonFitResult | null = null;
  let uvProfile: DeltaProfile | undefined;
  let clampTrials: ClampTrial[] | undefined;
  let clampWarnings: string[] = [];
  let priorWeakened: string | undefined;
  const fitDisk = async (init: Checkpoint | 'ads' | 'current', budget: typeof lm): Promise<ReconstructResult['output']> => {
    const res = await disk!.fitParallel(table, { init, threads: o.threads ?? 1, lm: budget, onIteration: (it) => o.onIteration?.('disk', it) });
    return { ...makeOutput({ ...nearIntegerVerdict(res, res.delta), backend, checkpoint: disk!.checkpoint() }), geometry: 'disk' };
  };
  const fitHorizon = (init: HorizonCheckpoint | 'scan' | 'current', budget: typeof lm): ReconstructResult['output'] => {
    const r = fitHorizonGeometry(table, {
      delta: o.delta ?? 1.5, deltaStart: o.deltaStart, freeScale: o.freeScale, shape: definedOnly({ layers: o.layers, nodes: o.nodes }),
      // continuing: the earlier fit (on this table) is where the Δ profile goes on from
      init: init === 'current' ? { net: horizon!, fit: horizonFit! } : init,
      // the sample temperature's r_h (BTZ: r_h = T/T_HP), else the scan's
      rhGuess: o.temperatureRatio !== undefined && o.temperatureRatio > 1 ? o.temperatureRatio : undefined,
      maxEvaluations: budget.maxEvaluations, onIteration: (it: LmIteration) => o.onIteration?.('horizon', it),
    });
    if (horizon && horizon !== r.net) void horizon.dispose();
    horizon = r.net;
    horizonFit = r.fit;
    if (r.rcSearch) {
      clampTrials = r.rcSearch;
      clampWarnings = r.clampWarnings ?? [];
      priorWeakened = r.priorWeakened;
    }
    uvProfile = r.deltaStartProfile ?? uvProfile;
    const { net, fit } = r;
    const { loss: _loss, ...est } = fit;
    const rc = { rc: net.shape.rCRatio * fit.rh, ...(clampTrials ? { rc_search: clampTrials } : {}), ...(priorWeakened ? { prior_weakened: priorWeakened } : {}) };
    return { ...net.checkpoint(), ...est, ...rc, ...nearIntegerVerdict(withClampWarnings(assessHorizonFit(net, table, fit), clampWarnings), fit.delta), ...(uvProfile ? { delta_profile: uvProfile } : {}), elapsedMs: Math.round(fit.elapsedMs * 10) / 10 };
  };
  try {
    type Output = ReconstructResult['output'];
    if (mode !== 'auto') return { geometry: mode, output: mode === 'disk' ? await fitDisk(initGeometry === 'disk' ? (o.init as Checkpoint) : 'ads', lm) : fitHorizon(initGeometry === 'horizon' ? (o.init as HorizonCheckpoint) : 'scan', lm) };
    // a geometry whose fit stops with an error (Δ ran to an integer, r_h ran away) is judged failed, the other still judged
    const attempt = async (g: Geometry, run: () => Promise<Output>): Promise<GeometryAttempt<Output>> => {
      const a = await attemptGeometry(run);
      if (a.stopped) o.log?.(`reconstruct: the ${g} fit stopped: ${a.stopped.code}: ${a.stopped.message}`);
      return a;
    };
    const attempts: Record<Geometry, GeometryAttempt<Output>> = {
      disk: await attempt('disk', () => fitDisk(initGeometry === 'disk' ? (o.init as Checkpoint) : 'ads', lm)),
      horizon: await attempt('horizon', async () => fitHorizon(initGeometry === 'horizon' ? (o.init as HorizonCheckpoint) : 'scan', lm)),
    };
    const residuals = 2 * points.length;
    const choose = (): GeometryChoice => judgeAttempts(attempts.disk, attempts.horizon, residuals, o.temperatureRatio);
    // the picked fit runs to convergence and the choice is made again with its final figures
    const finish = async (g: Geometry): Promise<void> => {
      const out = attempts[g].fit;
      if (!out || out.converged) return;
      attempts[g] = await attempt(g, async () => {
        const more = g === 'disk' ? await fitDisk('current', {}) : fitHorizon('current', {});
        return { ...more, iterations: out.iterations + more.iterations, elapsedMs: out.elapsedMs + more.elapsedMs };
      });
    };
    let choice = choose();
    for (let i = 0; i < 2 && attempts[choice.picked].fit?.converged === false; i++) {
      await finish(choice.picked);
      choice = choose();
    }
    if (choice.verdict === 'neither' && !(['disk', 'horizon'] as const).every((g) => attempts[g].stopped || attempts[g].fit!.converged)) {
      // a fit stopped by the pass budget is failed by definition: neither is said only of converged fits
      await finish('disk');
      await finish('horizon');
      choice = choose();
    }
    const output = attempts[choice.picked].fit!;
    return { geometry: choice.picked, output: { ...output, geometry_choice: choice }, choice };
  } finally {
    await disk?.dispose();
    await (horizon as HorizonNetwork | null)?.dispose();
  }
}
