import type { EmulatorCounters } from '../../tests/support/childDaemon.ts';
import type { SoakAccount } from './account.ts';
import type { PlannedFault, SoakPlan } from './plan.ts';

/** What the soak sampled of one daemon process (one per start; a SIGKILL and restart makes a new one). */
export interface ProcessSample {
  pid: number;
  startedAt: number;
  /** RSS and V8 heap used (bytes), sampled only at quiet moments (no fault or recovery in progress, InfluxDB caught up). */
  rss: { t: number; v: number }[];
  heap: { t: number; v: number }[];
  tensors: { t: number; v: number }[];
  lagMaxMs: number;
}

export interface ProcessGrowth {
  pid: number;
  /** Lowest RSS over the first `RSS_WINDOW_S` of quiet samples after the process's own warm-up, and over its last `RSS_WINDOW_S` (bytes). */
  rssStart: number;
  rssEnd: number;
  /** rssEnd / rssStart − 1. */
  growth: number;
  /** Lowest V8 heap used in the same two windows (bytes): the live heap after a major collection; a leak in JavaScript grows it too. */
  heapStart: number;
  heapEnd: number;
  tensorsStart: number | null;
  tensorsEnd: number | null;
  /** Seconds between the two windows. */
  spanS: number;
  /** Whether the span is long enough to judge (MIN_RSS_SPAN_S). */
  judged: boolean;
}

/** RSS growth must stay below this (fraction), after warm-up. */
export const MAX_RSS_GROWTH = 0.05;
/**
 * RSS growth is judged over at least this many seconds after a process's
 * warm-up: over a shorter span it measures the heap and the allocator
 * settling, not a leak (a 2-minute soak reports its RSS without judging it).
 */
export const MIN_RSS_SPAN_S = 300;

/**
 * Seconds of each window RSS is compared over. The daemon's heap is a
 * sawtooth (heap used climbs by ~150 MB between major collections, seconds to
 * a minute apart, and RSS with it), so a single sample or a 10 s median says
 * where in the cycle it was taken; the lowest value over a window spanning
 * several collections is the floor after one, comparable between windows.
 */
export const RSS_WINDOW_S = 120;

/**
 * RSS, heap and tensors of each daemon process that lived at least two
 * warm-ups, from its quiet samples only (see ProcessSample), as the lowest
 * value (the floor after a major collection) in two windows of `RSS_WINDOW_S`:
 * from its first quiet sample after its own warm-up (`warmupS` from its start;
 * a restarted daemon is compared with itself, never with the process it
 * replaced), and its last quiet samples.
 */
export function rssGrowth(samples: readonly ProcessSample[], warmupS: number): ProcessGrowth[] {
  const out: ProcessGrowth[] = [];
  const win = (xs: { t: number; v: number }[], a: number, b: number): number => Math.min(...xs.filter((s) => s.t >= a && s.t < b).map((s) => s.v));
  const w = RSS_WINDOW_S * 1000;
  for (const p of samples) {
    const first = p.rss.find((s) => s.t >= p.startedAt + warmupS * 1000);
    const last = p.rss.at(-1);
    if (!first || !last || last.t - p.startedAt < 2 * warmupS * 1000) continue;
    const rssStart = win(p.rss, first.t, first.t + w), rssEnd = win(p.rss, last.t - w + 1, last.t + 1);
    const heapStart = win(p.heap, first.t, first.t + w), heapEnd = win(p.heap, last.t - w + 1, last.t + 1);
    const t0 = p.tensors.find((s) => s.t >= first.t);
    const spanS = Math.round((last.t - first.t) / 1000);
    out.push({ pid: p.pid, rssStart, rssEnd, growth: rssEnd / rssStart - 1, heapStart, heapEnd, tensorsStart: t0?.v ?? null, tensorsEnd: p.tensors.at(-1)?.v ?? null, spanS, judged: spanS >= MIN_RSS_SPAN_S });
  }
  return out;
}

/** A fault as played: planned (`at`) and actual start and end, and how long after its end frames flowed again (s after the origin). */
export type FaultRecord = PlannedFault & {
  survived: boolean;
  /** Not played: no time left before the settling time after earlier faults ran late. */
  skipped?: boolean;
  startS?: number;
  endS?: number;
  recoveryS?: number | null;
  note?: string;
};

/** One line of the actual timeline. */
export function describeFault(f: FaultRecord): string {
  if (f.skipped) return `${f.kind} (planned t=${f.at} s) skipped`;
  const rate = f.rate !== undefined ? ` ${(f.rate * 100).toFixed(1)}%` : '';
  return `t=${f.startS!.toFixed(1)}–${f.endS!.toFixed(1)} s ${f.kind}${rate} (planned t=${f.at} s, ${f.seconds} s): ${f.survived ? `frames again ${f.recoveryS!.toFixed(1)} s after its end` : 'NOT survived'}`;
}

/** The reasons to fail (empty: the soak passed). */
export function judge(a: SoakAccount, inInflux: number, growth: readonly ProcessGrowth[]): string[] {
  const f: string[] = [];
  if (a.unaccounted !== 0) f.push(`${a.unaccounted} frame(s) unaccounted for (numbered by the device, neither journaled nor documented as missing)${a.undocumented.length ? `; undocumented holes: ${a.undocumented.slice(0, 5).map((h) => `boot ${h.boot} seq ${h.from}–${h.to}`).join(', ')}` : ''}`);
  if ((a.missing.journal ?? 0) > 0) f.push(`${a.missing.journal} accepted frame(s) missing from the journal`);
  a.sessions.forEach((s, i) => {
    if (s.received !== null && s.journaled !== null && s.journaled < s.received - (s.duplicates ?? 0)) f.push(`session ${i + 1}: ${s.received} frames received, ${s.journaled} journaled`);
  });
  if (inInflux !== a.journaled) f.push(`${a.journaled} frames journaled, ${inInflux} in InfluxDB`);
  for (const g of growth) if (g.judged && g.growth > MAX_RSS_GROWTH) f.push(`RSS of daemon ${g.pid} grew ${(g.growth * 100).toFixed(1)}% after warm-up (${mb(g.rssStart)} → ${mb(g.rssEnd)} MB)`);
  return f;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const mb = (b: number): string => (b / 2 ** 20).toFixed(1);

export interface ReportInput {
  plan: SoakPlan;
  account: SoakAccount;
  emulator: EmulatorCounters;
  inInflux: number;
  faults: FaultRecord[];
  samples: readonly ProcessSample[];
  growth: readonly ProcessGrowth[];
  runId: string;
  speed: number;
  rate: number;
}

/** The end-of-soak table (text) and the JSON summary. */
export function formatReport(r: ReportInput): { table: string; json: Record<string, unknown> } {
  const a = r.account;
  const byKind: Record<string, { injected: number; survived: number }> = {};
  const skipped = r.faults.filter((f) => f.skipped).length;
  for (const f of r.faults) {
    if (f.skipped) continue;
    const k = (byKind[f.kind] ??= { injected: 0, survived: 0 });
    k.injected++;
    if (f.survived) k.survived++;
  }
  const slowest = r.faults.filter((f) => typeof f.recoveryS === 'number').sort((a, b) => b.recoveryS! - a.recoveryS!)[0];
  const lagMaxMs = Math.max(0, ...r.samples.map((s) => s.lagMaxMs));
  const last = r.growth.at(-1);
  const rows: [string, string][] = [
    ['run', `${r.runId} (seed ${r.plan.seed}, ${r.plan.durationS} s, emulator ${r.rate} frames/s × speed ${r.speed})`],
    ['frames numbered by the device', `${a.numbered} in ${a.boots} boot(s) (sent ${r.emulator.sent}, of them corrupted ${r.emulator.corrupted}; dropped at the source ${r.emulator.dropped}; not sent, link absent or full ${r.emulator.unsent}; line-noise bursts ${r.emulator.garbage})`],
    ['accepted and journaled', `${a.journaled}`],
    ['in InfluxDB (frame points)', `${r.inInflux}`],
    ...Object.entries(a.missing).sort().map(([c, n]): [string, string] => [`missing: ${c}`, `${n}`]),
    ['missing: lost at a device restart', `${a.lostAtRestart} (after the last frame received before the device rebooted: no host can know them)`],
    ['duplicates', `${a.duplicates}`],
    ['unaccounted', `${a.unaccounted}${a.uncountedGaps ? ` (${a.uncountedGaps} gap document(s) without a count)` : ''}`],
    ['faults injected / survived', (Object.entries(byKind).map(([k, v]) => `${k} ${v.survived}/${v.injected}`).join(', ') || 'none') + (skipped ? `; ${skipped} skipped (no time left)` : '')],
    ['slowest recovery after a fault ended', slowest ? `${slowest.recoveryS!.toFixed(1)} s (${slowest.kind})` : '–'],
    ['daemon processes', `${r.samples.length} (${r.samples.length - 1} restart(s) after SIGKILL)`],
    ...r.growth.map((g): [string, string] => [`RSS, process ${g.pid}`, `lowest ${mb(g.rssStart)} MB in the ${RSS_WINDOW_S} s after its warm-up → ${mb(g.rssEnd)} MB in its last ${RSS_WINDOW_S} s, ${g.spanS} s later (${g.growth >= 0 ? '+' : ''}${(g.growth * 100).toFixed(1)}%${g.judged ? '' : `; not judged: under ${MIN_RSS_SPAN_S} s`}); heap used ${mb(g.heapStart)} → ${mb(g.heapEnd)} MB`]),
    ['tensors (trainer)', last ? `${last.tensorsStart ?? '–'} after warm-up → ${last.tensorsEnd ?? '–'} at the end` : '–'],
    ['max event-loop lag', `${lagMaxMs.toFixed(1)} ms (worst second sampled, the seconds of a daemon freeze left out)`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const table = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
  const json = {
    seed: r.plan.seed, seconds: r.plan.durationS, speed: r.speed, rate: r.rate, run: r.runId,
    sent: a.numbered, accepted: a.journaled, journaled: a.journaled, influx: r.inInflux,
    missing: { ...a.missing, 'lost-at-restart': a.lostAtRestart }, duplicates: a.duplicates, unaccounted: a.unaccounted,
    faults: byKind, faultsSkipped: skipped,
    timeline: r.faults.map((f) => ({ kind: f.kind, planned: f.at, seconds: f.seconds, ...(f.skipped ? { skipped: true } : { start: round1(f.startS!), end: round1(f.endS!), recovery: f.recoveryS === null ? null : round1(f.recoveryS!) }) })),
    rss: r.growth.map((g) => ({ pid: g.pid, start: g.rssStart, end: g.rssEnd, heapStart: g.heapStart, heapEnd: g.heapEnd, growth: Math.round(g.growth * 10_000) / 10_000, judged: g.judged })),
    tensors: last ? { start: last.tensorsStart, end: last.tensorsEnd } : null,
    eventLoopLagMaxMs: Math.round(lagMaxMs * 10) / 10,
  };
  return { table, json };
}
