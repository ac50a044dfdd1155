import { type Observable, type SchedulerLike, type Subscription, asyncScheduler, interval } from 'rxjs';
import { type AlarmEngine, createAlarms, diskFreeBytes } from '../alarms/index.ts';
import type { AlarmsConfig } from '../config/alarms.ts';
import type { RingDevice } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import type { Logger } from '../log.ts';
import type { AlarmDoc, DocumentBody } from '../storage/documents.ts';
import type { RunRecorder } from '../storage/run.ts';

/** How often the free space of the data directory is read (ms). */
export const DISK_POLL_MS = 10_000;

/** What the daemon tells the alarms besides the device and the run. */
export interface AlarmFeed {
  /** Host time since which frames are expected (null: none expected now). */
  expectingSince(): number | null;
  /** The latest training round (null before the first; discarded: it diverged). */
  lastRound(): { round: number; chi2: number; discarded?: boolean } | null;
  /** The active calibration record (null: none). */
  calibration(): { version: string; createdAt: string } | null;
  /** Accepted frames missing from the journal. */
  journalShortfall(): number;
  /** Bytes of the run not yet in InfluxDB (absent: no InfluxDB sink). */
  influxBacklogBytes?: () => number | null;
}

export interface DaemonAlarms {
  readonly engine: AlarmEngine;
  /** Starts evaluating the rules on the running daemon's inputs. */
  watch(opts: { device: RingDevice; frames$: Observable<RingFrame>; feed: AlarmFeed }): void;
  /** Stops evaluating and waits for the alarm sinks (webhook deliveries) in flight. */
  stop(): Promise<void>;
}

/**
 * The alarm engine of a daemon: its sinks (the log, the run's `alarm`
 * documents once the run is open, the webhook) and, once watching, its inputs
 * taken each `alarms.evaluateMs` from the device counters, the last frame, the
 * trainer, the journal, InfluxDB and the free space of the run's directory.
 */
export function daemonAlarms(config: AlarmsConfig, opts: { logger: Logger; run: () => RunRecorder | null; scheduler?: SchedulerLike }): DaemonAlarms {
  const scheduler = opts.scheduler ?? asyncScheduler;
  const engine = createAlarms(config, {
    logger: opts.logger,
    scheduler,
    appendDocument: ({ type, id, rule, severity, state, message, action, value, who, closed }) => {
      const body: DocumentBody<AlarmDoc> & { value: number | null; closed: boolean; who?: string } = { type, id, rule, severity, state, message, action, value, closed, ...(who ? { who } : {}) };
      opts.run()?.document<AlarmDoc>(body);
    },
  });
  const subs: Subscription[] = [];
  return {
    engine,
    watch({ device, frames$, feed }) {
      const run = opts.run();
      let lastFrame: { atMs: number; temperatureK: number } | null = null;
      let diskFree: number | null | undefined;
      subs.push(frames$.subscribe((f) => (lastFrame = { atMs: scheduler.now(), temperatureK: f.temperatureK })));
      if (run && config.enabled && config.diskSpace.enabled) {
        const poll = (): void => void diskFreeBytes(run.dir).then((b) => (diskFree = b));
        poll();
        subs.push(interval(DISK_POLL_MS, scheduler).subscribe(poll));
      }
      engine.run(() => {
        const c = device.counters();
        return {
          expectingDataSinceMs: feed.expectingSince(),
          lastFrameAtMs: lastFrame?.atMs ?? null,
          framesAccepted: c.frames,
          checksumErrors: c.checksumErrors,
          missingFrames: c.missingFrames,
          temperatureK: lastFrame?.temperatureK ?? null,
          fit: feed.lastRound(),
          calibration: feed.calibration(),
          journalShortfall: run ? feed.journalShortfall() : null,
          ...(feed.influxBacklogBytes ? { influxBacklogBytes: feed.influxBacklogBytes() } : {}),
          ...(diskFree !== undefined ? { diskFreeBytes: diskFree } : {}),
        };
      });
    },
    async stop() {
      subs.splice(0).forEach((s) => s.unsubscribe());
      await engine.stop();
    },
  };
}
