/**
 * The daemon's live fitter over geometries (trainer.ts): warm-started rounds of
 * the disk network, the horizon network, or both (`auto`, judged by choice.ts,
 * each fit attempted by attempt.ts).
 */
import type { ResponsePoint } from '../../contracts/response.ts';
import type { Checkpoint } from '../checkpoint.ts';
import { nearIntegerVerdict } from '../deltaFree.ts';
import { type HorizonCheckpoint, checkpointGeometry } from '../horizon/checkpoint.ts';
import { withClampWarnings } from '../horizon/clamp.ts';
import { fitHorizonGeometry } from '../horizon/fit.ts';
import type { HorizonFitResult, HorizonNetwork } from '../horizon/network.ts';
import { type FitResult, type MetricNetwork, createMetricNetwork } from '../network.ts';
import { type FitQuality, floorSigmaToPrecision } from '../quality.ts';
import { type GeometryAttempt, assessHorizonFit, attemptGeometry, judgeAttempts } from './attempt.ts';
import { AUTO_PASS_BUDGET, type Geometry, type GeometryChoice, type GeometryOption } from './choice.ts';

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
  fit(table: readonly ResponsePoint[], temperatureRatio?: number): GeometryFit {
    // a live table's rows more precise than the network resolves are weighed at its precision, not refused
    const { points, warning } = floorSigmaToPrecision(table, this.opts.layers);
    const fit = this.fitFloored(points, temperatureRatio);
    return warning ? { ...fit, warnings: [...fit.warnings, warning] } : fit;
  }

  private fitFloored(points: readonly ResponsePoint[], temperatureRatio?: number): GeometryFit {
    // all weights (with Δ and κ when they are fitted), not a checkpoint, which holds the metric's only
    this.before = {
      disk: this.diskInit === 'current' ? this.disk!.weights() : this.diskInit,
      horizon: this.horizonInit === 'current' ? { net: this.horizon!, theta: this.horizon!.weights() } : this.horizonInit,
    };
    const budget = this.mode === 'auto' ? { maxEvaluations: AUTO_PASS_BUDGET } : {};
    const fitDisk = (lm: typeof budget): GeometryFit => {
      const res = this.disk!.fit(points, { init: this.diskInit, lm });
      this.diskInit = 'current';
      return { ...nearIntegerVerdict(res, res.delta), geometry: 'disk', checkpoint: this.disk!.checkpoint() };
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
      return { ...r.fit, ...nearIntegerVerdict(withClampWarnings(assessHorizonFit(r.net, points, r.fit), this.clampWarnings), r.fit.delta), geometry: 'horizon', checkpoint: r.net.checkpoint() };
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
