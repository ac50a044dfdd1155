import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Observable, Subscription } from 'rxjs';
import { parseDeviceSpec } from '../../drivers/ring/open.ts';
import { type Config, startDelta } from '../config/schema.ts';
import type { Daemon, DaemonStatus } from '../daemon/daemon.ts';
import type { LogEntry } from '../log.ts';
import { parseMetricSpec } from '../physics/metric.ts';
import { IMAGE_DEFAULTS } from '../physics/ringImage.ts';
import { type Clock, Decimator, systemClock } from './decimate.ts';
import type { Hub } from './hub.ts';
import { type ImageQuery, type ImageView, currentOmega, imageView } from './image.ts';
import { predictResponse } from './prediction.ts';
import {
  type MetricView, type Prediction, type ResponseView, type RingView, type RoundView, type TruthView,
  metricView, responseView, ringView, roundView, truthView,
} from './views.ts';

/**
 * What the server knows of the running daemon, kept up to date from the
 * daemon's observables (it never reaches into stages): the latest ring frame,
 * response table with the model's prediction, metric estimate, training
 * rounds, log lines and alarms. It publishes each to the hub, decimated:
 * ring frames at most `server.liveHz` per second, the response table and the
 * ring image at the current ω every `server.responseMs` (and at once when a
 * fit brings a new prediction),
 * status once a second and at every state change, fits, alarms and log lines
 * as they come.
 */
export interface LiveSources {
  /** Log lines (createLogFeed) for the `log` topic. */
  logs$?: Observable<LogEntry>;
  /** The alarm engine (src/alarms): its changes go out on the `alarm` topic, its latched alarms in the snapshot. */
  alarms?: { events$: Observable<{ id: string; closed?: boolean } & object>; alarms(): readonly unknown[] };
  /** Tensors held by the trainer's TensorFlow.js engine (null: not known yet). */
  tensors?: () => number | null;
}

export interface StatusView {
  time: string;
  uptimeS: number;
  state: DaemonStatus['state'];
  error: string | null;
  run: { id: string | null; startedAt: string };
  device: { state: DaemonStatus['deviceState']; identity: DaemonStatus['identity']; counters: DaemonStatus['device']; frameRateHz: number };
  pipeline: { frames: number; sweeps: number; tablePoints: number; calibrationVersion: string | null; skipped: Record<string, number> };
  /**
   * The session's exact frame account: received, journaled, skipped by reason, missing by cause,
   * duplicates, and firstSeq/lastSeq in the device's numbering (as the run's stop document).
   */
  frames: DaemonStatus['accounting'];
  /** Frames or messages not passed on, per edge of the data flow. */
  drops: Record<string, number>;
  journal: DaemonStatus['journal'];
  /** A continued run's journal replay: frames and journal bytes replayed, of the total, and whether it is done (null: a new run). */
  replay: NonNullable<DaemonStatus['replay']> | null;
  /**
   * InfluxDB sink state: the run not yet written (bytes, and points estimated), points awaiting acknowledgement
   * (at most a batch), points written, health points queued in memory and dropped beyond their bound (null: no sink configured).
   */
  influx: { state: string; backlogBytes: number; backlog: number; pendingPoints: number; pointsWritten: number; healthQueued: number; healthDropped: number; retries: number; lastError: string | null } | null;
  /** Training rounds kept, and discarded because they diverged (the last good estimate kept). */
  trainer: { backend: string | null; rounds: number; discarded: number; lastChi2: number | null; lastRoundAt: string | null; roundsPerMinute: number | null };
  server: { clients: number; eventLoopLagMs: { mean: number; p99: number; max: number } };
  /**
   * The daemon process: resident set size and JS heap in use (bytes, worker
   * threads included), the trainer's tensors (null: unknown), and the largest
   * event-loop delay since the server started (ms).
   */
  process: { rssBytes: number; heapUsedBytes: number; tensors: number | null; eventLoopLagMaxMs: number };
}

export interface RunView {
  id: string | null;
  startedAt: string;
  version: string;
  simulated: boolean;
  device: string;
  metric: string | null;
  config: { delta: number; gamma: number; kMax: number; sweep: Config['sweep']; rate: number; speed: number; model: Config['model'] };
}

const MAX_ROUNDS = 5000;
const MAX_LOGS = 200;
const RATE_WINDOW_MS = 5000;

export class LiveState {
  private readonly subs: Subscription[] = [];
  private readonly clock: Clock;
  private readonly startedAt = new Date();
  private readonly loop: IntervalHistogram;
  private lastLag = { mean: 0, p99: 0, max: 0 };
  private maxLagMs = 0;
  private metric: MetricView | null = null;
  private readonly rounds: RoundView[] = [];
  private ring: RingView | null = null;
  /** Source width σ (rad) of the latest frame, for the ring image. */
  private sourceWidth: number | undefined;
  private prediction: { round: number; map: Prediction } | null = null;
  private predicting = 0;
  private readonly logs: LogEntry[] = [];
  private samples: { t: number; frames: number }[] = [];
  private readonly truth: TruthView | null;
  private readonly ringOut: Decimator<RingView>;
  private readonly responseOut: Decimator<void>;
  private readonly ticker: ReturnType<typeof setInterval>;
  private lastStates = '';

  constructor(
    private readonly daemon: Daemon,
    private readonly config: Readonly<Config>,
    private readonly hub: Hub,
    private readonly version: string,
    private readonly sources: LiveSources = {},
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
    this.loop = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    this.loop.enable();
    this.truth = this.simulated() ? safeTruth(config.device.metric) : null;
    this.ringOut = new Decimator(1000 / config.server.liveHz, (v) => hub.publish('ring', v), clock);
    this.responseOut = new Decimator(config.server.responseMs, () => {
      const v = this.response();
      if (v) hub.publish('response', v);
      const img = this.liveImage();
      if (img) hub.publish('image', img);
    }, clock);
    this.subs.push(
      daemon.calibrated$.subscribe((f) => {
        this.ring = ringView(f, performance.timeOrigin + performance.now());
        this.sourceWidth = f.sourceWidth;
        this.ringOut.offer(this.ring);
      }),
      daemon.response$.subscribe(() => this.responseOut.offer()),
      daemon.fits$.subscribe((fit) => this.onFit(fit)),
      daemon.status$.subscribe((s) => {
        const states = `${s.state}|${s.deviceState}`;
        if (states !== this.lastStates) {
          this.lastStates = states;
          hub.publish('status', this.status());
        }
      }),
    );
    if (sources.logs$) {
      this.subs.push(sources.logs$.subscribe((l) => {
        this.logs.push(l);
        if (this.logs.length > MAX_LOGS) this.logs.shift();
        if (l.level !== 'trace' && l.level !== 'debug') hub.publish('log', l);
      }));
    }
    if (sources.alarms) this.subs.push(sources.alarms.events$.subscribe((a) => hub.publish('alarm', a)));
    this.ticker = setInterval(() => {
      this.sampleRates();
      hub.publish('status', this.status());
      this.maxLagMs = Math.max(this.maxLagMs, this.lagMs().max);
      this.loop.reset();
    }, 1000);
    this.ticker.unref();
  }

  /** GET /api/status and `status` messages. */
  status(): StatusView {
    const s = this.daemon.status();
    const now = new Date();
    const last = this.rounds.at(-1);
    const hub = this.hub.stats();
    const dropped = (reason: string): number => Object.entries(hub.dropped).filter(([k]) => k.endsWith(`:${reason}`)).reduce((a, [, n]) => a + n, 0);
    const lag = this.lagMs();
    return {
      time: now.toISOString(),
      uptimeS: Math.round((now.getTime() - this.startedAt.getTime()) / 100) / 10,
      state: s.state,
      error: s.error ?? null,
      run: { id: s.run?.id ?? null, startedAt: this.startedAt.toISOString() },
      device: { state: s.deviceState, identity: s.identity, counters: s.device, frameRateHz: this.frameRate(s.frames) },
      pipeline: { frames: s.frames, sweeps: s.sweeps, tablePoints: s.tablePoints, calibrationVersion: s.calibrationVersion, skipped: s.skipped },
      frames: s.accounting,
      drops: {
        'device→host (missing frames)': s.device?.missingFrames ?? 0,
        'frames→journal': s.journal?.dropped ?? 0,
        'frames→response table': Object.values(s.skipped).reduce((a, n) => a + n, 0),
        'table→trainer (rounds skipped)': s.trainingsSkipped,
        'trainer→metric (rounds discarded)': s.roundsDiscarded,
        'hub→clients (coalesced)': dropped('coalesced'),
        'hub→clients (overflow)': dropped('overflow'),
      },
      journal: s.journal,
      replay: s.replay ?? null,
      influx: this.influxState(),
      trainer: {
        backend: last?.backend ?? s.lastFit?.backend ?? null,
        rounds: this.rounds.length,
        discarded: s.roundsDiscarded,
        lastChi2: last?.chi2 ?? null,
        lastRoundAt: last?.at ?? null,
        roundsPerMinute: this.roundsPerMinute(),
      },
      server: { clients: hub.connected, eventLoopLagMs: lag },
      process: this.processView(lag.max),
    };
  }

  /** The latest metric estimate (null before the first fit). */
  latestMetric(): MetricView | null {
    return this.metric;
  }

  /** Every training round so far (bounded to the last 5000). */
  history(): RoundView[] {
    return this.rounds;
  }

  latestRing(): RingView | null {
    return this.ring;
  }

  /** The response table with the model columns (null before its first point). */
  response(): ResponseView | null {
    const t = this.daemon.response();
    return t ? responseView(t, this.prediction?.map ?? null, this.prediction?.round ?? null) : null;
  }

  /**
   * The ring image of the current table (GET /api/image): at `q.omega`, or at
   * the current drive frequency when absent. Null before the table's first
   * row; throws RING_ERR_IMAGE_OMEGA for an ω the table does not hold.
   */
  image(q: ImageQuery): ImageView | null {
    const t = this.daemon.response();
    const omega = q.omega ?? (t ? currentOmega(t.points, this.ring?.omega ?? null) : null);
    return t && omega !== null ? imageView(t, { ...q, omega }, this.sourceWidth) : null;
  }

  /** The image at the current ω with the default lens (the `image` topic); null when there is none. */
  private liveImage(): ImageView | null {
    try {
      return this.image({ aperture: IMAGE_DEFAULTS.aperture, focal: IMAGE_DEFAULTS.focal });
    } catch {
      return null;
    }
  }

  run(): RunView {
    const c = this.config;
    return {
      id: this.daemon.status().run?.id ?? null, startedAt: this.startedAt.toISOString(), version: this.version, simulated: this.simulated(),
      device: c.device.spec, metric: this.simulated() ? c.device.metric : null,
      config: { delta: startDelta(c), gamma: c.physics.gamma, kMax: c.physics.kMax, sweep: c.sweep, rate: c.device.rate, speed: c.device.speed, model: c.model },
    };
  }

  /** Everything a new client starts from (the `hello` snapshot). */
  snapshot(): unknown {
    return {
      status: this.status(), run: this.run(), metric: this.metric, truth: this.truth, training: this.rounds,
      ring: this.ring, response: this.response(), image: this.liveImage(), logs: this.logs, alarms: this.sources.alarms?.alarms() ?? [],
    };
  }

  private processView(lagMaxMs: number): StatusView['process'] {
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, tensors: this.sources.tensors?.() ?? null, eventLoopLagMaxMs: Math.max(this.maxLagMs, lagMaxMs) };
  }

  /** Event-loop delay over the last second, in ms (beyond the sampling timer's own period). */
  lagMs(): { mean: number; p99: number; max: number } {
    if (this.loop.count > 0) {
      const beyond = (ns: number): number => Math.max(0, ns2ms(ns) - LAG_RESOLUTION_MS);
      this.lastLag = { mean: beyond(this.loop.mean), p99: beyond(this.loop.percentile(99)), max: beyond(this.loop.max) };
    }
    return this.lastLag;
  }

  stop(): void {
    clearInterval(this.ticker);
    this.loop.disable();
    this.ringOut.stop();
    this.responseOut.stop();
    this.subs.forEach((s) => s.unsubscribe());
    this.predicting++;
  }

  private influxState(): StatusView['influx'] {
    const st = this.daemon.status().influx;
    return st ? {
      state: st.state, backlogBytes: st.backlogBytes, backlog: st.backlogPoints, pendingPoints: st.pendingPoints, pointsWritten: st.pointsWritten,
      healthQueued: st.healthQueued, healthDropped: st.healthDropped, retries: st.retries, lastError: st.lastError,
    } : null;
  }

  private simulated(): boolean {
    try {
      const k = parseDeviceSpec(this.config.device.spec).kind;
      return k === 'emulator' || k === 'sim';
    } catch {
      return false;
    }
  }

  private onFit(fit: Parameters<typeof metricView>[0]): void {
    const s = this.daemon.status();
    const round = this.rounds.length + 1;
    const at = new Date().toISOString();
    const points = s.lastFit?.points ?? this.daemon.response()?.points.length ?? 0;
    const backend = s.lastFit?.backend ?? 'unknown';
    const ratio = s.lastFit?.sampleTemperatureRatio;
    this.metric = metricView(fit, round, { updatedAt: at, calibration: s.calibrationVersion, points, backend, ...(ratio !== undefined ? { sampleTemperatureRatio: ratio } : {}) });
    const row = roundView(fit, round, points, backend, at);
    this.rounds.push(row);
    if (this.rounds.length > MAX_ROUNDS) this.rounds.shift();
    this.hub.publish('fit', { metric: this.metric, round: row });
    const table = this.daemon.response();
    if (!table) return;
    const gen = ++this.predicting;
    void predictResponse(fit, table.points, fit.delta, () => gen !== this.predicting).then((map) => {
      if (!map || gen !== this.predicting) return;
      this.prediction = { round, map };
      this.responseOut.offer();
      this.responseOut.flush();
    });
  }

  private sampleRates(): void {
    this.samples.push({ t: this.clock.now(), frames: this.daemon.status().frames });
    while (this.samples.length > 2 && this.samples[0].t < this.clock.now() - RATE_WINDOW_MS) this.samples.shift();
  }

  private frameRate(frames: number): number {
    const first = this.samples[0];
    if (!first) return 0;
    const dt = (this.clock.now() - first.t) / 1000;
    return dt > 0.5 ? Math.round(((frames - first.frames) / dt) * 10) / 10 : 0;
  }

  private roundsPerMinute(): number | null {
    if (this.rounds.length < 2) return null;
    const recent = this.rounds.slice(-10);
    const span = (Date.parse(recent.at(-1)!.at) - Date.parse(recent[0].at)) / 60_000;
    return span > 0 ? Math.round(((recent.length - 1) / span) * 10) / 10 : null;
  }
}

const ns2ms = (ns: number): number => Math.round(ns / 1e4) / 100;
/** Period of the event-loop delay sampler; each sample is this period plus the delay. */
const LAG_RESOLUTION_MS = 10;

function safeTruth(spec: string): TruthView | null {
  try {
    return truthView(parseMetricSpec(spec));
  } catch {
    return null;
  }
}
