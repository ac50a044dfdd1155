import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, requireComponent } from './components.ts';

/**
 * A real InfluxDB 1.x server for tests and benchmarks: Debian's `influxd`
 * started with a generated configuration (RPC and HTTP bound to free loopback
 * ports, meta/data/wal in a temporary directory, usage reporting and the
 * self-monitoring store off). `stop()` and `start()` again keep the same ports
 * and data, as a restarted server would.
 */
export interface Influxd {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** Starts (or restarts) the server and resolves once /ping answers. */
  start(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and resolves when it has exited. */
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
  /** Runs an InfluxQL query over HTTP and returns the parsed JSON reply. */
  query(db: string, q: string): Promise<InfluxQueryReply>;
}

export interface InfluxQueryReply {
  results: { statement_id: number; series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]; error?: string }[];
}

/** True when influxd can be run here; otherwise fails in CI and skips locally. */
export function influxdAvailable(): boolean {
  return requireComponent('influxd', hasCommand('influxd'), 'Debian: apt-get install influxdb');
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function configText(dir: string, rpcPort: number, httpPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false

[continuous_queries]
  enabled = false
`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates the configuration and temporary directories and starts influxd. */
export async function startInfluxd(): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'holoring-influxd-'));
  for (const d of ['meta', 'data', 'wal']) mkdirSync(join(dir, d));
  const rpcPort = await freePort();
  const port = await freePort();
  const configPath = join(dir, 'influxdb.conf');
  writeFileSync(configPath, configText(dir, rpcPort, port));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let stderr = '';

  const ping = async (): Promise<boolean> => {
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      return res.status === 204;
    } catch {
      return false;
    }
  };

  const server: Influxd = {
    url,
    port,
    async start() {
      if (child) return;
      stderr = '';
      const c = spawn('influxd', ['-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      c.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      // bounded wait for /ping (influxd opens its stores first)
      for (let i = 0; i < 300; i++) {
        if (await ping()) return;
        const gone = await Promise.race([exited.then(() => true), sleep(100).then(() => false)]);
        if (gone) {
          child = null;
          throw new Error(`influxd exited before answering /ping: ${stderr}`);
        }
      }
      await server.stop();
      throw new Error(`influxd did not answer /ping on ${url} within 30 s: ${stderr}`);
    },
    async stop() {
      const c = child;
      if (!c) return;
      child = null;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async query(db, q) {
      const res = await fetch(`${url}/query?${new URLSearchParams({ db, q, epoch: 'ns' })}`, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`query ${q} failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as InfluxQueryReply;
    },
  };
  await server.start();
  return server;
}
