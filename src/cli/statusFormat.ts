import type { Alarm } from '../alarms/types.ts';
import type { StatusView } from '../server/live.ts';

/**
 * The few fields of `GET /api/metric` that `holoring status` prints: the
 * geometry of the latest fit and, for a black hole, the horizon radius r_h and
 * the Hawking temperature T (units v/R) with their 1σ (docs/api.md).
 */
export interface MetricGlance {
  geometry?: string;
  round?: number;
  chi2?: number;
  rh?: number;
  rh_err?: number;
  temperature?: number;
  temperature_err?: number;
  sampleTemperatureRatio?: number;
  choice?: { reason?: string };
}

/** What `holoring status` asked the daemon: its status, its latched alarms (null: not known) and its latest metric (null: no fit yet). */
export interface StatusGlance {
  status: StatusView;
  alarms: readonly Alarm[] | null;
  metric: MetricGlance | null;
}

/** "1 round", "2 rounds". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** T_HP = 1/2π in units of v/R (physics.md: the Hawking–Page point of global AdS₃). */
const T_HP = 1 / (2 * Math.PI);

const pm = (v: number, err: number | undefined, digits: number): string => `${v.toFixed(digits)}${err !== undefined ? ` ± ${err.toFixed(digits)}` : ''}`;

/** The geometry line: the disk, or the black hole with r_h ± σ and T ± σ (v/R and T/T_HP). */
function geometryLine(m: MetricGlance): string {
  const chi2 = m.chi2 !== undefined ? `, reduced χ² ${m.chi2.toFixed(3)}` : '';
  const sample = m.sampleTemperatureRatio !== undefined ? `; sample at ${m.sampleTemperatureRatio.toFixed(2)} T_HP` : '';
  const why = m.choice?.reason ? ` (${m.choice.reason})` : '';
  if (m.geometry === 'horizon' && m.rh !== undefined) {
    const t = m.temperature !== undefined ? `, T = ${pm(m.temperature, m.temperature_err, 4)} v/R (${(m.temperature / T_HP).toFixed(2)} T_HP)` : '';
    return `geometry: black hole, r_h = ${pm(m.rh, m.rh_err, 4)}${t}${chi2}${sample}${why}`;
  }
  return `geometry: ${m.geometry === 'horizon' ? 'black hole' : 'disk (regular centre)'}${chi2}${sample}${why}`;
}

/** One latched alarm: severity, state, since when, what and what to do. */
function alarmLine(a: Alarm): string {
  const state = a.state === 'raised' ? 'active' : a.state === 'acknowledged' ? `active, acknowledged${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}` : 'cleared, not acknowledged';
  return `  ${a.severity.toUpperCase()} ${a.rule} (${state}) since ${a.raisedAt}: ${a.message} — ${a.action}`;
}

/**
 * A status for a person: daemon, device, frame account, sweeps, trainer, the
 * latest fit's geometry (r_h and T for a black hole), and every latched alarm
 * with its severity and since when (active ones first).
 */
export function formatStatus({ status: s, alarms, metric }: StatusGlance): string {
  const a = s.device.counters?.account;
  const missing = a ? Object.entries(a.missing).map(([k, n]) => `${k} ${n}`).join(', ') : '';
  const rounds = s.trainer?.rounds ?? 0;
  const lines = [
    `daemon ${s.state}${s.error ? ` (${s.error})` : ''}, up ${s.uptimeS} s${s.run?.id ? `, run ${s.run.id}` : ''}`,
    `device ${s.device?.state ?? '—'}${s.device?.identity ? ` ${s.device.identity.model} ${s.device.identity.serial}` : ''}, ${s.device?.frameRateHz ?? 0} frames/s`,
    a ? `frames: ${a.received} received, ${Object.values(a.missing).reduce<number>((x, y) => x + (y ?? 0), 0)} missing${missing ? ` (${missing})` : ''}, ${plural(a.duplicates, 'duplicate')}; seq ${a.firstSeq ?? '—'}…${a.lastSeq ?? '—'}` : `frames: ${s.pipeline?.frames ?? 0}`,
    `${plural(s.pipeline?.sweeps ?? 0, 'sweep')}, table points ${s.pipeline?.tablePoints ?? 0}, calibration ${s.pipeline?.calibrationVersion ?? 'none'}`,
    `trainer: ${plural(rounds, 'round')}${s.trainer?.discarded ? ` (${s.trainer.discarded} discarded)` : ''}, last reduced χ² ${s.trainer?.lastChi2 != null ? Number(s.trainer.lastChi2).toFixed(3) : '—'}`,
  ];
  if (metric) lines.push(geometryLine(metric));
  if (alarms === null) lines.push('alarms: unknown (GET /api/alarms did not answer)');
  else if (alarms.length === 0) lines.push('alarms: none');
  else {
    const order = [...alarms].sort((x, y) => Number(y.active) - Number(x.active) || x.raisedAt.localeCompare(y.raisedAt));
    lines.push(`alarms: ${alarms.filter((x) => x.active).length} active, ${plural(alarms.length, 'latched alarm')}`, ...order.map(alarmLine));
  }
  return lines.join('\n');
}
