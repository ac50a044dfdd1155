import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Observable } from 'rxjs';
import type { Daemon } from '../daemon/daemon.ts';
import type { Hub } from './hub.ts';
import type { LiveState } from './live.ts';

/**
 * The daemon's self-metrics in Prometheus text format (GET /metrics), through
 * prom-client, on a registry of its own (several servers may live in one
 * process, as in tests). Counters mirror the daemon's cumulative counts: at
 * each scrape they advance by what the daemon counted since the last one.
 * Process metrics (RSS, CPU, heap, event-loop lag) are prom-client's defaults,
 * prefixed `holoring_`.
 */
export interface MetricsSources {
  daemon: Daemon;
  hub: Hub;
  live: LiveState;
  /** Tensors held by the trainer's TensorFlow.js engine (absent or null: not reported). */
  tensors?: () => number | null;
  /** Fits as they complete, for the training-round histogram. */
  fits$: Observable<{ elapsedMs: number }>;
}

export interface ServerMetrics {
  registry: Registry;
  stop(): void;
}

export function createMetrics(src: MetricsSources): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'holoring_' });
  const status = () => src.daemon.status();

  /** A counter that follows a cumulative count read at scrape time. */
  const mirror = (name: string, help: string, labelNames: string[], read: () => Record<string, number> | number): void => {
    const seen = new Map<string, number>();
    new Counter({
      name, help, labelNames, registers: [registry],
      collect() {
        const v = read();
        const entries: [string, number][] = typeof v === 'number' ? [['', v]] : Object.entries(v);
        for (const [label, total] of entries) {
          const prev = seen.get(label) ?? 0;
          if (total > prev) {
            if (label === '') this.inc(total - prev);
            else this.inc({ [labelNames[0]]: label }, total - prev);
          }
          seen.set(label, Math.max(prev, total));
        }
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number | null): void => {
    new Gauge({
      name, help, registers: [registry],
      collect() {
        const v = read();
        if (v !== null) this.set(v);
      },
    });
  };

  mirror('holoring_frames_total', 'Frames received from the device', [], () => status().frames);
  mirror('holoring_sweeps_total', 'Complete frequency sweeps', [], () => status().sweeps);
  mirror('holoring_frames_skipped_total', 'Frames not used in the response table, by reason', ['reason'], () => status().skipped);
  mirror('holoring_device_checksum_errors_total', 'Frames refused for a bad checksum', [], () => status().device?.checksumErrors ?? 0);
  mirror('holoring_device_gaps_total', 'Holes in the device sequence numbers', [], () => status().device?.gaps ?? 0);
  mirror('holoring_device_missing_frames_total', 'Frames lost in sequence gaps', [], () => status().device?.missingFrames ?? 0);
  mirror('holoring_device_reconnects_total', 'Device reconnections', [], () => status().device?.reconnects ?? 0);
  mirror('holoring_journal_dropped_total', 'Raw frames the journal dropped (disk too slow)', [], () => status().journal?.dropped ?? 0);
  mirror('holoring_training_discarded_total', 'Training rounds discarded because they diverged (the last good estimate kept)', [], () => status().roundsDiscarded);
  mirror('holoring_training_skipped_total', 'Retrainings skipped because the previous one was still running', [], () => status().trainingsSkipped);
  mirror('holoring_ws_dropped_total', 'WebSocket messages not delivered, by topic:reason (coalesced | overflow)', ['edge'], () => src.hub.stats().dropped);
  mirror('holoring_ws_sent_bytes_total', 'Bytes of WebSocket messages written', [], () => src.hub.stats().bytes);
  gauge('holoring_journal_bytes', 'Bytes written to the journal of raw frames', () => status().journal?.bytes ?? null);
  gauge('holoring_influx_backlog', 'Points of the run not yet written to InfluxDB (estimated; 0 without a sink)', () => status().influx?.backlogPoints ?? null);
  gauge('holoring_influx_backlog_bytes', 'Bytes of the run not yet written to InfluxDB (0 without a sink)', () => status().influx?.backlogBytes ?? null);
  gauge('holoring_influx_pending_points', 'Points sent to InfluxDB and not yet acknowledged (0 without a sink)', () => status().influx?.pendingPoints ?? null);
  gauge('holoring_frame_rate_hz', 'Frames per second over the last five seconds', () => src.live.status().device.frameRateHz);
  gauge('holoring_ws_clients', 'Connected WebSocket clients', () => src.hub.stats().connected);
  gauge('holoring_event_loop_lag_p99_ms', 'Event-loop delay, 99th percentile over the last second', () => src.live.lagMs().p99);
  gauge('holoring_response_points', 'Cells (ω, k) in the response table', () => status().tablePoints);
  gauge('holoring_training_last_reduced_chi2', 'Reduced χ² of the latest fit', () => status().lastFit?.chi2 ?? null);
  if (src.tensors) gauge('holoring_tensors', 'Tensors held by the trainer\'s TensorFlow.js engine', () => src.tensors!());

  const rounds = new Histogram({
    name: 'holoring_training_round_seconds', help: 'Duration of each metric retraining', registers: [registry],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
  });
  const sub = src.fits$.subscribe((f) => rounds.observe(f.elapsedMs / 1000));
  return { registry, stop: () => sub.unsubscribe() };
}
