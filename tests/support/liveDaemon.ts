import { runCalibration } from '../../calibration/procedure.ts';
import { type DeviceSpec, openDevice } from '../../drivers/ring/open.ts';
import { type ConfigInput, type Config, parseConfig, mergeConfig, startDelta } from '../../src/config/schema.ts';
import type { RingDevice } from '../../src/contracts/device.ts';
import { type Daemon, createDaemon } from '../../src/daemon/daemon.ts';
import { createLiveTrainer, createThreadedTrainer } from '../../src/daemon/trainer.ts';
import { type LogFeed, createLogFeed, silentLogger, createLogger } from '../../src/log.ts';
import { parseMetricSpec } from '../../src/physics/metric.ts';
import { type HoloringServer, type ServerOptions, createServer } from '../../src/server/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openRun } from '../../src/storage/run.ts';

/**
 * The whole daemon in-process on a simulated ring (the emulator, full byte
 * path) with its server on a free loopback port: a small, accelerated set-up
 * for the server's integration and browser tests and its benchmark.
 */
export interface LiveDaemon {
  daemon: Daemon;
  device: RingDevice;
  server: HoloringServer;
  config: Readonly<Config>;
  url: string;
  feed: LogFeed;
  /** Where the daemon records its run (a temporary directory, removed by stop()). */
  dataDir: string;
  stop(): Promise<void>;
}

export const SMALL_RING: ConfigInput = {
  device: { spec: 'emulator', metric: 'deformed', rate: 20, speed: 10 },
  physics: { kMax: 4 },
  sweep: { start: 0.5, stop: 12, step: 0.5, dwellMs: 400 },
  model: { layers: 200, nodes: 16 },
  server: { port: 0, responseMs: 500 },
};

export async function startLiveDaemon(
  over: ConfigInput = {},
  opts: {
    train?: boolean; thread?: 'worker' | 'main'; server?: ServerOptions; calibrate?: boolean;
    /** Another device than the in-process emulator (e.g. a serial port with `holoring emulate` on it). */
    device?: DeviceSpec;
    /** Called for every frame the driver delivers, before the daemon sees it. */
    onDeviceFrame?: (seq: number) => void;
  } = {},
): Promise<LiveDaemon> {
  const config = parseConfig(mergeConfig(SMALL_RING as Record<string, unknown>, over as Record<string, unknown>));
  const metric = parseMetricSpec(config.device.metric);
  const opened = openDevice(opts.device ?? { kind: 'emulator', seed: 3, metric, rate: config.device.rate, speed: config.device.speed });
  // the calibration's reference bulk, as `holoring start` picks it: a BTZ ring is calibrated against BTZ
  const reference = { kind: 'uv-ads' as const, geometry: config.calibration.referenceGeometry ?? (metric.kind === 'btz' ? metric.label : 'ads'), delta: startDelta(config), gamma: config.physics.gamma };
  const calibrate = async (device: RingDevice) => (await runCalibration(device, { framesPerSetting: 8, solve: { reference } })).record;
  const feed = createLogFeed();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const logger = opts.server?.logger ?? createLogger({ level: 'info', destination: sink, pretty: false, feed: feed.stream });
  const makeTrainer = (opts.thread ?? 'worker') === 'worker' ? createThreadedTrainer : createLiveTrainer;
  const trainer = opts.train === false ? null : await makeTrainer({ geometry: config.model.geometry, delta: config.physics.delta, layers: config.model.layers, nodes: config.model.nodes });
  const dataDir = mkdtempSync(join(tmpdir(), 'holoring-live-'));
  const daemon = createDaemon(config, {
    device: opened.device, logger, trainer,
    openRun: (identity) => openRun({ dataDir, identity, newRun: true, storage: config.storage, logger }),
    resolveRecord: async (_identity, device) => (opts.calibrate === false ? null : calibrate(device)),
    calibrateNow: async (_identity, device) => calibrate(device),
  });
  const server = createServer(daemon, config, { logs$: feed.entries$, dataDir, ...opts.server, logger: opts.server?.logger ?? silentLogger() });
  const url = await server.listen();
  if (opts.onDeviceFrame) opened.device.frames$.subscribe((f) => opts.onDeviceFrame!(f.seq));
  await daemon.start();
  return {
    daemon, device: opened.device, server, config, url, feed, dataDir,
    async stop() {
      await server.close();
      await daemon.stop();
      await opened.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
