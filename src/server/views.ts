import type { AccumulatedResponse, CalibratedFrame } from '../contracts/calibration.ts';
import { FrameFlags } from '../contracts/frame.ts';
import type { GeometryFit, MetricEstimate } from '../model/index.ts';
import type { HorizonCentre, Metric } from '../physics/metric.ts';
import { sig } from './protocol.ts';

/**
 * The payloads of the API and of the WebSocket messages, built from what the
 * daemon reports. Plotted numbers are rounded to the digits a chart can show
 * (6 significant digits for the metric, 4 for ring readings) to keep messages small.
 */

/** The ring at the current drive frequency: every site's amplitude |z| and phase arg z (rad) of one frame. */
export interface RingView {
  /** Device sequence number of the frame. */
  seq: number;
  /** Drive frequency ω (units v/R). */
  omega: number;
  sourceSite: number;
  /** Source amplitude J₀. */
  drive: number;
  amplitude: number[];
  /** Phase in radians, (−π, π]. */
  phase: number[];
  status: CalibratedFrame['status'];
  calibrationVersion: string | null;
  flags: number;
  simulated: boolean;
  /** Host time (ms since the epoch, sub-ms) the frame left the calibration stage. */
  receivedAt: number;
}

export function ringView(f: CalibratedFrame, receivedAt: number): RingView {
  const n = f.x.length;
  const amplitude = new Array<number>(n);
  const phase = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    amplitude[j] = sig(Math.hypot(f.x[j], f.y[j]), 4);
    phase[j] = sig(Math.atan2(f.y[j], f.x[j]), 4);
  }
  return {
    seq: f.seq, omega: f.omega, sourceSite: f.sourceSite, drive: f.amplitude, amplitude, phase, status: f.status,
    calibrationVersion: f.calibrationVersion, flags: f.flags, simulated: (f.flags & FrameFlags.SIMULATED) !== 0, receivedAt,
  };
}

/** Model χ at a table cell, keyed by `cellKey`. */
export type Prediction = Map<string, { re: number; im: number }>;
export const cellKey = (omega: number, k: number): string => `${omega}|${Math.abs(k)}`;

/** The response table in columns, with the latest fit's prediction at each cell (null where none yet). */
export interface ResponseView {
  calibrationVersion: string | null;
  frames: number;
  gamma: number | null;
  omega: number[];
  k: number[];
  re: number[];
  im: number[];
  /** 1σ per real component. */
  sigma: number[];
  modelRe: (number | null)[];
  modelIm: (number | null)[];
  /** Round of the fit the model columns come from (null: no fit yet). */
  modelRound: number | null;
}

export function responseView(t: AccumulatedResponse, prediction: Prediction | null, modelRound: number | null): ResponseView {
  const v: ResponseView = {
    calibrationVersion: t.calibrationVersion, frames: t.frames, gamma: t.points[0]?.gamma ?? null,
    omega: [], k: [], re: [], im: [], sigma: [], modelRe: [], modelIm: [], modelRound: prediction ? modelRound : null,
  };
  for (const p of t.points) {
    v.omega.push(p.omega);
    v.k.push(p.k);
    v.re.push(sig(p.chiRe, 5));
    v.im.push(sig(p.chiIm, 5));
    v.sigma.push(sig(p.sigma, 3));
    const m = prediction?.get(cellKey(p.omega, p.k));
    v.modelRe.push(m ? sig(m.re, 5) : null);
    v.modelIm.push(m ? sig(m.im, 5) : null);
  }
  return v;
}

/** One training round (one fit) as the training panel plots it. */
export interface RoundView {
  round: number;
  sweep: number;
  /** Reduced χ². */
  chi2: number;
  /** Full loss: χ² + smoothness prior. */
  loss: number;
  iterations: number;
  elapsedMs: number;
  points: number;
  backend: string;
  converged: boolean;
  /** ISO-8601 time the fit arrived. */
  at: string;
}

/** The latest metric estimate (GET /api/metric and `fit` messages): the estimate's arrays (f, g with 1σ, resolution) and reduced χ². */
export interface MetricView extends Pick<MetricEstimate, 'r' | 'f' | 'g' | 'f_err' | 'g_err' | 'resolution' | 'chi2'> {
  round: number;
  sweep: number;
  updatedAt: string;
  calibration: string | null;
  points: number;
  backend: string;
  /** disk or horizon; for a horizon, r_h and the Hawking temperature (units v/R) with 1σ. */
  geometry: 'disk' | 'horizon';
  rh?: number;
  rh_err?: number;
  temperature?: number;
  temperature_err?: number;
  /** Horizon: r_c, beyond which the network imposes BTZ (α = β = 0). */
  rc?: number;
  /** With model.geometry auto: the choice, in words, with both fits' reduced χ² and criterion χ² + 2ν. */
  choice?: { picked: 'disk' | 'horizon'; reason: string; disk: { chi2: number; criterion: number }; horizon: { chi2: number; criterion: number } };
  /** Sample temperature of the frames in units of T_HP, when alarms.sampleTemperature gives the Hawking–Page point. */
  sampleTemperatureRatio?: number;
}

const rounded = (a: readonly number[]): number[] => a.map((x) => sig(x, 6));

export function metricView(
  fit: GeometryFit & { sweep: number }, round: number,
  info: { updatedAt: string; calibration: string | null; points: number; backend: string; sampleTemperatureRatio?: number },
): MetricView {
  const rCRatio = 'rCRatio' in fit.checkpoint ? fit.checkpoint.rCRatio : null;
  const horizon = 'rh' in fit
    ? { rh: fit.rh, rh_err: fit.rh_err, temperature: fit.temperature, temperature_err: fit.temperature_err, ...(rCRatio !== null ? { rc: sig(fit.rh * rCRatio, 6) } : {}) }
    : {};
  const figures = (g: { chi2: number; criterion: number }) => ({ chi2: g.chi2, criterion: g.criterion });
  const c = fit.choice;
  const { sampleTemperatureRatio, ...rest } = info;
  return {
    round, sweep: fit.sweep, r: rounded(fit.r), f: rounded(fit.f), g: rounded(fit.g), f_err: rounded(fit.f_err), g_err: rounded(fit.g_err),
    resolution: rounded(fit.resolution), chi2: fit.chi2, ...rest, geometry: fit.geometry ?? 'disk', ...horizon,
    ...(c ? { choice: { picked: c.picked, reason: c.reason, disk: figures(c.disk), horizon: figures(c.horizon) } } : {}),
    ...(sampleTemperatureRatio !== undefined ? { sampleTemperatureRatio } : {}),
  };
}

export function roundView(fit: GeometryFit & { sweep: number }, round: number, points: number, backend: string, at: string): RoundView {
  return { round, sweep: fit.sweep, chi2: fit.chi2, loss: fit.loss, iterations: fit.iterations, elapsedMs: fit.elapsedMs, points, backend, converged: fit.converged, at };
}

/**
 * The simulated ring's true bulk metric on a radial grid (dashed on the metric
 * panel): f and g, and each over the truth's own reference, `fRel` = f/f_ref and
 * `gRel` = g/g_ref, with f_ref = g_ref = 1 + r² (pure AdS) for a regular centre and
 * r² − r_h² at the truth's own horizon r_h (BTZ; e^α and e^β, physics.md §11) for a
 * black hole, whose grid then starts at r_h. A fit is drawn over BTZ at its own
 * r_h and the truth over BTZ at the true r_h, so the curves compare α with α; a
 * shared reference at the fitted r_h would divide the truth by almost zero near
 * the horizon (and change sign between the two horizons).
 */
export interface TruthView {
  label: string;
  /** The true horizon radius (black-hole truths only). */
  rh?: number;
  r: number[];
  f: number[];
  g: number[];
  fRel: number[];
  gRel: number[];
}

/** f/(r² − r_h²) and g/(r² − r_h²) of a black hole: e^α, e^β where the metric gives α, β (exact at r_h), else the ratio (BTZ: 1). */
function relToBtz(m: Metric, c: HorizonCentre, r: number): [number, number] {
  if (c.alpha && c.beta) return [Math.exp(c.alpha(r)), Math.exp(c.beta(r))];
  const z = (r - c.rh) * (r + c.rh);
  return z > 0 ? [m.f(r) / z, m.g(r) / z] : [1, 1];
}

export function truthView(m: Metric, rMax = 8, dr = 0.05): TruthView {
  const c = m.centre;
  const v: TruthView = { label: m.label, ...(c.type === 'horizon' ? { rh: c.rh } : {}), r: [], f: [], g: [], fRel: [], gRel: [] };
  const push = (r: number, fRel: number, gRel: number): void => {
    v.r.push(sig(r, 6));
    v.f.push(sig(m.f(r), 6));
    v.g.push(sig(m.g(r), 6));
    v.fRel.push(sig(fRel, 6));
    v.gRel.push(sig(gRel, 6));
  };
  for (let i = 0; i * dr <= rMax + 1e-9; i++) {
    const r = i * dr;
    if (c.type === 'regular') push(r, m.f(r) / (1 + r * r), m.g(r) / (1 + r * r));
    else if (r > c.rh + 1e-9) {
      if (v.r.length === 0) push(c.rh, ...relToBtz(m, c, c.rh));
      push(r, ...relToBtz(m, c, r));
    }
  }
  return v;
}
