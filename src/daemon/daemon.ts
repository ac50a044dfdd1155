import { BehaviorSubject, EMPTY, Observable, Subject, concat, type Subscription, catchError, exhaustMap, filter, mergeMap, of, share, takeUntil, tap } from 'rxjs';
import type { AccumulatedResponse, CalibratedFrame, CalibrationRecord } from '../contracts/calibration.ts';
import type { DeviceCounters, DeviceIdentity, DeviceState, RingDevice } from '../contracts/device.ts';
import { type Config, startDelta } from '../config/schema.ts';
import { HoloringError, isHoloringError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { calibrate } from '../pipeline/calibrate.ts';
import { accumulateResponse } from '../pipeline/responseAccumulator.ts';
import { ringTransform } from '../pipeline/ringTransform.ts';
import { parseAnyCheckpoint } from '../model/horizon/checkpoint.ts';
import type { GeometryFit } from '../model/geometry.ts';
import { ModelErrorCodes } from '../model/data.ts';
import { hawkingPageBound } from '../alarms/rules.ts';
import type { FrameAccounting, StopDoc } from '../storage/documents.ts';
import type { InfluxSink, InfluxSinkStatus } from '../storage/influx/sink.ts';
import type { JournalStats } from '../storage/journal.ts';
import type { RunRecorder, StartInfo } from '../storage/run.ts';
import { HOLORING_VERSION } from '../version.ts';
import type { AlarmEngine } from '../alarms/index.ts';
import { daemonAlarms } from './alarmWiring.ts';
import { type RunRecording, recordRun } from './runRecording.ts';
import { type ReplayProgress, heldFrom, replayJournal } from './journalReplay.ts';
import type { MetricTrainer } from './trainer.ts';
import { nonFinite } from './trainingRounds.ts';

/**
 * The daemon wiring: device → calibration → ring transform → response table →
 * metric trainer. `createDaemon(config, deps)` builds it; the CLI only picks the
 * implementations (device, record, trainer) and prints what it reports.
 */
export interface DaemonDeps {
  device: RingDevice;
  logger: Logger;
  /**
   * Finds (or makes) the calibration record for the connected device; null leaves
   * frames uncalibrated, flagged so. Called once, after connect.
   */
  resolveRecord: (identity: DeviceIdentity, device: RingDevice) => Promise<CalibrationRecord | null>;
  /** Metric trainer (null: acquisition only). */
  trainer: MetricTrainer | null;
  /**
   * Opens (or resumes) the run record for the connected device: called right
   * after connect, before the device streams (absent: no record).
   */
  openRun?: (identity: DeviceIdentity) => RunRecorder;
  /** Said in the start document: operator note and the code's git commit. */
  runInfo?: { note?: string | null; gitCommit?: string | null };
  /**
   * The InfluxDB sink of the run (absent: none): opened once the run record is,
   * stopped after the record closes; `status` reads the daemon's live counters.
   */
  openInfluxSink?: (run: { id: string; dir: string }, status: () => DaemonStatus) => InfluxSink;
  /**
   * Runs the calibration procedure on demand (the operator's calibrate
   * command), stores and activates the record and returns it (absent: refused).
   */
  calibrateNow?: (identity: DeviceIdentity, device: RingDevice) => Promise<CalibrationRecord>;
}

/**
 * What an operator may change while the daemon runs (the server's control
 * API). Each refuses with RING_ERR_DAEMON_STATE when the daemon is not running
 * or is calibrating, and resolves once the device accepted the change.
 */
export interface DaemonControl {
  /** Stops the sweep plan: the device stops streaming; nothing else changes. */
  stopSweeps(): Promise<void>;
  /** Starts the sweep plan again from its first frequency. */
  startSweeps(): Promise<void>;
  /** Calibrates the device now (sweeps pause meanwhile) and applies the new record; the response table restarts with it. */
  calibrate(): Promise<{ version: string }>;
  /** The next training round starts from pure AdS instead of the current weights. */
  resetModel(): Promise<void>;
}

/** A control command as the run's audit log keeps it. */
export interface AuditEntry {
  who: string;
  role: string;
  what: string;
  result: string;
}

export interface FitSummary {
  sweep: number;
  chi2: number;
  iterations: number;
  elapsedMs: number;
  points: number;
  backend: string;
  /** Δ of the fit: given, or (deltaAuto) estimated with 1σ deltaErr. */
  delta: number;
  deltaErr: number;
  deltaAuto: boolean;
  /** The fitted complex scale κ of χ (χ_table ≈ κ·χ_model; every live fit has one, trainer.ts) with 1σ; near 1 when the calibration reference's scale is right. */
  scale?: { re: number; im: number; reErr: number; imErr: number };
  /** Geometry of the fit: disk (regular centre) or horizon (black hole). */
  geometry: 'disk' | 'horizon';
  /** With model.geometry auto: why this geometry (both reduced χ² and the evidence). */
  geometryReason?: string;
  /** Horizon: r_h and the Hawking temperature T = √(f′g′)/4π (units v/R, T_HP = 1/2π) with 1σ. */
  rh?: number;
  rhErr?: number;
  temperature?: number;
  temperatureErr?: number;
  /** Sample temperature of the frames in units of the Hawking–Page point, when alarms.sampleTemperature gives it. */
  sampleTemperatureRatio?: number;
  /**
   * f and g relative to the reference geometry with 1σ: to pure AdS (f/(1+r²)) at r = 0, 0.5, 1, 2 for
   * the disk, to BTZ (f/(r² − r_h²)) at r = 1.25, 1.5, 2, 3 r_h for a horizon.
   */
  profile: { r: number; f: number; fErr: number; g: number; gErr: number }[];
  /** The fit's verdict (src/model/quality.ts) and its warnings, empty for a good fit. */
  quality?: 'good' | 'poor' | 'failed';
  warnings?: string[];
}

export interface DaemonStatus {
  state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
  identity: DeviceIdentity | null;
  /** Connection state of the device (connecting, connected, streaming, stalled, disconnected). */
  deviceState: DeviceState | null;
  sweeps: number;
  frames: number;
  tablePoints: number;
  calibrationVersion: string | null;
  skipped: Record<string, number>;
  trainingsSkipped: number;
  /** Training rounds that diverged and were discarded (the last good estimate kept). */
  roundsDiscarded: number;
  device: DeviceCounters | null;
  lastFit: FitSummary | null;
  /** The acquisition journal (segment being written, frames in the files, drops and their cause). */
  journal: JournalStats | null;
  /** The run being recorded (null: no record). */
  run: { id: string; dir: string; resumed: boolean } | null;
  /** Frames received, journaled, skipped by reason, missing by cause, duplicates (this session). */
  accounting: FrameAccounting;
  /** The InfluxDB sink (null: none). */
  influx: InfluxSinkStatus | null;
  /** The sweep plan: running, stopped by the operator, or paused for a calibration. */
  acquisition: 'sweeping' | 'stopped' | 'calibrating';
  /** A continued run's journal being replayed into the response table (absent for a new run). */
  replay?: ReplayProgress;
  error?: string;
}

export interface Daemon {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the daemon stops (after `config.sweeps` sweeps, stop(), or a failure). */
  readonly done: Promise<void>;
  readonly status$: Observable<DaemonStatus>;
  /** Fits as they complete. */
  readonly fits$: Observable<GeometryFit & { sweep: number }>;
  /** Every frame after the calibration stage (calibrated, or left raw and flagged), for live views; hot, completes on stop. */
  readonly calibrated$: Observable<CalibratedFrame>;
  /** The response table after every frame that changed it; hot, completes on stop. */
  readonly response$: Observable<AccumulatedResponse>;
  status(): DaemonStatus;
  /** The alarm engine: latched alarms (`alarms$`, `alarms()`), their changes (`events$`) and `ack(id, who)`. */
  readonly alarms: AlarmEngine;
  /** The current response table (null before its first point). */
  response(): AccumulatedResponse | null;
  /** The latest fit (null before the first). */
  lastFit(): (GeometryFit & { sweep: number }) | null;
  /** Operator control (the server's control API). */
  readonly control: DaemonControl;
  /** Records a control command in the run's documents (audit) and the log. */
  audit(entry: AuditEntry): void;
}

const PROFILE_R = [0, 0.5, 1, 2];
/** Profile radii of a horizon fit, in units of r_h. */
const PROFILE_RH = [1.25, 1.5, 2, 3];
/** A fit above this reduced χ² is reported as not describing the data. */
export const POOR_FIT_CHI2 = 3;

function summarise(res: GeometryFit, sweep: number, points: number, backend: string, sampleTemperatureRatio?: number): FitSummary {
  const horizon = res.geometry === 'horizon' && 'rh' in res ? res : null;
  const radii = horizon ? PROFILE_RH.map((x) => x * horizon.rh) : PROFILE_R;
  const reference = (r: number): number => (horizon ? (r - horizon.rh) * (r + horizon.rh) : 1 + r * r);
  const profile = radii.map((r) => {
    let i = 0;
    while (i < res.r.length - 1 && res.r[i] < r) i++;
    const ref = reference(res.r[i]);
    return { r: res.r[i], f: res.f[i] / ref, fErr: res.f_err[i] / ref, g: res.g[i] / ref, gErr: res.g_err[i] / ref };
  });
  const free = 'delta_auto' in res && res.delta_auto;
  return {
    sweep, chi2: res.chi2, iterations: res.iterations, elapsedMs: res.elapsedMs, points, backend,
    delta: res.delta, deltaErr: free ? res.delta_err : 0, deltaAuto: free, geometry: res.geometry,
    ...('scale' in res && res.scale ? { scale: { re: res.scale.re, im: res.scale.im, reErr: res.scale.re_err, imErr: res.scale.im_err } } : {}),
    ...(res.choice ? { geometryReason: res.choice.reason } : {}),
    ...(horizon ? { rh: horizon.rh, rhErr: horizon.rh_err, temperature: horizon.temperature, temperatureErr: horizon.temperature_err } : {}),
    ...(sampleTemperatureRatio === undefined ? {} : { sampleTemperatureRatio }),
    profile,
    ...('quality' in res ? { quality: res.quality, warnings: res.warnings } : {}),
  };
}

export function createDaemon(config: Readonly<Config>, deps: DaemonDeps): Daemon {
  const log = deps.logger.child({ component: 'daemon' });
  const { device, trainer } = deps;
  const status = new BehaviorSubject<DaemonStatus>({
    state: 'idle', identity: null, deviceState: null, sweeps: 0, frames: 0, tablePoints: 0, calibrationVersion: null,
    skipped: {}, trainingsSkipped: 0, roundsDiscarded: 0, device: null, lastFit: null, journal: null, run: null,
    accounting: { received: 0, journaled: 0, skipped: {}, missing: {}, duplicates: 0 }, influx: null, acquisition: 'sweeping',
  });
  const fits = new Subject<GeometryFit & { sweep: number }>();
  const calibrated = new Subject<CalibratedFrame>();
  const responses = new Subject<AccumulatedResponse>();
  let lastFit: (GeometryFit & { sweep: number }) | null = null;
  /** Hawking–Page point in kelvin (alarms.sampleTemperature), and the last sample temperature of the frames. */
  const hawkingPageK = hawkingPageBound(config.alarms.sampleTemperature);
  let sampleK: number | null = null;
  const stop$ = new Subject<void>();
  const patch = (p: Partial<DaemonStatus>): void => status.next({ ...status.value, ...p });
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const subs: Subscription[] = [];
  let latest: AccumulatedResponse | null = null;
  const skipped: Record<string, number> = {};
  const sweepSpec = { start: config.sweep.start, stop: config.sweep.stop, step: config.sweep.step, dwellMs: config.sweep.dwellMs };
  let stopping = false;
  let stopRequested = false;
  let run: RunRecorder | null = null;
  let recording: RunRecording | null = null;
  let influx: InfluxSink | null = null;
  let fitRound = 0;
  let runningSince: number | null = null;
  let lastRound: { round: number; chi2: number; discarded?: boolean } | null = null;
  let calibration: { version: string; createdAt: string } | null = null;
  const alarms = daemonAlarms(config.alarms, { logger: deps.logger, run: () => run });
  let connected: DeviceIdentity | null = null;
  let activeRecord: CalibrationRecord | null = null;
  let sweepsStopped = false;
  /** When the operator last started the sweeps again: the no-data clock restarts there. */
  let sweepsStartedAt = 0;
  let calibrating = false;
  const startedAt = Date.now();
  const startInfo = (): StartInfo => ({
    rig: config.rig, config: JSON.parse(JSON.stringify(config)) as Record<string, unknown>, delta: startDelta(config), gamma: config.physics.gamma,
    sweep: { ...config.sweep, sweeps: config.sweeps }, holoringVersion: HOLORING_VERSION,
    gitCommit: deps.runInfo?.gitCommit ?? null, note: deps.runInfo?.note ?? null,
  });
  const account = (): Partial<DaemonStatus> => ({
    ...(recording ? { accounting: recording.accounting(skipped), ...(run ? { journal: run.journalStats().frames } : {}) } : {}),
    ...(influx ? { influx: influx.status() } : {}),
  });

  const finish = async (state: 'stopped' | 'failed', error?: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    patch({ state: 'stopping' });
    runningSince = null;
    try {
      // before the recording stops listening: every frame the device sent before it stopped is received and counted
      await device.stopStreaming();
    } catch {
      // the device may already be gone
    }
    // the recording listens until the link is closed (frames that arrive while the device stops are still counted); the rest stops now
    subs.filter((s) => s !== recording?.subscription).forEach((s) => s.unsubscribe());
    recording?.ending();
    await device.close().catch(() => {});
    stop$.next();
    recording?.flush();
    recording?.subscription.unsubscribe();
    // the last alarm changes (and webhook deliveries) before the stop document
    await alarms.stop();
    if (run) {
      run.begin(startInfo(), status.value.calibrationVersion);
      const stop: Omit<StopDoc, 'type' | 'journal' | 'time' | 'run'> = {
        status: state, ...(error ? { error } : {}), frames: recording!.accounting(skipped), calibrationFrames: recording!.calibrationFrames(),
        gaps: recording!.gaps(), sweeps: status.value.sweeps, fits: fitRound, durationMs: Date.now() - startedAt,
      };
      const journalDoc = await run.close(stop);
      // exact after close: frames still waiting for the disk at stop are counted as dropped
      patch({ ...account(), journal: run.journalStats().frames });
      log.info({ run: run.id, journal: journalDoc, accounting: status.value.accounting }, 'run record closed');
    }
    if (influx) {
      // after the record closed: the sink writes what the journal flushed last
      await influx.stop();
      patch({ influx: influx.status() });
    }
    await trainer?.dispose();
    patch({ state, device: device.counters(), ...(error ? { error } : {}) });
    log.info({ state, sweeps: status.value.sweeps, frames: status.value.frames }, 'daemon stopped');
    fits.complete();
    calibrated.complete();
    responses.complete();
    status.complete();
    resolveDone();
  };

  /** Retrains on the current table; never rejects (a failed fit is logged and acquisition goes on). */
  const train = async (sweep: number): Promise<void> => {
    const table = latest;
    if (!trainer || !table || table.points.length === 0) return;
    try {
      const ratio = hawkingPageK !== null && sampleK !== null && sampleK > 0 ? sampleK / hawkingPageK : undefined;
      const res = await trainer.fit(table.points, ratio);
      const bad = nonFinite(res);
      if (bad) throw new HoloringError(ModelErrorCodes.DIVERGED, `a training round diverged (${bad}); discarded: the last good estimate is kept`, { chi2: res.chi2 });
      fitRound++;
      lastRound = { round: fitRound, chi2: res.chi2 };
      const summary = summarise(res, sweep, table.points.length, trainer.backend, ratio);
      patch({ lastFit: summary });
      if (run) {
        const round = (run.resumed?.fits ?? 0) + fitRound;
        run.document({
          type: 'fit', round, sweep, chi2: res.chi2, iterations: res.iterations, elapsedMs: res.elapsedMs, points: table.points.length, backend: trainer.backend,
          fingerprint: res.fingerprint, delta: res.delta, ...(summary.deltaAuto ? { delta_err: summary.deltaErr } : {}), geometry: res.geometry,
          ...(summary.rh === undefined ? {} : { rh: summary.rh, rh_err: summary.rhErr, temperature: summary.temperature, temperature_err: summary.temperatureErr }),
          ...(res.choice ? { geometry_choice: res.choice } : {}), r: res.r, f: res.f, g: res.g, f_err: res.f_err, g_err: res.g_err, resolution: res.resolution,
          table: { calibrationVersion: table.calibrationVersion ?? null, points: table.points.map(({ omega, gamma, k, chiRe, chiIm, sigma, sigmaCommon, sigmaStep }) => ({ omega, gamma, k, chiRe, chiIm, sigma, ...(sigmaCommon === undefined ? {} : { sigmaCommon }), ...(sigmaStep === undefined ? {} : { sigmaStep }) })) },
        });
        run.saveCheckpoint(res.checkpoint);
      }
      lastFit = { ...res, sweep };
      fits.next(lastFit);
      const horizon = summary.rh === undefined ? {} : { rh: summary.rh, rhErr: summary.rhErr, temperature: summary.temperature, temperatureErr: summary.temperatureErr };
      log.info({
        sweep, geometry: res.geometry, ...horizon, chi2: res.chi2, iterations: res.iterations, elapsedMs: Math.round(res.elapsedMs), points: table.points.length, backend: trainer.backend,
        ...(summary.deltaAuto ? { delta: res.delta, deltaErr: summary.deltaErr } : {}), ...(summary.scale ? { scale: summary.scale } : {}), ...(res.choice ? { reason: res.choice.reason } : {}),
      }, 'metric retrained');
      if (res.chi2 > POOR_FIT_CHI2) {
        log.warn({ sweep, chi2: res.chi2, geometry: res.geometry }, `the reconstructed metric does not describe the data (reduced χ² ${res.chi2.toFixed(1)}): check the calibration, Δ and γ${config.model.geometry === 'auto' ? '' : `; model.geometry is ${config.model.geometry}: "auto" fits both the disk and the horizon`}`);
      }
      if (ratio !== undefined && (ratio > 1) !== (res.geometry === 'horizon')) {
        log.warn({ sweep, sampleTemperatureRatio: ratio, geometry: res.geometry }, `the sample is at ${ratio.toFixed(2)} T_HP but the data pick the ${res.geometry}: check the thermometer and alarms.sampleTemperature`);
      }
    } catch (e) {
      if (isHoloringError(e) && e.code === ModelErrorCodes.DIVERGED) {
        // a diverged round is discarded: the last good estimate and checkpoint stay (the fitChi2 alarm says so)
        const chi2 = typeof e.context.chi2 === 'number' ? e.context.chi2 : Number.NaN;
        lastRound = { round: fitRound + 1, chi2, discarded: true };
        patch({ roundsDiscarded: status.value.roundsDiscarded + 1 });
        log.warn({ sweep, chi2, lastGoodChi2: e.context.lastGoodChi2 ?? null }, e.message);
        return;
      }
      log.warn({ err: e, sweep }, 'retraining failed; acquisition continues');
    }
  };

  const refuse = (why: string): never => {
    throw new HoloringError('RING_ERR_DAEMON_STATE', why, { state: status.value.state, acquisition: status.value.acquisition });
  };
  const controllable = (): void => {
    if (status.value.state !== 'running' || stopping) refuse(`the daemon is ${status.value.state}: control is possible while it runs`);
    if (calibrating) refuse('a calibration is running: wait for it to finish');
  };
  const resumeSweeps = async (): Promise<void> => {
    await device.setSource({ site: config.sweep.sourceSite, amplitude: config.sweep.amplitude });
    await device.sweep(sweepSpec);
  };
  const control: DaemonControl = {
    async stopSweeps() {
      controllable();
      sweepsStopped = true;
      patch({ acquisition: 'stopped' });
      await device.stopStreaming();
      log.info('sweeps stopped by the operator');
    },
    async startSweeps() {
      controllable();
      if (!sweepsStopped) refuse('the sweeps are already running');
      sweepsStopped = false;
      sweepsStartedAt = Date.now();
      patch({ acquisition: 'sweeping' });
      await resumeSweeps();
      log.info('sweeps started by the operator');
    },
    async calibrate() {
      controllable();
      if (!deps.calibrateNow || !connected) return refuse('this daemon cannot calibrate on demand');
      calibrating = true;
      patch({ acquisition: 'calibrating' });
      log.info('calibrating on the operator\'s command: sweeps pause meanwhile');
      try {
        await device.stopStreaming();
        recording?.calibrating();
        const rec = await deps.calibrateNow(connected, device);
        activeRecord = rec;
        calibration = { version: rec.version, createdAt: rec.createdAt };
        log.info({ calibration: rec.version }, 'calibration applied; the response table restarts with it');
        return { version: rec.version };
      } finally {
        recording?.acquiring();
        calibrating = false;
        patch({ acquisition: sweepsStopped ? 'stopped' : 'sweeping' });
        if (!sweepsStopped && !stopping) await resumeSweeps().catch((e: unknown) => log.error({ err: e }, 'could not restart the sweeps after the calibration'));
      }
    },
    async resetModel() {
      if (status.value.state !== 'running' || stopping) refuse(`the daemon is ${status.value.state}: control is possible while it runs`);
      if (!trainer) refuse('this daemon does not train (started with --no-train)');
      trainer!.reset();
      log.info('model reset by the operator: the next round starts from pure AdS');
    },
  };

  return {
    done,
    control,
    audit(entry) {
      log.info({ audit: entry }, `control: ${entry.what} by ${entry.who} (${entry.role}): ${entry.result}`);
      run?.document({ type: 'audit', ...entry });
    },
    status$: status.asObservable(),
    fits$: fits.asObservable(),
    calibrated$: calibrated.asObservable(),
    response$: responses.asObservable(),
    // the sink's state as it is now: the status is otherwise patched at frames, and none come while the device is away or done
    status: () => (influx ? { ...status.value, influx: influx.status() } : status.value),
    alarms: alarms.engine,
    response: () => latest,
    lastFit: () => lastFit,
    async start() {
      patch({ state: 'starting' });
      try {
        const identity = await device.connect();
        log.info({ identity }, 'device connected');
        patch({ identity });
        const raw$ = device.frames$.pipe(takeUntil(stop$), share());
        // the run record opens before the device streams: it sees every raw frame first, before any processing
        if (deps.openRun) {
          run = deps.openRun(identity);
          patch({ run: { id: run.id, dir: run.dir, resumed: run.resumed !== null } });
          log.info({ run: run.id, dir: run.dir, resumed: run.resumed !== null }, run.resumed ? `continuing interrupted run ${run.id} (down ${Math.round(run.resumed.downtimeMs / 1000)} s)` : `run ${run.id}`);
          if (deps.openInfluxSink) {
            influx = deps.openInfluxSink({ id: run.id, dir: run.dir }, () => status.value);
            await influx.start();
          }
        }
        recording = recordRun(run, device, raw$, deps.logger);
        alarms.watch({
          device, frames$: raw$,
          feed: {
            expectingSince: () => (sweepsStopped || runningSince === null ? null : Math.max(runningSince, sweepsStartedAt)), lastRound: () => lastRound, calibration: () => calibration,
            journalShortfall: () => status.value.accounting.missing.journal ?? 0,
            // the sink's backlog: bytes of the run's files behind its cursor
            ...(influx ? { influxBacklogBytes: () => influx?.status().backlogBytes ?? null } : {}),
          },
        });
        subs.push(recording.subscription);
        subs.push(raw$.subscribe((f) => {
          if (Number.isFinite(f.temperatureK)) sampleK = f.temperatureK;
          patch({ frames: status.value.frames + 1, ...account() });
        }));
        subs.push(device.state$.pipe(takeUntil(stop$)).subscribe((deviceState) => patch({ deviceState })));
        connected = identity;
        const record = await deps.resolveRecord(identity, device);
        activeRecord = record;
        calibration = record ? { version: record.version, createdAt: record.createdAt } : null;
        if (record) log.info({ calibrationVersion: record.version }, 'calibration active');
        else log.warn('no calibration record for this device: frames are used uncalibrated and flagged so');
        recording.acquiring();
        const live = recording;
        // a continued run: its journal through the calibration rebuilds the response table, in slices (the API is served meanwhile)
        const replay = replayJournal(run?.resumed ? run.replayFrames() : null, { logger: deps.logger, onProgress: (p) => patch({ replay: p }) });
        // frames of an operator's calibration go to the journal only, not into the response table
        const frames$ = concat(replay.frames$, heldFrom(raw$).pipe(filter((f) => !live.isDuplicate(f) && !calibrating)));
        const transform = ringTransform({ kMax: config.physics.kMax, gamma: config.physics.gamma, allowUncalibrated: record === null, counters: skipped });
        subs.push(
          frames$.pipe(
            // one frame at a time: a frame that cannot be processed is counted and logged, and acquisition goes on
            mergeMap((f) => of(f).pipe(
              calibrate({ record: activeRecord, identity }),
              tap((c) => calibrated.next(c)),
              transform,
              catchError((e: unknown) => {
                skipped['processing-error'] = (skipped['processing-error'] ?? 0) + 1;
                log.error({ err: e, seq: f.seq }, 'a frame could not be processed; skipped');
                return EMPTY;
              }),
            )),
            accumulateResponse({ minFrames: 2 }),
          ).subscribe({
            next: (t) => {
              latest = t;
              responses.next(t);
              patch({ tablePoints: t.points.length, calibrationVersion: t.calibrationVersion, skipped: { ...skipped, ...t.dropped } });
            },
            error: (e: unknown) => {
              log.error({ err: e }, 'acquisition pipeline failed');
              void finish('failed', String(e));
            },
          }),
        );
        const replayed = await replay.done;
        if (stopping) return;
        if (run) {
          run.begin(startInfo(), record?.version ?? null, replayed);
          if (run.resumed) live.resumedAfter(replayed.lastSeq);
          if (run.resumed) log.info({ frames: replayed.frames }, 'response table rebuilt from the journal');
          if (run.resumed?.checkpoint && trainer) {
            try {
              trainer.warmStart(parseAnyCheckpoint(run.resumed.checkpoint, `${run.dir}/checkpoint.json`));
              log.info('the trainer warm-starts from the run checkpoint');
            } catch (e) {
              log.warn({ err: e }, 'the run checkpoint cannot be used; the trainer starts from pure AdS');
            }
          }
        }
        // a sweep that could not start because the link was down starts when the device is connected again
        let sweepOwed = false;
        const nextSweep = (): void => {
          sweepOwed = false;
          device.sweep(sweepSpec).catch((e: unknown) => {
            if (stopping) return;
            // the link may fail before the driver has noticed (EIO on write): retried on the next connect
            sweepOwed = true;
            log.warn({ err: e instanceof Error ? e.message : String(e), deviceState: status.value.deviceState }, 'could not start the next sweep: it starts when the device is connected again');
          });
        };
        subs.push(device.state$.pipe(filter((st) => st === 'connected'), takeUntil(stop$)).subscribe(() => {
          if (sweepOwed && !stopping && !sweepsStopped && !calibrating) nextSweep();
        }));
        const sweepDone$ = (device.events$ ?? EMPTY).pipe(filter((e) => e.type === 'sweep-done' && !calibrating), takeUntil(stop$), share());
        let busy = false;
        subs.push(
          sweepDone$.pipe(
            tap(() => {
              const sweeps = status.value.sweeps + 1;
              patch({ sweeps, device: device.counters() });
              log.info({ sweeps, frames: status.value.frames, tablePoints: status.value.tablePoints }, 'sweep complete');
              const last = config.sweeps > 0 && sweeps >= config.sweeps;
              if (!last && !sweepsStopped && !stopping) nextSweep();
              if (busy) patch({ trainingsSkipped: status.value.trainingsSkipped + 1 });
            }),
            filter(() => status.value.sweeps % config.model.retrainEvery === 0 || (config.sweeps > 0 && status.value.sweeps >= config.sweeps)),
            // a sweep that ends while a fit is running is not queued (counted above)
            exhaustMap(async () => {
              busy = true;
              const sweep = status.value.sweeps;
              await train(sweep);
              busy = false;
              const total = status.value.sweeps;
              if (config.sweeps > 0 && total >= config.sweeps) {
                // the final sweep arrived while training: fit it too before stopping
                if (sweep < total) await train(total);
                void finish('stopped');
              }
            }),
          ).subscribe(),
        );
        await device.setSource({ site: config.sweep.sourceSite, amplitude: config.sweep.amplitude });
        await device.sweep(sweepSpec);
        patch({ state: 'running' });
        runningSince = Date.now();
        log.info({ sweep: sweepSpec, sweeps: config.sweeps || 'until stopped' }, 'acquisition running');
      } catch (e) {
        if (stopRequested) {
          // a stop asked for during start-up (a signal while calibrating) is a clean stop, not a failure
          log.info({ reason: e instanceof Error ? e.message : String(e) }, 'stopped during start-up');
          await done;
          return;
        }
        log.error({ err: e }, 'daemon failed to start');
        await finish('failed', e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
    stop: () => {
      stopRequested = true;
      return finish('stopped');
    },
  };
}
