import { runCalibration } from '../../calibration/procedure.ts';
import { openDevice } from '../../drivers/ring/open.ts';
import { type ConfigInput, type Config, parseConfig, mergeConfig } from '../../src/config/schema.ts';
import { type Daemon, createDaemon } from '../../src/daemon/daemon.ts';
import { createLiveTrainer, createThreadedTrainer } from '../../src/daemon/trainer.ts';
import { type LogFeed, createLogFeed, silentLogger, createLogger } from '../../src/log.ts';
import { parseMetricSpec } from '../../src/physics/metric.ts';
import { type HoloringServer, type ServerOptions, createServer } from '../../src/server/index.ts';
import { Writable } from 'node:stream';

/**
 * The whole daemon in-process on a simulated ring (the emulator, full byte
 * path) with its server on a free loopback port: a small, accelerated set-up
 * for the server's integration and browser tests and its benchmark.
 */
export interface LiveDaemon {
  daemon: Daemon;
  server: HoloringServer;
  config: Readonly<Config>;
  url: string;
  feed: LogFeed;
  stop(): Promise<void>;
}

export const SMALL_RING: ConfigInput = {
  device: { spec: 'emulator', metric: 'deformed', rate: 20, speed: 10 },
  physics: { kMax: 4 },
  sweep: { start: 0.5, stop: 12, step: 0.5, dwellMs: 400 },
  model: { layers: 200, nodes: 16 },
  server: { port: 0, responseMs: 500 },
};

export async function startLiveDaemon(over: ConfigInput = {}, opts: { train?: boolean; thread?: 'worker' | 'main'; server?: ServerOptions } = {}): Promise<LiveDaemon> {
  const config = parseConfig(mergeConfig(SMALL_RING as Record<string, unknown>, over as Record<string, unknown>));
  const opened = openDevice({ kind: 'emulator', seed: 3, metric: parseMetricSpec(config.device.metric), rate: config.device.rate, speed: config.device.speed });
  const feed = createLogFeed();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const logger = opts.server?.logger ?? createLogger({ level: 'info', destination: sink, pretty: false, feed: feed.stream });
  const makeTrainer = (opts.thread ?? 'worker') === 'worker' ? createThreadedTrainer : createLiveTrainer;
  const trainer = opts.train === false ? null : await makeTrainer({ delta: config.physics.delta, layers: config.model.layers, nodes: config.model.nodes });
  const daemon = createDaemon(config, {
    device: opened.device, logger, trainer,
    resolveRecord: async (_identity, device) => (await runCalibration(device, { framesPerSetting: 8 })).record,
  });
  const server = createServer(daemon, config, { logs$: feed.entries$, ...opts.server, logger: opts.server?.logger ?? silentLogger() });
  const url = await server.listen();
  await daemon.start();
  return {
    daemon, server, config, url, feed,
    async stop() {
      await server.close();
      await daemon.stop();
      await opened.dispose();
    },
  };
}
