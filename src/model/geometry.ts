/**
 * Which geometry describes the sample: the disk (a regular centre, below the
 * Hawking–Page temperature T_HP = 1/2π) or a horizon (above it). `auto` fits both
 * networks and picks by the evidence: the criterion χ² + 2ν (ν = 2P − dof, the
 * effective number of weights; an information criterion that charges each
 * network for the freedom it used). A difference below DECISIVE_EVIDENCE leaves
 * the choice to the sample temperature when it is known, else to the lower value.
 * A failed fit (quality.ts) is never chosen over one that is not, nor called
 * decisive; when both fail the choice says that neither describes the data.
 */
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { ErrorCodes, HoloringError } from '../errors.ts';
import { initBackend } from './backend.ts';
import { type Checkpoint, CHECKPOINT_FORMAT, parseCheckpoint, readCheckpointJson } from './checkpoint.ts';
import { ModelErrorCodes } from './data.ts';
import { HORIZON_CHECKPOINT_FORMAT, type HorizonCheckpoint, checkpointGeometry, parseAnyCheckpoint, parseHorizonCheckpoint } from './horizon/checkpoint.ts';

export { checkpointGeometry, parseAnyCheckpoint };
import type { HorizonFitResult, HorizonNetwork } from './horizon/network.ts';
import type { ClampTrial } from './horizon/clamp.ts';
import { withClampWarnings } from './horizon/clamp.ts';
import { fitHorizonGeometry } from './horizon/fit.ts';
import type { DeltaProfile } from './deltaFree.ts';
import { definedOnly } from '../util/options.ts';
import type { LmIteration } from './lm.ts';
import { type FitResult, type MetricNetwork, createMetricNetwork } from './network.ts';
import { makeOutput } from './output.ts';
import { nodesForTable } from './grid.ts';
import { type FitQuality, type FitVerdict, assessFit } from './quality.ts';

export type Geometry = 'disk' | 'horizon';
export const GEOMETRY_OPTIONS = ['disk', 'horizon', 'auto'] as const;
export type GeometryOption = (typeof GEOMETRY_OPTIONS)[number];

/** Criterion difference (in χ² units) from which the data alone decide the geometry (a likelihood ratio of e⁵ ≈ 150). */
export const DECISIVE_EVIDENCE = 10;

/** Fused passes each network gets in `auto` before the choice (a fit of the right geometry converges in 4–15). */
export const AUTO_PASS_BUDGET = 25;

/** Reduced temperature of the Hawking–Page point (units v/R, ħ = k_B = 1). */
export const T_HAWKING_PAGE = 1 / (2 * Math.PI);

export interface GeometryFigures {
  chi2: number;
  chi2_total: number;
  dof: number;
  /** χ² + 2ν. */
  criterion: number;
  converged: boolean;
  elapsedMs: number;
  /** The fit's verdict (quality.ts), when assessed. */
  quality?: FitVerdict;
  /** Why this geometry gave no fit at all (its fit stopped with an error: Δ ran to an integer, r_h ran away); its numbers are then NaN. */
  error?: { code: string; message: string };
}

/** Error codes that end one geometry's fit without saying anything about the table's validity: in `auto` the other geometry is still judged. */
const FIT_OUTCOME_CODES: ReadonlySet<string> = new Set([ModelErrorCodes.DIVERGED, ErrorCodes.DELTA_INTEGER]);

/** The figures of a geometry whose fit stopped with `e` (NaN numbers, `quality: 'failed'`, the error). */
function failedFigures(e: HoloringError): GeometryFigures {
  return { chi2: NaN, chi2_total: NaN, dof: NaN, criterion: NaN, converged: false, elapsedMs: 0, quality: 'failed', error: { code: e.code, message: e.message } };
}

/** One geometry's fit as attempted in `auto`: its result, or the error its fit stopped with (a FIT_OUTCOME_CODES code). */
export type GeometryAttempt<T> = { fit: T; stopped?: undefined } | { fit?: undefined; stopped: HoloringError };

/**
 * The step "attempt a geometry" of `auto` (reconstructGeometry and the daemon's
 * GeometryFitter alike): runs one geometry's fit; a fit that stops with a
 * FIT_OUTCOME_CODES error (RING_ERR_DELTA_INTEGER: its Δ ran out of its integer
 * interval; RING_ERR_MODEL_DIVERGED: r_h or the weights ran away) gives
 * `{ stopped }`, which judgeAttempts judges as failed while the other geometry is
 * still judged. Any other error (a refusal of the table itself) is rethrown.
 * A synchronous fit gives its attempt, an asynchronous one a promise of it.
 */
export function attemptGeometry<T>(run: () => Promise<T>): Promise<GeometryAttempt<T>>;
export function attemptGeometry<T>(run: () => T): GeometryAttempt<T>;
export function attemptGeometry<T>(run: () => T | Promise<T>): GeometryAttempt<T> | Promise<GeometryAttempt<T>> {
  const stop = (e: unknown): GeometryAttempt<T> => {
    if (e instanceof HoloringError && FIT_OUTCOME_CODES.has(e.code)) return { stopped: e };
    throw e;
  };
  try {
    const r = run();
    return r instanceof Promise ? r.then((fit) => ({ fit }), stop) : { fit: r };
  } catch (e) {
    return stop(e);
  }
}

/** What geometryFigures reads of a fit. */
type FigureSource = Parameters<typeof geometryFigures>[0];

/**
 * Judges the two attempts of `auto` (chooseGeometry on their figures; a stopped
 * one has failedFigures, `error` naming its code). `residuals` = 2 × rows.
 * @throws RING_ERR_MODEL_NO_GEOMETRY (context: `disk`, `horizon`: each one's code)
 *   when both stopped: there is no fit to report.
 */
export function judgeAttempts(disk: GeometryAttempt<FigureSource>, horizon: GeometryAttempt<FigureSource>, residuals: number, temperatureRatio?: number): GeometryChoice {
  if (disk.stopped && horizon.stopped) {
    const said = (g: Geometry, e: HoloringError): string => `the ${g} fit stopped: ${e.code}: ${e.message}`;
    throw new HoloringError(
      ModelErrorCodes.NO_GEOMETRY,
      `none: neither geometry gave a fit: ${said('disk', disk.stopped)}; ${said('horizon', horizon.stopped)}; check Δ (--delta auto, --delta-start; physics.delta, physics.deltaStart in the daemon), γ, the calibration and σ, or whether the material is holographic at all (holoring modes)`,
      { disk: disk.stopped.code, horizon: horizon.stopped.code },
    );
  }
  const figures = (a: GeometryAttempt<FigureSource>): GeometryFigures => (a.stopped ? failedFigures(a.stopped) : geometryFigures(a.fit, residuals));
  return chooseGeometry(figures(disk), figures(horizon), temperatureRatio);
}

/**
 * How the choice was made: by the evidence (`decisive` or `weak`), by the sample
 * temperature, as the `only` fit that did not fail, or `neither` geometry
 * describes the data (both fits failed; `picked` is then the lower criterion).
 */
export type ChoiceVerdict = 'decisive' | 'weak' | 'temperature' | 'only' | 'neither';

export interface GeometryChoice {
  picked: Geometry;
  verdict: ChoiceVerdict;
  /** In words: which and why. */
  reason: string;
  disk: GeometryFigures;
  horizon: GeometryFigures;
  /** Sample temperature in units of T_HP, when the frames and the configuration give it. */
  temperatureRatio?: number;
}

export function geometryFigures(fit: { chi2: number; chi2_total: number; dof: number; converged: boolean; elapsedMs: number; quality?: FitVerdict }, residuals: number): GeometryFigures {
  const nu = residuals - fit.dof;
  const figures: GeometryFigures = { chi2: fit.chi2, chi2_total: fit.chi2_total, dof: fit.dof, criterion: fit.chi2_total + 2 * nu, converged: fit.converged, elapsedMs: fit.elapsedMs };
  return fit.quality ? { ...figures, quality: fit.quality } : figures;
}

const fmt = (x: number): string => (Math.abs(x) >= 1e4 ? x.toExponential(1) : x.toFixed(x >= 100 ? 0 : 2));

/** Picks the geometry from the two fits' figures and, optionally, the sample temperature T/T_HP. */
export function chooseGeometry(disk: GeometryFigures, horizon: GeometryFigures, temperatureRatio?: number): GeometryChoice {
  const diff = disk.criterion - horizon.criterion; // > 0: the horizon describes the data better
  const byData: Geometry = diff > 0 ? 'horizon' : 'disk';
  const other: Geometry = byData === 'disk' ? 'horizon' : 'disk';
  const fig = { disk, horizon };
  const chi = `reduced χ² ${fmt(fig[byData].chi2)} against ${fmt(fig[other].chi2)} for the ${other}`;
  const hint: Geometry | undefined = temperatureRatio === undefined ? undefined : temperatureRatio > 1 ? 'horizon' : 'disk';
  const tText = temperatureRatio === undefined ? '' : `the sample is at ${fmt(temperatureRatio)} T_HP`;
  let picked = byData, reason: string, verdict: ChoiceVerdict;
  const failed = (g: Geometry): boolean => fig[g].quality === 'failed';
  const broken = (['disk', 'horizon'] as const).find((g) => fig[g].error);
  if (broken) {
    const ok: Geometry = broken === 'disk' ? 'horizon' : 'disk';
    const why = `the ${broken} fit stopped: ${fig[broken].error!.code}: ${fig[broken].error!.message}`;
    if (fig[ok].error || failed(ok)) {
      const okText = fig[ok].error ? `the ${ok} fit stopped: ${fig[ok].error!.code}: ${fig[ok].error!.message}` : `the ${ok} fit failed (reduced χ² ${fmt(fig[ok].chi2)}${fig[ok].converged ? '' : ', not converged'})`;
      return { picked: ok, verdict: 'neither', reason: `none: neither geometry describes the data: ${why}; ${okText}; check Δ (--delta auto, --delta-start), γ, the calibration and σ, or whether the material is holographic at all (holoring modes)`, disk, horizon, ...(temperatureRatio === undefined ? {} : { temperatureRatio }) };
    }
    return { picked: ok, verdict: 'only', reason: `${ok}: the only fit that describes the data (reduced χ² ${fmt(fig[ok].chi2)}); ${why}`, disk, horizon, ...(temperatureRatio === undefined ? {} : { temperatureRatio }) };
  }
  if (failed(byData) && failed(other)) {
    verdict = 'neither';
    reason = `none: neither geometry describes the data: both fits failed (reduced χ² ${fmt(disk.chi2)} for the disk${disk.converged ? '' : ', not converged'}, ${fmt(horizon.chi2)} for the horizon${horizon.converged ? '' : ', not converged'}); check Δ (--delta auto), γ, the calibration and σ, or whether the material is holographic at all (holoring modes)`;
  } else if (failed(byData)) {
    picked = other;
    verdict = 'only';
    reason = `${other}: the only fit that describes the data (reduced χ² ${fmt(fig[other].chi2)}); the ${byData}'s failed (reduced χ² ${fmt(fig[byData].chi2)}${fig[byData].converged ? '' : ', not converged'}) although its χ² + 2ν is lower by ${fmt(Math.abs(diff))}`;
  } else if (Math.abs(diff) >= DECISIVE_EVIDENCE) {
    verdict = 'decisive';
    reason = `${byData}: ${chi}; χ² + 2ν lower by ${fmt(Math.abs(diff))} (decisive)`;
    if (hint && hint !== byData) reason += `, although ${tText}, which suggests the ${hint}: check the thermometer and the Hawking–Page point`;
  } else if (hint && !failed(hint)) {
    picked = hint;
    verdict = 'temperature';
    reason = `${hint}: the data do not decide (χ² + 2ν differ by ${fmt(Math.abs(diff))}, ${chi}); ${tText}`;
  } else {
    verdict = 'weak';
    reason = `${byData}: ${chi}; χ² + 2ν lower by only ${fmt(Math.abs(diff))} (weak evidence: both geometries describe the data)`;
  }
  return { picked, verdict, reason, disk, horizon, ...(temperatureRatio === undefined ? {} : { temperatureRatio }) };
}

/**
 * The verdict on a finished horizon fit (quality.ts, the disk's rules): one
 * forward pass at the network's fitted weights (and κ) for the per-row residuals.
 */
export function assessHorizonFit(net: HorizonNetwork, table: ResponseTable | readonly ResponsePoint[], fit: HorizonFitResult): FitQuality {
  const { data } = net.prepare(table);
  // with a free scale the prediction is κ·χ_network
  return assessFit(fit, data.points, net.predict(table), data.invSigma, data.lines, 'horizon');
}

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
    throw new HoloringError(ModelErrorCodes.CHECKPOINT, `--init holds ${initGeometry} weights but the geometry asked for is ${mode}: pass --geometry ${initGeometry} or auto, or drop --init`, { geometry: mode });
  }
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
    return { ...makeOutput({ ...res, backend, checkpoint: disk!.checkpoint() }), geometry: 'disk' };
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
    return { ...net.checkpoint(), ...est, ...rc, ...withClampWarnings(assessHorizonFit(net, table, fit), clampWarnings), ...(uvProfile ? { delta_profile: uvProfile } : {}), elapsedMs: Math.round(fit.elapsedMs * 10) / 10 };
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

/** One live fit: the picked network's result with its checkpoint, and (auto) the choice. */
export type GeometryFit = (FitResult | (HorizonFitResult & FitQuality)) & {
  geometry: Geometry;
  checkpoint: Checkpoint | HorizonCheckpoint;
  choice?: GeometryChoice;
};

/**
 * The daemon's retraining over geometries: the disk network, the horizon network,
 * or both (`auto`, each warm-started from its previous fit on a pass budget, the
 * picked one run to convergence). Call after initBackend. Fits are synchronous.
 */
export class GeometryFitter {
  private readonly disk: MetricNetwork | null;
  private horizon: HorizonNetwork | null = null;
  private diskInit: 'ads' | 'current' | Checkpoint | Float64Array = 'ads';
  private horizonInit: 'scan' | 'current' | HorizonCheckpoint = 'scan';
  private clampWarnings: string[] = [];
  /** Where the latest fit started from (rollback() returns there). */
  private before: { disk: 'ads' | Checkpoint | Float64Array; horizon: 'scan' | HorizonCheckpoint | { net: HorizonNetwork; theta: Float64Array } } | null = null;

  /**
   * `delta` 'auto' fits Δ in the disk network as one more weight and profiles it in
   * the horizon network (horizon/fit.ts), each from `deltaStart` (default 1.5).
   * `freeScale` fits a free complex scale κ of χ with either network (scaledKernel.ts,
   * horizonScale.ts: for tables whose scale comes from a calibration reference). The
   * horizon network's first fit (and one from a checkpoint) chooses r_c by the
   * evidence; later rounds keep it.
   */
  constructor(readonly mode: GeometryOption, private readonly opts: { delta: number | 'auto'; deltaStart?: number; freeScale?: boolean; layers: number; nodes: number }) {
    this.disk = mode === 'horizon' ? null : createMetricNetwork(opts);
  }

  /** The next fits start afresh: the disk from pure AdS, the horizon from its r_h scan. */
  reset(): void {
    this.diskInit = 'ads';
    this.horizonInit = 'scan';
  }

  /** The next fit of the checkpoint's geometry starts from it. */
  warmStart(cp: Checkpoint | HorizonCheckpoint): void {
    if (checkpointGeometry(cp) === 'disk') this.diskInit = cp as Checkpoint;
    else this.horizonInit = cp as HorizonCheckpoint;
  }

  /**
   * Undoes the latest fit: the next one starts from where that fit started (the
   * weights of the fit before it, a checkpoint, or afresh), as if it had not run.
   * For a round that diverged, so its weights never seed the next.
   */
  rollback(): void {
    this.restore('disk');
    this.restore('horizon');
  }

  /** Undoes the latest fit of one geometry (rollback() of that geometry alone: one whose fit stopped). */
  private restore(g: Geometry): void {
    if (!this.before) return;
    const { disk, horizon } = this.before;
    if (g === 'disk') this.diskInit = disk;
    else if (typeof horizon === 'object' && 'net' in horizon) {
      // the network (its r_c, Δ and κ) and weights the latest fit started from
      this.horizon = horizon.net;
      this.horizon.setWeights(horizon.theta);
      this.horizonInit = 'current';
    } else this.horizonInit = horizon;
  }

  /**
   * Fits the table; `temperatureRatio` (sample T/T_HP) seeds r_h and breaks a tie of `auto`.
   * In `auto` a geometry whose fit stops (attemptGeometry: Δ ran out of its integer
   * interval, r_h ran away) is judged failed and the other still judged (`choice`:
   * verdict `only`, or `neither` when the other failed too; the stopped one's
   * `error`); the stopped geometry's next fit starts where this one started.
   * @throws RING_ERR_MODEL_NO_GEOMETRY in `auto` when both fits stopped (judgeAttempts);
   *   with one geometry, its fit's own errors (RING_ERR_DELTA_INTEGER, RING_ERR_MODEL_*).
   */
  fit(points: readonly ResponsePoint[], temperatureRatio?: number): GeometryFit {
    // all weights (with Δ and κ when they are fitted), not a checkpoint, which holds the metric's only
    this.before = {
      disk: this.diskInit === 'current' ? this.disk!.weights() : this.diskInit,
      horizon: this.horizonInit === 'current' ? { net: this.horizon!, theta: this.horizon!.weights() } : this.horizonInit,
    };
    const budget = this.mode === 'auto' ? { maxEvaluations: AUTO_PASS_BUDGET } : {};
    const fitDisk = (lm: typeof budget): GeometryFit => {
      const res = this.disk!.fit(points, { init: this.diskInit, lm });
      this.diskInit = 'current';
      return { ...res, geometry: 'disk', checkpoint: this.disk!.checkpoint() };
    };
    const fitHorizon = (lm: typeof budget): GeometryFit => {
      const { delta, deltaStart, freeScale } = this.opts;
      const r = fitHorizonGeometry(points, {
        delta, deltaStart, freeScale,
        // the horizon network keeps its own K (DEFAULT_HORIZON_SHAPE): `nodes` is the disk's
        shape: { layers: this.opts.layers },
        init: this.horizonInit === 'current' ? { net: this.horizon! } : this.horizonInit,
        rhGuess: temperatureRatio !== undefined && temperatureRatio > 1 ? temperatureRatio : undefined,
        maxEvaluations: lm.maxEvaluations,
      });
      this.horizon = r.net;
      this.horizonInit = 'current';
      // the clamp search's warnings hold for the rounds that keep its clamp and prior
      if (r.rcSearch) this.clampWarnings = r.clampWarnings ?? [];
      return { ...r.fit, ...withClampWarnings(assessHorizonFit(r.net, points, r.fit), this.clampWarnings), geometry: 'horizon', checkpoint: r.net.checkpoint() };
    };
    if (this.mode === 'disk') return fitDisk(budget);
    if (this.mode === 'horizon') return fitHorizon(budget);
    const attempt = (g: Geometry, run: () => GeometryFit): GeometryAttempt<GeometryFit> => {
      const a = attemptGeometry(run);
      // a stopped fit never seeds the next round: that geometry starts again where it started
      if (a.stopped) this.restore(g);
      return a;
    };
    const attempts: Record<Geometry, GeometryAttempt<GeometryFit>> = { disk: attempt('disk', () => fitDisk(budget)), horizon: attempt('horizon', () => fitHorizon(budget)) };
    const residuals = 2 * points.length;
    const choose = (): GeometryChoice => judgeAttempts(attempts.disk, attempts.horizon, residuals, temperatureRatio);
    const first = choose().picked, picked = attempts[first].fit!;
    if (!picked.converged) {
      attempts[first] = attempt(first, () => {
        const more = first === 'disk' ? fitDisk({}) : fitHorizon({});
        return { ...more, iterations: picked.iterations + more.iterations, elapsedMs: picked.elapsedMs + more.elapsedMs };
      });
    }
    // the choice again, with the picked fit's final figures (a failed fit is never decisive)
    const choice = choose();
    return { ...attempts[choice.picked].fit!, choice };
  }

  async dispose(): Promise<void> {
    await this.disk?.dispose();
    await this.horizon?.dispose();
  }
}
