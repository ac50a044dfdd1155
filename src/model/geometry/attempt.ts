/**
 * One geometry's fit in `auto`, attempted: a fit that stops with an error that
 * says nothing about the table's validity (Δ ran out of its integer interval,
 * r_h or the weights ran away) is judged failed and the other geometry is still
 * judged. The one step of `holoring reconstruct --geometry auto`
 * (reconstruct.ts) and the daemon's rounds (fitter.ts).
 */
import type { ResponsePoint, ResponseTable } from '../../contracts/response.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { ModelErrorCodes } from '../data.ts';
import type { HorizonFitResult, HorizonNetwork } from '../horizon/network.ts';
import { type FitQuality, assessFit } from '../quality.ts';
import { type Geometry, type GeometryChoice, type GeometryFigures, chooseGeometry, geometryFigures } from './choice.ts';

/**
 * Error codes that end one geometry's fit without saying anything about the table's
 * validity: in `auto` the other geometry is still judged. RING_ERR_MODEL_TOO_FEW_POINTS
 * is one of them: a table of fewer rows than one network's weights (the horizon
 * network's 2K + 1 = 33) can still be fitted by the other (the disk's nodes follow
 * the table, nodesForTable); only when both stop with it is the table refused.
 */
export const FIT_OUTCOME_CODES: ReadonlySet<string> = new Set([ModelErrorCodes.DIVERGED, ErrorCodes.DELTA_INTEGER, ModelErrorCodes.TOO_FEW_POINTS]);

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
 * interval; RING_ERR_MODEL_DIVERGED: r_h or the weights ran away;
 * RING_ERR_MODEL_TOO_FEW_POINTS: fewer rows than its weights) gives
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
 * @throws RING_ERR_MODEL_TOO_FEW_POINTS (the disk's refusal) when both stopped for too
 *   few rows: a refusal of the table; RING_ERR_MODEL_NO_GEOMETRY (context: `disk`,
 *   `horizon`: each one's code) when both stopped otherwise: there is no fit to report.
 */
export function judgeAttempts(disk: GeometryAttempt<FigureSource>, horizon: GeometryAttempt<FigureSource>, residuals: number, temperatureRatio?: number): GeometryChoice {
  if (disk.stopped && horizon.stopped) {
    // neither network has as few weights as the table has rows: the table is refused, as with one geometry
    if (disk.stopped.code === ModelErrorCodes.TOO_FEW_POINTS && horizon.stopped.code === ModelErrorCodes.TOO_FEW_POINTS) throw disk.stopped;
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
 * The verdict on a finished horizon fit (quality.ts, the disk's rules): one
 * forward pass at the network's fitted weights (and κ) for the per-row residuals.
 */
export function assessHorizonFit(net: HorizonNetwork, table: ResponseTable | readonly ResponsePoint[], fit: HorizonFitResult): FitQuality {
  const { data } = net.prepare(table);
  // with a free scale the prediction is κ·χ_network
  return assessFit(fit, data.points, net.predict(table), data.invSigma, data.lines, 'horizon');
}
