import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCalibration } from '../../../calibration/procedure.ts';
import { openDevice } from '../../../drivers/ring/open.ts';
import { parseConfig } from '../../../src/config/schema.ts';
import { type DaemonStatus, createDaemon } from '../../../src/daemon/daemon.ts';
import { influxSinkFor } from '../../../src/daemon/influx.ts';
import type { AlarmEvent } from '../../../src/alarms/index.ts';
import { createLiveTrainer } from '../../../src/daemon/trainer.ts';
import { silentLogger } from '../../../src/log.ts';
import { deformedMetric } from '../../../src/physics/metric.ts';
import { listRunIds, readRunFrames } from '../../../src/storage/index.ts';
import { openRun } from '../../../src/storage/run.ts';
import { runCli } from '../../support/cli.ts';
import { type Influxd, influxdAvailable, startInfluxd } from '../../support/influxd.ts';
import { dashboardQueries, interpolate } from './grafana.ts';

const hasInfluxd = influxdAvailable();

interface RigOptions {
  rig: string;
  db: string;
  sweeps: number;
  sweep: { start: number; stop: number; step: number; dwellMs: number };
  speed: number;
  train?: boolean;
  calibrate?: boolean;
  /** Ring sites (default 16: 39 fields per frame point, light on a shared machine; calibration needs 64). */
  sites?: number;
  onStatus?: (st: DaemonStatus) => void;
  /** alarms.influxBacklog.maxMB (default: the configuration's). */
  backlogAlarmMB?: number;
  onAlarm?: (a: AlarmEvent) => void;
}

describe.skipIf(!hasInfluxd)('the daemon writes its runs into a real influxd', () => {
  let server: Influxd;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startInfluxd();
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** One rig: an in-process daemon on the accelerated emulator with the InfluxDB sink, run to its end. */
  async function runRig(o: RigOptions) {
    const dataDir = mkdtempSync(join(tmpdir(), `holoring-${o.rig}-`));
    dirs.push(dataDir);
    const config = parseConfig({
      rig: o.rig, physics: { kMax: 4 }, sweep: o.sweep, model: { layers: 200, nodes: 16 }, sweeps: o.sweeps,
      storage: { dir: dataDir, influx: { url: server.url, database: o.db, batchSize: 500, flushMs: 100 } },
      ...(o.backlogAlarmMB === undefined ? {} : { alarms: { evaluateMs: 100, influxBacklog: { maxMB: o.backlogAlarmMB } } }),
    });
    const logger = silentLogger();
    const opened = openDevice({ kind: 'emulator', seed: 3, metric: deformedMetric(0.3, -0.2, 1.5), rate: 20, speed: o.speed, sites: o.sites ?? 16 });
    const daemon = createDaemon(config, {
      device: opened.device, logger,
      trainer: o.train ? await createLiveTrainer({ delta: 1.5, layers: 200, nodes: 16 }) : null,
      resolveRecord: async (_identity, device) => (o.calibrate ? (await runCalibration(device, { framesPerSetting: 8 })).record : null),
      openRun: (identity) => openRun({ dataDir, identity, newRun: true, storage: config.storage, logger }),
      openInfluxSink: influxSinkFor(config.storage.influx!, logger, { healthEveryMs: 100 }),
    });
    if (o.onStatus) daemon.status$.subscribe(o.onStatus);
    if (o.onAlarm) daemon.alarms.events$.subscribe(o.onAlarm);
    await daemon.start();
    await daemon.done;
    await opened.dispose();
    const st = daemon.status();
    const runId = st.run!.id;
    return {
      st, runId,
      journaled: { acquisition: readRunFrames(dataDir, runId, 'frames').frames.length, calibration: readRunFrames(dataDir, runId, 'calibration').frames.length },
    };
  }

  /** Frames in InfluxDB for one run, per stage, and the distinct sequence numbers among them. */
  async function framesIn(db: string, run: string) {
    const per = await server.query(db, `SELECT COUNT("seq") FROM "frame" WHERE "run" = '${run}' GROUP BY "stage"`);
    const counts: Record<string, number> = {};
    for (const s of per.results[0].series ?? []) counts[s.tags!.stage] = Number(s.values[0][1]);
    const d = await server.query(db, `SELECT COUNT(DISTINCT("seq")) FROM "frame" WHERE "run" = '${run}'`);
    return { counts, distinct: Number(d.results[0].series?.[0].values[0][1] ?? 0) };
  }

  it('an influxd outage mid-run (40 s of acquisition time): every journaled frame ends up in InfluxDB once; the backlog alarm rises', async () => {
    let stopping: Promise<void> | null = null;
    let starting: Promise<void> | null = null;
    let journaledAtStop = 0;
    const during: DaemonStatus['influx'][] = [];
    const alarms: { state: string; outage: boolean; value: number | null }[] = [];
    const res = await runRig({
      rig: 'rig-outage', db: 'outage', sweeps: 60, sweep: { start: 0.5, stop: 3, step: 0.5, dwellMs: 200 }, speed: 50, backlogAlarmMB: 0.05,
      onAlarm: (a) => {
        if (a.rule === 'influxBacklog') alarms.push({ state: a.state, outage: stopping !== null && starting === null, value: a.value });
      },
      onStatus: (st) => {
        if (!stopping && (st.influx?.written.frame ?? 0) >= 50) {
          journaledAtStop = st.accounting.journaled;
          stopping = server.stop();
        } else if (stopping && !starting) {
          during.push(st.influx);
          // back after 800 more frames: 40 s of acquisition at 20 frames/s
          if (st.accounting.journaled >= journaledAtStop + 800) starting = stopping.then(() => server.start());
        }
      },
    });
    await starting;
    expect(starting).not.toBeNull();
    expect(res.st.state).toBe('stopped');
    const sink = res.st.influx!;
    // the sink saw the outage, kept at most a batch in memory, and caught up after it
    expect(sink.retries).toBeGreaterThan(0);
    expect(Math.max(...during.map((s) => s?.backlogBytes ?? 0))).toBeGreaterThan(100_000);
    expect(Math.max(...during.map((s) => s?.pendingPoints ?? 0))).toBeLessThanOrEqual(500);
    expect(sink.backlogBytes).toBe(0);
    expect(sink.written.frame).toBe(res.journaled.acquisition);
    const inflx = await framesIn('outage', res.runId);
    expect(res.journaled.acquisition).toBe(60 * 24);
    expect(inflx.counts).toEqual({ acquisition: res.journaled.acquisition });
    expect(inflx.distinct).toBe(res.journaled.acquisition);
    // the backlog alarm: raised during the outage above 0.05 MiB (its clearing: tests/scenarios/influx.test.ts)
    expect(alarms[0]).toMatchObject({ state: 'raised', outage: true });
    expect(alarms[0].value).toBeGreaterThan(0.05);
  }, 120_000);

  it('two rigs write into one database, kept apart by their tags; every query of the Grafana dashboard returns data', async () => {
    const [a, b] = await Promise.all([
      runRig({ rig: 'rig-a', db: 'lab', sweeps: 2, sweep: { start: 0.5, stop: 6, step: 0.5, dwellMs: 400 }, speed: 2000, train: true, calibrate: true, sites: 64 }),
      runRig({ rig: 'rig-b', db: 'lab', sweeps: 3, sweep: { start: 0.5, stop: 3, step: 0.5, dwellMs: 200 }, speed: 200 }),
    ]);
    for (const r of [a, b]) {
      expect(r.st.state).toBe('stopped');
      const inflx = await framesIn('lab', r.runId);
      const want: Record<string, number> = { acquisition: r.journaled.acquisition };
      if (r.journaled.calibration) want.calibration = r.journaled.calibration;
      expect(inflx.counts).toEqual(want);
      expect(inflx.distinct).toBe(r.journaled.acquisition + r.journaled.calibration);
    }
    expect(a.journaled.calibration).toBeGreaterThan(0);
    const rigs = await server.query('lab', 'SHOW TAG VALUES FROM "frame" WITH KEY = "rig"');
    expect(rigs.results[0].series![0].values.map((v) => v[1])).toEqual(['rig-a', 'rig-b']);
    const runsOfA = await server.query('lab', `SHOW TAG VALUES FROM "frame" WITH KEY = "run" WHERE "rig" = 'rig-a'`);
    expect(runsOfA.results[0].series![0].values.map((v) => v[1])).toEqual([a.runId]);
    // rounds of rig-a: one fit point each, and its metric at every radius
    const fits = await server.query('lab', `SELECT COUNT("chi2") FROM "fit" WHERE "rig" = 'rig-a'`);
    expect(Number(fits.results[0].series![0].values[0][1])).toBe(a.st.lastFit ? a.st.influx!.written.fit : 0);
    expect(a.st.influx!.written.fit).toBeGreaterThanOrEqual(1);
    expect(b.st.influx!.written.fit ?? 0).toBe(0);

    // the Grafana dashboard, as Grafana would send its queries for rig-a
    // a time range over the whole run: the accelerated emulator's device clock runs ahead of the host's
    const last = await server.query('lab', `SELECT "seq" FROM "frame" WHERE "run" = '${a.runId}' ORDER BY time DESC LIMIT 1`);
    const lastMs = Number(BigInt(last.results[0].series![0].values[0][0] as number) / 1_000_000n);
    const range = { fromMs: Date.now() - 3_600_000, toMs: Math.max(Date.now(), lastMs) + 60_000 };
    // as Grafana picks $__interval: the range over about 1000 points
    const intervalMs = Math.max(1000, Math.ceil((range.toMs - range.fromMs) / 1000));
    for (const q of dashboardQueries()) {
      const text = interpolate(q.query, { rig: 'rig-a', run: a.runId, k: '1' }, range, intervalMs);
      const r = (await server.query('lab', text)).results[0];
      expect(r.error, `${q.where}: ${text}`).toBeUndefined();
      const values = (r.series ?? []).flatMap((s) => s.values.map((row) => row.slice(1))).flat();
      // fill(0) pads empty intervals with zeros: there, data means a non-zero value (a clean run's health counters are 0)
      const padded = /fill\(0\)/.test(text);
      expect(values.some((v) => v !== null && (!padded || v !== 0)), `${q.where} returned no data: ${text}`).toBe(true);
    }
  }, 180_000);

  it('holoring start --influx URL writes the run into the database named in the URL, and says so at stop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-cli-influx-'));
    dirs.push(dir);
    const r = runCli(['start', '--sweeps', '1', '--no-train', '--no-server', '--speed', '200', '--data-dir', dir, '--calibration-dir', dir, '--influx', `${server.url}/cli`, '--log-level', 'warn'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const [runId] = listRunIds(dir);
    const journaled = readRunFrames(dir, runId, 'frames').frames.length + readRunFrames(dir, runId, 'calibration').frames.length;
    expect(journaled).toBeGreaterThan(48 * 4);
    const m = /influx: (\d+) points in (\S+)/.exec(r.stderr);
    expect(m?.[2]).toBe(`${server.url}/cli`);
    // every frame, and the health points of the run
    expect(Number(m![1])).toBeGreaterThanOrEqual(journaled);
    return server.query('cli', `SELECT COUNT("seq") FROM "frame" WHERE "run" = '${runId}'`).then((q) => {
      expect(Number(q.results[0].series![0].values[0][1])).toBe(journaled);
    });
  }, 150_000);
});
