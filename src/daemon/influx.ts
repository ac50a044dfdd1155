import type { InfluxConfig } from '../config/influx.ts';
import type { Logger } from '../log.ts';
import { type InfluxSink, createInfluxSink } from '../storage/influx/sink.ts';
import type { DaemonStatus } from './daemon.ts';

/**
 * The daemon's counters as the numeric fields of one InfluxDB `health` point
 * (README "InfluxDB measurements"; the sink adds its own `influx_*` fields).
 * Counters are totals since the daemon started; a missing part (no journal,
 * no fit yet) leaves its fields out.
 */
export function healthFields(st: DaemonStatus): Record<string, number> {
  const sum = (r: Record<string, number> | undefined): number => Object.values(r ?? {}).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {
    frames: st.frames,
    sweeps: st.sweeps,
    table_points: st.tablePoints,
    trainings_skipped: st.trainingsSkipped,
    skipped_total: sum(st.skipped),
    frames_received: st.accounting.received,
    frames_journaled: st.accounting.journaled,
    frames_missing: sum(st.accounting.missing),
    frames_duplicates: st.accounting.duplicates,
  };
  for (const [reason, n] of Object.entries(st.skipped)) out[`skipped_${reason.replace(/[^A-Za-z0-9_]/g, '_')}`] = n;
  if (st.device) {
    Object.assign(out, {
      device_frames: st.device.frames, device_bytes: st.device.bytes, device_checksum_errors: st.device.checksumErrors,
      device_rejects: sum(st.device.rejects), device_gaps: st.device.gaps, device_missing_frames: st.device.missingFrames, device_reconnects: st.device.reconnects,
      ...(st.device.sequenceResets !== undefined ? { device_sequence_resets: st.device.sequenceResets } : {}),
    });
  }
  if (st.journal) Object.assign(out, { journal_bytes: st.journal.bytes, journal_frames: st.journal.frames, journal_pending: st.journal.pending, journal_dropped: st.journal.dropped, journal_segments: st.journal.segments });
  if (st.lastFit) Object.assign(out, { last_chi2: st.lastFit.chi2, last_fit_points: st.lastFit.points });
  return out;
}

/**
 * The daemon's `openInfluxSink` for a configured target: the run's sink, with
 * a `health` point of the daemon's counters every `healthEveryMs` (10 s).
 */
export function influxSinkFor(target: InfluxConfig, logger: Logger, opts: { healthEveryMs?: number } = {}) {
  return (run: { id: string; dir: string }, status: () => DaemonStatus): InfluxSink =>
    createInfluxSink({ runDir: run.dir, target, logger, health: { read: () => healthFields(status()), everyMs: opts.healthEveryMs ?? 10_000 } });
}
