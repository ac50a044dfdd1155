import type { IPoint } from 'influx';
import type { RingFrame } from '../../contracts/frame.ts';

/**
 * InfluxDB point encoding of a run (README "InfluxDB measurements"). Every
 * point carries the tags `rig`, `run` and `device`; timestamps are nanoseconds
 * since the Unix epoch, as decimal strings (beyond 2^53, so never a JS number),
 * derived only from what the run's files hold, so writing a point twice
 * overwrites it instead of duplicating it.
 *
 *   frame     one per journaled frame; tag stage (acquisition | calibration);
 *             fields seq, device_time_us, omega, amplitude, temperature_k, flags,
 *             source_site, amp_<i> = √(x²+y²) and phase_<i> = atan2(y, x) (rad) per site i
 *   response  χ(Ω, k) of the table a round fitted; tag k; fields omega, gamma,
 *             chi_re, chi_im, sigma, n (when the table has it), round
 *   fit       one per round; fields chi2 (reduced χ²), iterations, elapsed_ms,
 *             points, round, sweep, backend
 *   metric    one per round and radius; tag r (3 decimals); fields f, g, f_err,
 *             g_err, f_rel = f/(1+r²), g_rel = g/(1+r²), resolution
 *   health    every 10 s; numeric fields of the daemon's counters
 */
export interface RunTags {
  rig: string;
  run: string;
  device: string;
  [tag: string]: string;
}

export const Measurements = { frame: 'frame', response: 'response', fit: 'fit', metric: 'metric', health: 'health' } as const;

/** Nanoseconds since the epoch of an ISO-8601 time (ms resolution). */
export function isoToNs(iso: string): bigint {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`not an ISO-8601 time: ${iso}`);
  return BigInt(ms) * 1_000_000n;
}

/** Only finite numbers (line protocol has no NaN or ∞) and non-empty strings. */
function cleanFields(fields: Record<string, number | string | undefined>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && v.length > 0) out[k] = v!;
  }
  return out;
}

/**
 * One `frame` point. `timeNs` is the acquisition time on the host clock (see
 * clock.ts); per-site amplitude √(x²+y²) and phase atan2(y, x) in radians.
 */
export function framePoint(frame: RingFrame, timeNs: bigint, tags: RunTags, stage: 'acquisition' | 'calibration'): IPoint {
  const fields: Record<string, number> = {
    seq: frame.seq, device_time_us: frame.deviceTimeUs, omega: frame.omega, amplitude: frame.amplitude,
    temperature_k: frame.temperatureK, flags: frame.flags, source_site: frame.sourceSite,
  };
  for (let i = 0; i < frame.x.length; i++) {
    const x = frame.x[i], y = frame.y[i];
    fields[`amp_${i}`] = Math.hypot(x, y);
    fields[`phase_${i}`] = Math.atan2(y, x);
  }
  return { measurement: Measurements.frame, tags: { ...tags, stage }, fields: cleanFields(fields), timestamp: timeNs.toString() };
}

/** The parts of a `fit` document (docs/runs.md) the sink projects. */
export interface FitDocument {
  type: 'fit';
  time: string;
  round: number;
  sweep?: number;
  chi2: number;
  iterations: number;
  elapsedMs: number;
  points: number;
  backend?: string;
  r: number[];
  f: number[];
  g: number[];
  f_err: number[];
  g_err: number[];
  resolution?: number[];
  table?: { points: { omega: number; gamma: number; k: number; chiRe: number; chiIm: number; sigma: number; n?: number }[] };
}

/** The `r` tag of a metric point: the radius with three decimals (the output grid is Δr = 0.025). */
export const radiusTag = (r: number): string => r.toFixed(3);

/**
 * The points of one fit document: one `fit`, one `metric` per radius (all at
 * the fit's time, told apart by the tag r) and one `response` per (ω, k) of
 * the fitted table. A response point's time is the fit's time plus the index
 * of its ω among the table's distinct ω, in ns, so that every (ω, k) is its
 * own point within the series of tag k.
 */
export function fitPoints(doc: FitDocument, tags: RunTags): IPoint[] {
  const t = isoToNs(doc.time);
  const ts = t.toString();
  const out: IPoint[] = [{
    measurement: Measurements.fit, tags, timestamp: ts,
    fields: cleanFields({ chi2: doc.chi2, iterations: doc.iterations, elapsed_ms: doc.elapsedMs, points: doc.points, round: doc.round, sweep: doc.sweep, backend: doc.backend }),
  }];
  for (let i = 0; i < doc.r.length; i++) {
    const r = doc.r[i];
    const ads = 1 + r * r;
    out.push({
      measurement: Measurements.metric, tags: { ...tags, r: radiusTag(r) }, timestamp: ts,
      fields: cleanFields({ f: doc.f[i], g: doc.g[i], f_err: doc.f_err[i], g_err: doc.g_err[i], f_rel: doc.f[i] / ads, g_rel: doc.g[i] / ads, resolution: doc.resolution?.[i] }),
    });
  }
  const table = doc.table?.points ?? [];
  const omegas = [...new Set(table.map((p) => p.omega))].sort((a, b) => a - b);
  const index = new Map(omegas.map((w, i) => [w, BigInt(i)]));
  for (const p of table) {
    out.push({
      measurement: Measurements.response, tags: { ...tags, k: String(p.k) }, timestamp: (t + index.get(p.omega)!).toString(),
      fields: cleanFields({ omega: p.omega, gamma: p.gamma, chi_re: p.chiRe, chi_im: p.chiIm, sigma: p.sigma, n: p.n, round: doc.round }),
    });
  }
  return out;
}

/** One `health` point from a flat record of numeric counters (non-finite values are left out). */
export function healthPoint(fields: Record<string, number>, timeNs: bigint, tags: RunTags): IPoint {
  return { measurement: Measurements.health, tags, timestamp: timeNs.toString(), fields: cleanFields(fields) };
}
