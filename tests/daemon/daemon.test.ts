import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { mergeMap, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { runCalibration } from '../../calibration/procedure.ts';
import { RingEmulator } from '../../drivers/ring/emulator.ts';
import { EmulatorTransport } from '../../drivers/ring/loopback.ts';
import { RingDeviceModel } from '../../drivers/ring/model.ts';
import { type OpenedDevice, openDevice } from '../../drivers/ring/open.ts';
import { SerialRingDevice } from '../../drivers/ring/serialDevice.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { type Config, parseConfig } from '../../src/config/schema.ts';
import { type Daemon, type DaemonDeps, createDaemon } from '../../src/daemon/daemon.ts';
import { createLiveTrainer } from '../../src/daemon/trainer.ts';
import { createLogger, silentLogger } from '../../src/log.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { runCli } from '../support/cli.ts';
import { listRunIds, listSegments, readDocuments, readRunFrames } from '../../src/storage/index.ts';
import { parseResponseTable } from '../../src/io/responseTable.ts';
import type { InfluxSink, InfluxSinkStatus } from '../../src/storage/influx/sink.ts';
import { openRun } from '../../src/storage/run.ts';

/** A logger whose JSON lines the test can read back. */
function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger({ destination: stream, level: 'info' }), lines };
}

/**
 * Builds the daemon on an opened device (no trainer, no calibration unless given),
 * lets `observe` subscribe before it starts, runs it to its end and closes the device.
 */
async function runDaemon(config: Readonly<Config>, opened: OpenedDevice, deps: Partial<DaemonDeps> = {}, observe?: (d: Daemon) => void) {
  const { logger, lines } = captureLogger();
  const daemon = createDaemon(config, { device: opened.device, logger, trainer: null, resolveRecord: async () => null, ...deps });
  observe?.(daemon);
  await daemon.start();
  await daemon.done;
  await opened.dispose();
  return { daemon, lines, st: daemon.status() };
}

describe('daemon wiring (in-process emulator, full byte path)', () => {
  it('calibrates, acquires sweeps and reconstructs a deformed metric end to end', async () => {
    const metric = deformedMetric(0.3, -0.2, 1.5);
    const config = parseConfig({
      physics: { kMax: 4 },
      sweep: { start: 0.5, stop: 12, step: 0.5, dwellMs: 400 },
      model: { layers: 200, nodes: 16 },
      sweeps: 2,
    });
    const opened = openDevice({ kind: 'emulator', seed: 3, metric, rate: 20, speed: 2000 });
    const trainer = await createLiveTrainer({ delta: 1.5, layers: 200, nodes: 16 });
    const fits: { sweep: number; r: number[]; f: number[]; g: number[]; f_err: number[]; g_err: number[]; chi2: number }[] = [];
    const { st, lines } = await runDaemon(config, opened, {
      trainer,
      resolveRecord: async (_identity, device) => (await runCalibration(device, { framesPerSetting: 8 })).record,
    }, (d) => d.fits$.subscribe((f) => fits.push(f)));

    expect(st.state).toBe('stopped');
    expect(st.sweeps).toBe(2);
    expect(st.calibrationVersion).toMatch(/^cal-[0-9a-f]{16}$/);
    expect(st.tablePoints).toBe(24 * 5);
    expect(fits.length).toBeGreaterThanOrEqual(1);
    const last = fits[fits.length - 1];
    expect(last.chi2).toBeGreaterThan(0.5);
    expect(last.chi2).toBeLessThan(3);
    // the reconstructed metric agrees with the ring's true bulk within its error bars (lean live mode)
    let worst = 0;
    for (let i = 0; i < last.r.length; i++) {
      const r = last.r[i];
      if (r > 3) break;
      const ef = Math.abs(last.f[i] / metric.f(r) - 1);
      const eg = Math.abs(last.g[i] / metric.g(r) - 1);
      worst = Math.max(worst, ef, eg);
    }
    expect(worst).toBeLessThan(0.02);
    // and it is not pure AdS: the deformation (f(0) = 1.3) was found
    expect(last.f[0]).toBeGreaterThan(1.2);
    // structured logs tell the story
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toContain('device connected');
    expect(msgs).toContain('calibration active');
    expect(msgs.filter((m) => m === 'sweep complete')).toHaveLength(2);
    expect(msgs).toContain('metric retrained');
  });

  it('runs uncalibrated (flagged in the logs) when no record is found, and acquisition-only without a trainer', async () => {
    const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 1, stop: 3, step: 1, dwellMs: 200 }, sweeps: 2 });
    const { st, lines } = await runDaemon(config, openDevice({ kind: 'sim', seed: 2, rate: 20, speed: 1000 }));
    expect(st.state).toBe('stopped');
    expect(st.calibrationVersion).toBeNull();
    expect(st.tablePoints).toBe(3 * 3);
    expect(st.lastFit).toBeNull();
    expect(lines.some((l) => l.level === 40 && String(l.msg).includes('uncalibrated'))).toBe(true);
  });

  it('reports the InfluxDB sink as it is now, not as it was at the last frame', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'holoring-sinkstatus-'));
    const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 1, stop: 3, step: 1, dwellMs: 200 }, sweeps: 1, storage: { dir: dataDir } });
    let reads = 0;
    const sink: InfluxSink = {
      start: async () => undefined, stop: async () => undefined, recordHealth: () => undefined,
      // a sink whose writes go on after the last frame: each read sees fewer points pending
      status: () => ({ state: 'writing', pendingPoints: 1000 - ++reads }) as InfluxSinkStatus,
    };
    const { daemon } = await runDaemon(config, openDevice({ kind: 'sim', seed: 2, rate: 20, speed: 1000 }), {
      openRun: (identity) => openRun({ dataDir, identity, newRun: true, storage: config.storage, logger: silentLogger() }),
      openInfluxSink: () => sink,
    });
    const before = daemon.status().influx!.pendingPoints;
    expect(daemon.status().influx!.pendingPoints).toBeLessThan(before);
  });

  it('fails cleanly when the device cannot be opened', async () => {
    const config = parseConfig({ sweeps: 1 });
    const opened = openDevice({ kind: 'serial', port: '/nonexistent/ttyRING' });
    const { logger } = captureLogger();
    const daemon = createDaemon(config, { device: opened.device, logger, trainer: null, resolveRecord: async () => null });
    await expect(daemon.start()).rejects.toThrow();
    await daemon.done;
    expect(daemon.status().state).toBe('failed');
    await opened.dispose();
  });
});

describe('holoring start', () => {
  it('runs the default daemon on the emulated ring for a bounded number of sweeps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-start-'));
    const dataDir = join(dir, 'data');
    const r = runCli(['start', '--sweeps', '2', '--speed', '200', '--port', '0', '--json', '--calibration-dir', dir, '--data-dir', dataDir, '--note', 'first light', '--log-level', 'warn'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/holoring: dashboard at http:\/\/127\.0\.0\.1:\d+\//);
    const fits = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(fits.length).toBeGreaterThanOrEqual(1);
    expect(fits[fits.length - 1]).toMatchObject({ sweep: 2, points: 624 });
    expect(fits[fits.length - 1].profile[0].f).toBeGreaterThan(0.95);
    expect(fits[fits.length - 1].profile[0].f).toBeLessThan(1.05);
    // the simulated ring was calibrated automatically and the record stored
    expect(readdirSync(dir).some((f) => /^cal-[0-9a-f]{16}\.json$/.test(f))).toBe(true);
    // every raw frame went to the run's journal, the calibration's apart, and the run can be re-calibrated from it
    const [id] = listRunIds(dataDir);
    const recorded = readRunFrames(dataDir, id, 'frames');
    expect(recorded.frames.length).toBe(2 * 48 * 4);
    const calibrationFrames = readRunFrames(dataDir, id, 'calibration').frames.length;
    expect(calibrationFrames).toBeGreaterThan(0);
    const { documents } = readDocuments(dataDir, id);
    expect(documents[0]).toMatchObject({ type: 'start', runId: id, note: 'first light', device: { serial: 'SIM-1' } });
    const stop = documents[documents.length - 1];
    expect(stop).toMatchObject({ type: 'stop', status: 'stopped', sweeps: 2, calibrationFrames, frames: { journaled: recorded.frames.length + calibrationFrames, duplicates: 0 } });
    expect(documents.filter((d) => d.type === 'fit').length).toBe(fits.length);
    expect(r.stderr).toContain(`run ${id} in`);
    expect(r.stderr).toMatch(new RegExp(`${recorded.frames.length + calibrationFrames} in the journal files`));
    const segment = listSegments(dataDir, id, 'frames')[0].path;
    const again = runCli(['recalibrate', '--frames', segment, '--store', dir, '--quiet'], { timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(parseResponseTable(again.stdout).points).toHaveLength(48 * 13);
  }, 150_000);

  it('refuses a bad configuration naming the option', () => {
    const r = runCli(['start', '--sweeps', '-1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--sweeps/);
    const r2 = runCli(['start', '--device', 'replay:'], {});
    expect(r2.code).not.toBe(0);
  }, 150_000);
});

describe('threaded trainer', () => {
  it('fits on its own thread, gives the in-process result, and leaves the main thread free', async () => {
    const { simulateResponseTable } = await import('../../src/physics/response.ts');
    const { frequencyGrid } = await import('../../drivers/sim/simulator.ts');
    const { createThreadedTrainer } = await import('../../src/daemon/trainer.ts');
    const points = simulateResponseTable({ metric: deformedMetric(), delta: 1.5, omegas: frequencyGrid(0.25, 12, 0.25), gamma: 0.25, kMax: 12, noise: 0.01, seed: 2 });
    const opts = { delta: 1.5, layers: 400, nodes: 32 };
    const threaded = await createThreadedTrainer(opts);
    const local = await createLiveTrainer(opts);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const a = await threaded.fit(points);
    clearInterval(timer);
    const b = await local.fit(points);
    // the event loop kept turning while the worker fitted (a blocked loop ticks at most once)
    expect(ticks).toBeGreaterThan(5);
    expect(a.iterations).toBe(b.iterations);
    a.f.forEach((v, i) => expect(Math.abs(v / b.f[i] - 1)).toBeLessThan(1e-12));
    // warm start: a second fit of the same table converges at once
    const again = await threaded.fit(points);
    expect(again.iterations).toBeLessThanOrEqual(2);
    await threaded.dispose();
    await local.dispose();
    await expect(threaded.fit(points)).rejects.toThrow(/trainer thread exited/);
  }, 60_000);
});

describe('daemon resilience', () => {
  it('rides through a disconnect and a reboot of the device, with corrupt and dropped frames', async () => {
    const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 0.5, stop: 6, step: 0.5, dwellMs: 200 }, sweeps: 3 });
    const opened = openDevice({
      kind: 'emulator', seed: 2, rate: 20, speed: 20,
      faults: { corrupt: 0.02, drop: 0.01, replyDelayMs: 0, events: [{ at: 0.5, disconnect: 1 }] },
    });
    const states: string[] = [];
    const { st, lines } = await runDaemon(config, opened, {}, (d) => d.status$.subscribe((s) => {
      if (s.deviceState && states[states.length - 1] !== s.deviceState) states.push(s.deviceState);
    }));
    expect(st.state).toBe('stopped');
    expect(st.sweeps).toBe(3);
    expect(st.device?.reconnects).toBe(1);
    expect(states).toContain('disconnected');
    expect(states[states.length - 1]).not.toBe('disconnected');
    expect(st.tablePoints).toBe(12 * 3);
    // the losses are accounted, not silent: damaged frames are missing as rejected (the reboot restarts the
    // numbering, marked, when frames came before it: timing decides)
    expect((st.device?.missingFrames ?? 0) + (st.device?.checksumErrors ?? 0)).toBeGreaterThan(0);
    expect(st.device?.account).toMatchObject({ restarts: expect.any(Number), missing: { rejected: expect.any(Number) } });
    expect(st.device!.account!.restarts).toBeLessThanOrEqual(1);
    expect(lines.filter((l) => l.level === 40 && /missing after seq/.test(String(l.msg)))).toEqual([]);
  }, 60_000);

  it('a link lost right after a sweep ended: the next sweep starts once the device is connected again', async () => {
    const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 0.5, stop: 2, step: 0.5, dwellMs: 200 }, sweeps: 3 });
    const sim = new RingSimulator({ sites: 8, seed: 4 });
    const loop = new EmulatorTransport({ seed: 4 });
    const emulator = new RingEmulator({ model: new RingDeviceModel({ sim, rate: 20 }), speed: 20, seed: 4 });
    loop.bind(emulator);
    emulator.start();
    const device = new SerialRingDevice({ transport: loop });
    // the port goes away the moment the first sweep ends, before the daemon can ask for the next one
    let cut = false;
    device.events$.subscribe((e) => {
      if (e.type === 'sweep-done' && !cut) {
        cut = true;
        loop.disconnect(0.3, false);
      }
    });
    const { st, lines } = await runDaemon(config, { device, dispose: () => device.close() });
    emulator.stop();
    expect(cut).toBe(true);
    expect(st.state).toBe('stopped');
    expect(st.sweeps).toBe(3);
    expect(st.device?.reconnects).toBe(1);
    expect(lines.filter((l) => l.msg === 'could not start the next sweep: it starts when the device is connected again')).toHaveLength(1);
  }, 60_000);

  it('a stop requested while the start-up calibration runs is a clean stop, not a failure', async () => {
    const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 1, stop: 3, step: 1, dwellMs: 200 } });
    const opened = openDevice({ kind: 'emulator', seed: 2, rate: 20, speed: 50 });
    let calibrationError: unknown = null;
    const holder: { daemon?: Daemon } = {};
    const { st, lines } = await runDaemon(config, opened, {
      resolveRecord: async (_identity, device) => {
        const cal = runCalibration(device, { framesPerSetting: 8 });
        void holder.daemon!.stop();
        return (await cal.catch((e: unknown) => Promise.reject((calibrationError = e)))).record;
      },
    }, (d) => (holder.daemon = d));
    expect(calibrationError).toMatchObject({ code: 'RING_ERR_CLOSED' });
    expect(st.state).toBe('stopped');
    expect(st.error).toBeUndefined();
    expect(lines.some((l) => l.msg === 'stopped during start-up')).toBe(true);
    expect(lines.some((l) => (l.level as number) >= 50)).toBe(false);
  });

  it('a frame that cannot be processed is counted and skipped; acquisition goes on', async () => {
    const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 1, stop: 3, step: 1, dwellMs: 200 }, sweeps: 2 });
    const opened = openDevice({ kind: 'sim', seed: 2, rate: 20, speed: 1000 });
    const inner = opened.device;
    let injected = false;
    // a device whose third frame is broken (no readings)
    const broken = Object.create(inner) as typeof inner;
    Object.defineProperty(broken, 'frames$', {
      value: inner.frames$.pipe(mergeMap((f) => {
        if (!injected && f.seq === 2) {
          injected = true;
          return of({ ...f, x: undefined as unknown as Float64Array }, f);
        }
        return of(f);
      })),
    });
    const { st, lines } = await runDaemon(config, { ...opened, device: broken });
    expect(st.state).toBe('stopped');
    expect(st.sweeps).toBe(2);
    expect(st.skipped['processing-error']).toBe(1);
    expect(st.tablePoints).toBe(3 * 3);
    expect(lines.some((l) => l.level === 50 && l.seq === 2)).toBe(true);
  });
});

describe('daemon honesty', () => {
  it('warns when the disk network cannot describe the data (a black-hole sample)', async () => {
    const { btzMetric } = await import('../../src/physics/metric.ts');
    const config = parseConfig({ physics: { kMax: 4 }, sweep: { start: 0.5, stop: 8, step: 0.5, dwellMs: 200 }, model: { layers: 200, nodes: 16 }, sweeps: 1 });
    const opened = openDevice({ kind: 'sim', seed: 3, rate: 20, speed: 1000, metric: btzMetric(1.5) });
    const trainer = await createLiveTrainer({ geometry: 'disk', delta: 1.5, layers: 200, nodes: 16 });
    const { st, lines } = await runDaemon(config, opened, {
      trainer,
      resolveRecord: async (_identity, device) => (await runCalibration(device, { solve: { reference: { kind: 'uv-ads', geometry: 'btz:1.5' } } })).record,
    });
    expect(st.lastFit?.chi2).toBeGreaterThan(3);
    expect(st.lastFit?.geometry).toBe('disk');
    expect(lines.some((l) => l.level === 40 && /does not describe the data/.test(String(l.msg)))).toBe(true);
  }, 60_000);

  it('model.geometry auto picks the horizon for a black-hole sample: r_h and T with σ, the sample temperature against T_HP', async () => {
    const { btzMetric } = await import('../../src/physics/metric.ts');
    // the simulator reports 10 mK; a Hawking–Page point of 10/1.5 mK puts the sample at 1.5 T_HP, i.e. BTZ r_h = 1.5
    const config = parseConfig({
      physics: { kMax: 4 }, sweep: { start: 0.5, stop: 8, step: 0.5, dwellMs: 200 }, model: { layers: 200, nodes: 16 }, sweeps: 1,
      alarms: { sampleTemperature: { hawkingPageK: 0.01 / 1.5 } },
    });
    const opened = openDevice({ kind: 'sim', seed: 3, rate: 20, speed: 1000, metric: btzMetric(1.5) });
    const trainer = await createLiveTrainer({ geometry: config.model.geometry, delta: 1.5, layers: 200, nodes: 16 });
    const { st, lines } = await runDaemon(config, opened, {
      trainer,
      resolveRecord: async (_identity, device) => (await runCalibration(device, { solve: { reference: { kind: 'uv-ads', geometry: 'btz:1.5' } } })).record,
    });
    const fit = st.lastFit!;
    expect(fit.geometry).toBe('horizon');
    expect(fit.geometryReason).toMatch(/^horizon: reduced χ² .* for the disk/);
    expect(fit.chi2).toBeLessThan(2);
    expect(Math.abs(fit.rh! - 1.5)).toBeLessThan(Math.max(3 * fit.rhErr!, 0.05));
    expect(Math.abs(fit.temperature! - 1.5 / (2 * Math.PI))).toBeLessThan(3 * fit.temperatureErr!);
    expect(fit.sampleTemperatureRatio).toBeCloseTo(1.5, 1);
    expect(fit.profile[0].r).toBeGreaterThan(fit.rh!);
    expect(lines.some((l) => /check the thermometer/.test(String(l.msg)))).toBe(false);
    expect(lines.some((l) => l.msg === 'metric retrained' && l.geometry === 'horizon')).toBe(true);
  }, 120_000);
});
