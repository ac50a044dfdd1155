import type { Command } from 'commander';
import { runCalibration } from '../../../calibration/procedure.ts';
import { CalibrationStore } from '../../../calibration/store.ts';
import { openDevice, parseDeviceSpec } from '../../../drivers/ring/open.ts';
import type { CalibrationRecord } from '../../contracts/calibration.ts';
import type { DeviceIdentity, RingDevice } from '../../contracts/device.ts';
import { type Config, type ConfigInput, mergeConfig, parseConfig, readConfigFile, startDelta } from '../../config/schema.ts';
import { type DaemonStatus, type FitSummary, createDaemon } from '../../daemon/daemon.ts';
import { resolveDataDir } from '../../storage/layout.ts';
import { openRun } from '../../storage/run.ts';
import { gitCommit } from '../../storage/provenance.ts';
import { createLiveTrainer, createThreadedTrainer } from '../../daemon/trainer.ts';
import { calibrationReference, trainerOptions } from '../../daemon/deltaAuto.ts';
import { influxSinkFor } from '../../daemon/influx.ts';
import { parseInfluxUrl } from '../../storage/influx/target.ts';
import { ErrorCodes, HoloringError, isHoloringError } from '../../errors.ts';
import type { TrainingFaults } from '../../daemon/trainingRounds.ts';
import { type Logger, createLogFeed, createLogger } from '../../log.ts';
import { createServer } from '../../server/index.ts';
import { assertExposureAllowed } from '../../server/auth.ts';
import { parseMetricSpec } from '../../physics/metric.ts';
import { validateDelta } from '../../physics/params.ts';
import { describeDefaults, numberArg, withFlag } from '../args.ts';
import { createProgress } from '../progress.ts';
import { formatAccount } from '../summary.ts';
import { isJournalStream, journaldStream } from '../../util/journald.ts';

/** A stop (signal) that has not finished within this long exits anyway, with code 1. */
export const STOP_TIMEOUT_MS = 15_000;
/** A second stop signal within this long of the first is the same request delivered twice (process group + process). */
export const SIGNAL_REPEAT_MS = 1_000;

interface StartFlags {
  config?: string;
  device?: string;
  metric?: string;
  rate?: number;
  speed?: number;
  sweeps?: number;
  dwell?: number;
  calibrate?: boolean;
  calibrationDir?: string;
  train: boolean;
  dataDir?: string;
  note?: string;
  newRun?: boolean;
  influx?: string;
  json?: boolean;
  logLevel?: string;
  port?: number;
  host?: string;
  server: boolean;
}

function formatFit(s: FitSummary): string {
  const ref = s.geometry === 'horizon' ? 'BTZ' : 'AdS';
  const p = s.profile.map((x) => `r=${x.r.toFixed(1)}: f/f_${ref}=${x.f.toFixed(4)}±${x.fErr.toFixed(4)} g/g_${ref}=${x.g.toFixed(4)}±${x.gErr.toFixed(4)}`).join('  ');
  const h = s.geometry === 'horizon' && s.rh !== undefined ? `, horizon r_h=${s.rh.toFixed(4)}±${(s.rhErr ?? 0).toFixed(4)}${s.temperature !== undefined ? ` T=${s.temperature.toFixed(4)}±${(s.temperatureErr ?? 0).toFixed(4)}` : ''}` : '';
  const d = s.deltaAuto ? `, Δ=${s.delta.toFixed(5)}±${s.deltaErr.toExponential(1)}` : '';
  const marker = !s.quality || s.quality === 'good' ? '' : s.quality === 'poor' ? '  [POOR FIT: error bands too small]' : '  [FIT FAILED: the metric does not describe the data]';
  return `sweep ${s.sweep}: metric from ${s.points} points, reduced χ²=${s.chi2.toFixed(3)}${d}${h}, ${s.iterations} iterations, ${(s.elapsedMs / 1000).toFixed(2)} s (${s.backend})${marker}\n  ${p}`;
}

/** The stop summary: run id, where it is, and the exact frame accounting. */
export function formatRunSummary(st: DaemonStatus): string {
  const a = st.accounting;
  const list = (r: Record<string, number>): string => Object.entries(r).map(([k, n]) => `${n} ${k}`).join(', ');
  const lines = [`run ${st.run!.id}${st.run!.resumed ? ' (continued)' : ''} in ${st.run!.dir}`];
  lines.push(`  frames: ${a.received} received, ${a.journaled} in the journal files, ${a.duplicates} duplicates${Object.keys(a.skipped).length ? `; skipped: ${list(a.skipped)}` : ''}${Object.keys(a.missing).length ? `; missing: ${list(a.missing)}` : ''}${a.firstSeq != null ? `; seq ${a.firstSeq}…${a.lastSeq}` : ''}`);
  const j = st.journal;
  if (j && j.dropped > 0) lines.push(`  journal: ${j.dropped} raw frames dropped (${j.dropCause ?? j.error ?? 'write failed'})`);
  lines.push(`  show it: holoring runs show ${st.run!.id}`);
  return lines.join('\n');
}

/** Environment variable that must be "1" for `model.faultInjection` to be accepted. */
export const FAULT_INJECTION_ENV = 'HOLORING_FAULT_INJECTION';

/** The configured training faults (a test facility), refused unless HOLORING_FAULT_INJECTION=1; undefined when none. */
export function trainingFaults(config: Readonly<Config>, env: NodeJS.ProcessEnv = process.env): TrainingFaults | undefined {
  const f = config.model.faultInjection;
  if (!f) return undefined;
  if (env[FAULT_INJECTION_ENV] !== '1') {
    throw new HoloringError(ErrorCodes.CONFIG_INVALID, `model.faultInjection is a test facility that makes training rounds fail on purpose: set ${FAULT_INJECTION_ENV}=1 to use it, or remove it from the configuration`, { key: 'model.faultInjection' });
  }
  return f;
}

/** Active record for this device; otherwise (simulated rings, or --calibrate) a new calibration. */
async function resolveRecord(
  store: CalibrationStore, identity: DeviceIdentity, device: RingDevice,
  opts: { calibrate: boolean; simulated: boolean; log: Logger; reference: ReturnType<typeof calibrationReference> },
): Promise<CalibrationRecord | null> {
  let active: CalibrationRecord | null = null;
  try {
    if (store.activeVersion()) active = store.active();
  } catch (e) {
    opts.log.warn({ err: isHoloringError(e) ? e.toJSON() : String(e) }, 'the active calibration record cannot be used');
  }
  const matches = active && active.device.model === identity.model && active.device.serial === identity.serial;
  if (matches && !opts.calibrate) return active;
  if (!opts.calibrate && !opts.simulated) {
    if (active) opts.log.warn({ record: active.device, device: identity }, 'the active calibration belongs to another device');
    return null;
  }
  opts.log.info({ device: identity }, 'calibrating: offsets with the source off, gains from the ring symmetry');
  const bar: { progress?: ReturnType<typeof createProgress> } = {};
  const res = await runCalibration(device, {
    note: 'made by holoring start',
    solve: { reference: { kind: 'uv-ads', ...opts.reference } },
    onProgress: (done, total, info) => {
      bar.progress ??= createProgress('calibrate', total);
      bar.progress.update(done, info);
    },
  });
  bar.progress?.stop();
  store.save(res.record);
  store.activate(res.record.version);
  opts.log.info({ calibrationVersion: res.record.version, reducedChi2: res.record.residuals.reducedChi2 }, 'calibration stored and activated');
  const ref = res.record.reference;
  if (ref.deltaErr !== undefined) opts.log.info({ delta: ref.delta, deltaErr: ref.deltaErr }, `physics.delta auto: the calibration reference fitted Δ = ${ref.delta?.toFixed(4)} ± ${ref.deltaErr.toPrecision(2)} from the large-|k| response`);
  return res.record;
}

/** The defaults of the flags of `start`, from the configuration schema (flags override the configuration file). */
function startDefaults(): Record<string, string | number> {
  const d = parseConfig(undefined);
  return {
    device: d.device.spec, metric: d.device.metric, rate: d.device.rate, speed: d.device.speed, dwell: d.sweep.dwellMs, sweeps: d.sweeps,
    calibrationDir: d.calibration.dir, logLevel: d.log.level,
  };
}

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description('run the daemon: acquire from the ring, calibrate, build the response table and retrain the metric after every sweep')
    .option('--config <file>', 'JSON configuration file (see README "Configuration reference")')
    .option('--device <spec>', 'emulator[:SEED] | sim[:SEED] | replay:FILE[@SPEED] | serial port path (default: emulator)')
    .option('--metric <spec>', 'bulk metric of a simulated ring (default: ads)')
    .option('--rate <hz>', 'frames per second of a simulated ring', numberArg('--rate', { min: 0, exclusiveMin: true }))
    .option('--speed <x>', 'simulated time runs this many times faster', numberArg('--speed', { min: 0, exclusiveMin: true }))
    .option('--dwell <ms>', 'dwell per drive frequency', numberArg('--dwell', { min: 0, exclusiveMin: true }))
    .option('--sweeps <n>', 'stop after n sweeps (0: run until stopped)', numberArg('--sweeps', { min: 0, integer: true }))
    .option('--calibrate', 'calibrate the device before acquiring (simulated rings are calibrated automatically when no record matches)')
    .option('--calibration-dir <dir>', 'calibration record store')
    .option('--no-train', 'acquisition only, no metric retraining')
    .option('--data-dir <dir>', 'data directory of the run records (default: config storage.dir, env HOLORING_DATA_DIR, ./holoring-data)')
    .option('--note <text>', 'operator note, kept in the run\'s start document')
    .option('--new-run', 'start a new run even when this device\'s last run was interrupted (default: continue it)')
    .option('--influx <url>', 'write the run into InfluxDB: http://HOST:PORT/DATABASE (config storage.influx)')
    .option('--json', 'print each fit as one JSON line on stdout')
    .option('--port <port>', 'port of the dashboard and API (0: any free port; default 8080)', numberArg('--port', { min: 0, max: 65535, integer: true }))
    .option('--host <address>', 'address the dashboard and API listen on (default 127.0.0.1; any other needs server.auth tokens)')
    .option('--no-server', 'no dashboard, API or WebSocket')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent')
    .action(async (o: StartFlags) => {
      const fromFile = o.config ? (readConfigFile(o.config) as Record<string, unknown>) : {};
      const overrides: ConfigInput = {
        device: { spec: o.device, metric: o.metric, rate: o.rate, speed: o.speed },
        sweep: { dwellMs: o.dwell },
        calibration: { dir: o.calibrationDir },
        storage: { dir: o.dataDir, ...(o.influx ? { influx: withFlag('--influx', () => parseInfluxUrl(o.influx!)) } : {}) },
        log: { level: o.logLevel as never },
        server: { port: o.port, host: o.host, ...(o.server ? {} : { enabled: false }) },
        sweeps: o.sweeps,
      };
      const config = parseConfig(mergeConfig(fromFile, overrides as Record<string, unknown>), o.config ?? 'command line');
      // refused before any work: serving beyond loopback needs tokens
      if (config.server.enabled) withFlag('--host', () => assertExposureAllowed(config.server.host, config.server.auth));
      const faults = trainingFaults(config);
      const delta = validateDelta(startDelta(config));
      const feed = createLogFeed();
      // under systemd the JSON lines carry their syslog priority for journald
      const log = createLogger({ level: config.log.level, feed: feed.stream, ...(isJournalStream(2) ? { destination: journaldStream(2) } : {}) });
      if (config.physics.delta === 'auto') {
        log.info({ deltaStart: delta }, `physics.delta auto: the calibration reference fits Δ in (${Math.floor(delta)}, ${Math.floor(delta) + 1}) from physics.deltaStart = ${delta}${o.train ? '; each fit estimates Δ with the metric and a free complex scale of χ' : ''}`);
      }
      const spec = parseDeviceSpec(config.device.spec);
      const simulated = spec.kind === 'emulator' || spec.kind === 'sim';
      const ringMetric = simulated ? withFlag('--metric', () => parseMetricSpec(config.device.metric)) : null;
      const opened = openDevice(simulated
        ? { ...spec, metric: ringMetric ?? undefined, delta, rate: config.device.rate, speed: config.device.speed }
        : spec.kind === 'replay' ? { ...spec, follow: 'session' } : spec, { logger: log }); // a capture of any session (probe, calibrate) replays into the daemon
      const store = new CalibrationStore(config.calibration.dir);
      const reference = calibrationReference(config, ringMetric);
      const dataDir = resolveDataDir(o.dataDir, config.storage.dir);
      if (config.storage.enabled) log.info({ dataDir }, `run records in ${dataDir}`);
      if (!config.storage.enabled && config.storage.influx) log.warn('the InfluxDB sink reads the run record, and storage.enabled is false: nothing goes to InfluxDB');
      if (faults) log.warn({ faultInjection: faults }, 'fault injection is on (model.faultInjection): the listed training rounds are made to fail');
      const makeTrainer = config.model.thread === 'worker' ? createThreadedTrainer : createLiveTrainer;
      const trainer = o.train ? await makeTrainer({ ...trainerOptions(config), ...(faults ? { faults } : {}), log: (l) => log.info(l) }) : null;
      if (trainer) log.info({ backend: trainer.backend }, 'metric network ready');
      const daemon = createDaemon(config, {
        device: opened.device,
        logger: log,
        trainer,
        ...(config.storage.enabled
          ? { openRun: (identity: DeviceIdentity) => openRun({ dataDir, identity, newRun: !!o.newRun, storage: config.storage, logger: log }) }
          : {}),
        runInfo: { note: o.note ?? null, gitCommit: gitCommit() },
        ...(config.storage.enabled && config.storage.influx ? { openInfluxSink: influxSinkFor(config.storage.influx, log) } : {}),
        resolveRecord: (identity, device) => resolveRecord(store, identity, device, { calibrate: !!o.calibrate, simulated, log, reference }),
        calibrateNow: async (identity, device) => (await resolveRecord(store, identity, device, { calibrate: true, simulated, log, reference }))!,
      });
      daemon.status$.subscribe((s) => {
        if (s.lastFit && s.lastFit !== lastPrinted) {
          lastPrinted = s.lastFit;
          process.stdout.write(o.json ? JSON.stringify(s.lastFit) + '\n' : formatFit(s.lastFit) + '\n');
        }
      });
      let lastPrinted: FitSummary | null = null;
      let stopTimer: NodeJS.Timeout | null = null;
      const giveUp = (why: string): never => {
        log.error({ timeoutMs: STOP_TIMEOUT_MS }, why);
        process.exit(1);
      };
      let firstSignalAt = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopTimer) {
          // a wrapper that signals both the process group and the process delivers two at once: only a
          // second signal the user sends on purpose (after SIGNAL_REPEAT_MS) abandons the stop
          if (performance.now() - firstSignalAt < SIGNAL_REPEAT_MS) return;
          giveUp(`second ${signal}: exiting without waiting for the stop to finish`);
        }
        firstSignalAt = performance.now();
        log.info({ signal }, 'stopping on signal');
        // bounded: the device, the journal and the trainer get STOP_TIMEOUT_MS to finish
        stopTimer = setTimeout(() => giveUp(`the stop did not finish within ${STOP_TIMEOUT_MS / 1000} s; exiting`), STOP_TIMEOUT_MS);
        stopTimer.unref();
        void daemon.stop();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const server = config.server.enabled ? createServer(daemon, config, { logger: log, logs$: feed.entries$, tensors: () => trainer?.tensors?.() ?? null, ...(config.storage.enabled ? { dataDir } : {}) }) : null;
      try {
        if (server) {
          const url = await server.listen().catch(async (e: unknown) => {
            await daemon.stop();
            throw e;
          });
          log.info({ url }, 'dashboard listening');
          process.stderr.write(`holoring: dashboard at ${url}\n`);
        }
        await daemon.start();
        await daemon.done;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await server?.close().catch(() => {});
        await opened.dispose().catch(() => {});
        if (stopTimer) clearTimeout(stopTimer);
      }
      const st = daemon.status();
      if (st.run) process.stderr.write(formatRunSummary(st) + '\n');
      if (st.device) process.stderr.write(`${formatAccount(st.device)}\n`);
      if (st.influx) process.stderr.write(`influx: ${st.influx.pointsWritten} points in ${st.influx.target}${st.influx.backlogBytes ? `; ${st.influx.backlogBytes} bytes not yet written (written when the run continues)` : ''}${st.influx.lastError ? `; last error: ${st.influx.lastError}` : ''}\n`);
      if (st.state === 'failed') throw new HoloringError('RING_ERR_DAEMON_FAILED', `daemon failed: ${st.error ?? 'unknown error'}`, {});
    });
  describeDefaults(cmd, startDefaults());
}
