/**
 * The daemon as a child process, for end-to-end fault scenarios with real
 * components (a socat pty, optionally a real influxd).
 *
 *     const rig = await startLinkRig({ emulator: ['--stall', '5:3'] });   // emulator on a pty + daemon on it
 *     await rig.daemon.waitFor('streaming', (s) => s.device?.state === 'streaming');
 *     const alarms = await rig.daemon.api('/api/alarms');
 *     const exit = await rig.daemon.stop();                               // SIGTERM, bounded wait
 *     const sent = await rig.stopEmulator();                               // the emulator's own counters
 *     rig.daemon.documents();  rig.daemon.frames();  rig.daemon.logs();
 *     await rig.dispose();
 *
 * - `startChildDaemon(opts)`: `node bin/holoring.mjs start --device SPEC
 *   --config FILE --data-dir DIR --port 0 --calibration-dir DIR` in a temp
 *   directory; JSON log lines are parsed from stderr (`logs()`), the dashboard
 *   URL is read from its "dashboard at URL" line. `opts.config` is merged over
 *   SMALL_CONFIG (a short sweep, small kMax, no training unless `train`).
 *   `opts.influx` points the run at a real InfluxDB (`startInfluxd()` from
 *   tests/support/influxd.ts, or a database URL).
 * - `waitFor(what, pick, timeoutMs)`: polls GET /api/status (every 100 ms,
 *   bounded) until `pick(status)` returns a truthy value, which it resolves
 *   with; rejects with `what`, the last status and the log tail on timeout or
 *   when the child exits. `waitForLog(what, pick)` does the same over the logs.
 * - `api(path)`: GET on the daemon's API, parsed JSON.
 * - `waitForAlarm(rule, state, timeoutMs)`: polls GET /api/alarms until the
 *   rule's alarm is in that state (raised, cleared, acknowledged).
 * - `runId()`, `documents()` (the run's documents.jsonl, parsed, torn tail
 *   ignored), `frames()` (every journaled acquisition frame with its segment).
 * - `signal(sig)`: sends a signal (SIGSTOP/SIGCONT for a frozen host).
 * - `stop(signal = 'SIGTERM', timeoutMs = 30 s)`: resolves with the exit code
 *   and signal; SIGKILLs after the bound.
 * - `startLinkRig(opts)`: `holoring emulate --link <tmp pty>` (requires socat:
 *   check `socatAvailable()` in describe.skipIf) and the daemon on it;
 *   `stopEmulator()` stops it and returns the counters it prints at exit
 *   (EmulatorCounters).
 *
 * Every wait is bounded; `dispose()` kills what is left and removes the
 * temporary directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iterateRunFrames, listRunIds, listSegments, readDocuments } from '../../src/storage/index.ts';
import type { RunDocument } from '../../src/storage/documents.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import type { EmulatorStats } from '../../drivers/ring/emulator.ts';
import { type EmulatorProcess, startEmulator } from '../drivers/emulateProcess.ts';
import { hasCommand, requireComponent } from './components.ts';
import type { Influxd } from './influxd.ts';

const BIN = fileURLToPath(new URL('../../bin/holoring.mjs', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A small, fast daemon: 12 drive frequencies, kMax 4, no training; an
 * accelerated emulator (`--speed`) makes a sweep last well under a second.
 */
export const SMALL_CONFIG = {
  physics: { kMax: 4 },
  sweep: { start: 0.5, stop: 6, step: 0.5, dwellMs: 200 },
  model: { layers: 200, nodes: 8, thread: 'main' },
  log: { level: 'info' },
} as const;

/** The emulator's sizes that go with SMALL_CONFIG (16 sites, 50 frames/s of device time). */
export const SMALL_EMULATOR = ['--sites', '16', '--rate', '50'];

export interface ChildDaemonOptions {
  /** Device spec: a serial port path (the emulator's link), `emulator[:SEED]`, … */
  device: string;
  /** Merged over SMALL_CONFIG (objects merged one level deep). */
  config?: Record<string, unknown>;
  /** Fit the metric after each sweep (default false: `--no-train`). */
  train?: boolean;
  /** Calibrate the device at start (`--calibrate`). */
  calibrate?: boolean;
  /** Real InfluxDB: the server (database `holoring`) or a database URL. */
  influx?: Influxd | string;
  /** Data directory (default: a new one in the temp directory; pass the same one to continue a run). */
  dataDir?: string;
  /** More arguments of `holoring start`. */
  args?: string[];
  /** Extra environment. */
  env?: Record<string, string>;
  /** Bound on the start-up (until the dashboard URL is printed), ms (default 60 s). */
  startTimeoutMs?: number;
}

/** A JSON log line of the daemon (pino). */
export type LogLine = Record<string, unknown> & { level: number; msg: string; time: number };

/** GET /api/status as the scenarios read it (the fields they use; the rest is there too). */
export interface ApiStatus {
  state: string;
  device: { state: string | null; counters: Record<string, unknown> & { account?: DeviceAccount; checksumErrors?: number; reconnects?: number } | null } | null;
  pipeline: { frames: number; sweeps: number };
  run: { id: string | null };
  /** The session's exact frame account (as the stop document's `frames`). */
  frames?: { received: number; journaled: number; skipped: Record<string, number>; missing: Record<string, number>; duplicates: number; firstSeq?: number | null; lastSeq?: number | null };
  [k: string]: unknown;
}

export interface DeviceAccount {
  received: number;
  missing: Record<string, number>;
  duplicates: number;
  firstSeq: number | null;
  lastSeq: number | null;
  restarts: number;
}

/** One latched alarm of GET /api/alarms. */
export interface ApiAlarm {
  id: string;
  rule: string;
  state: string;
  active: boolean;
  message: string;
  value: number | null;
}

export interface ChildDaemon {
  readonly child: ChildProcess;
  /** Temporary directory of this daemon (config, calibration records, data unless given). */
  readonly dir: string;
  readonly dataDir: string;
  /** Dashboard/API base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  logs(): LogLine[];
  stderr(): string;
  stdout(): string;
  api<T = unknown>(path: string): Promise<T>;
  status(): Promise<ApiStatus>;
  waitFor<T>(what: string, pick: (s: ApiStatus) => T | null | undefined | false, timeoutMs?: number): Promise<T>;
  waitForLog(what: string, pick: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  waitForAlarm(rule: string, state: 'raised' | 'cleared' | 'acknowledged', timeoutMs?: number): Promise<ApiAlarm>;
  runId(): string;
  documents(): RunDocument[];
  /** Journaled acquisition frames in journal order, each with the segment file it is in. */
  frames(): (RingFrame & { segment: string })[];
  signal(sig: NodeJS.Signals): void;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  dispose(): Promise<void>;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? { ...(b as object), ...(v as object) } : v;
  }
  return out;
}

/** Starts `holoring start` as a child process; resolves once its API answers. */
export async function startChildDaemon(opts: ChildDaemonOptions): Promise<ChildDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'holoring-child-'));
  const dataDir = opts.dataDir ?? join(dir, 'data');
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(merge(SMALL_CONFIG as unknown as Record<string, unknown>, opts.config ?? {}), null, 2));
  const influx = opts.influx === undefined ? [] : ['--influx', typeof opts.influx === 'string' ? opts.influx : `${opts.influx.url}/holoring`];
  const args = [
    BIN, 'start', '--device', opts.device, '--config', configPath, '--data-dir', dataDir, '--calibration-dir', join(dir, 'calibration'),
    '--port', '0', ...(opts.train ? [] : ['--no-train']), ...(opts.calibrate ? ['--calibrate'] : []), ...influx, ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let err = '';
  let out = '';
  const parsed: LogLine[] = [];
  let partial = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => {
    const s = b.toString();
    err += s;
    partial += s;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      if (!l.startsWith('{')) continue;
      try {
        parsed.push(JSON.parse(l) as LogLine);
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const tail = (): string => err.split('\n').slice(-25).join('\n');
  let url = '';
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (!url && alive() && Date.now() < deadline) {
    const m = /dashboard at (\S+)/.exec(err);
    if (m) url = m[1].replace(/\/$/, '');
    else await sleep(50);
  }
  if (!url) {
    if (alive()) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`holoring start did not print its dashboard URL:\n${tail()}`);
  }
  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const runId = (): string => {
    const ids = listRunIds(dataDir);
    if (ids.length === 0) throw new Error(`no run in ${dataDir}`);
    return ids[ids.length - 1];
  };
  const daemon: ChildDaemon = {
    child, dir, dataDir, url,
    logs: () => parsed.slice(),
    stderr: () => err,
    stdout: () => out,
    api,
    status: () => api<ApiStatus>('/api/status'),
    async waitFor(what, pick, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      let last: ApiStatus | null = null;
      while (Date.now() < end && alive()) {
        try {
          last = await daemon.status();
          const v = pick(last);
          if (v) return v;
        } catch {
          // a frozen or busy daemon: ask again
        }
        await sleep(100);
      }
      throw new Error(`${what}: not reached within ${timeoutMs} ms${alive() ? '' : ' (the daemon exited)'}; last status ${JSON.stringify(last)}\n${tail()}`);
    },
    async waitForLog(what, pick, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = parsed.find(pick);
        if (hit) return hit;
        if (Date.now() >= end || !alive()) throw new Error(`${what}: no such log line within ${timeoutMs} ms${alive() ? '' : ' (the daemon exited)'}\n${tail()}`);
        await sleep(100);
      }
    },
    async waitForAlarm(rule, state, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      let last: ApiAlarm[] = [];
      while (Date.now() < end && alive()) {
        last = await api<{ alarms: ApiAlarm[] }>('/api/alarms').then((r) => r.alarms, () => last);
        const hit = last.find((a) => a.rule === rule && a.state === state);
        if (hit) return hit;
        await sleep(100);
      }
      throw new Error(`alarm ${rule} ${state}: not reached within ${timeoutMs} ms; alarms ${JSON.stringify(last)}\n${tail()}`);
    },
    runId,
    documents: () => readDocuments(dataDir, runId()).documents,
    frames: () => {
      const id = runId();
      const out: (RingFrame & { segment: string })[] = [];
      for (const seg of listSegments(dataDir, id, 'frames')) {
        for (const f of iterateRunFrames(dataDir, id, 'frames', (s) => s.path === seg.path)) out.push({ ...f, segment: seg.path });
      }
      return out;
    },
    signal: (sig) => {
      if (alive()) child.kill(sig);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (alive()) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
    async dispose() {
      if (alive()) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return daemon;
}

/** True when socat is here; otherwise fails in CI and skips locally. */
export function socatAvailable(): boolean {
  return requireComponent('socat', hasCommand('socat'), 'Debian: apt-get install socat');
}

/** What `holoring emulate` printed at exit (one JSON line on stdout): the emulator's counters but `commands`. */
export type EmulatorCounters = Omit<EmulatorStats, 'commands'>;

export interface LinkRigOptions extends Omit<ChildDaemonOptions, 'device'> {
  /** Arguments of `holoring emulate` after SMALL_EMULATOR (e.g. ['--speed', '4', '--stall', '5:3']). */
  emulator?: string[];
}

export interface LinkRig {
  readonly link: string;
  readonly emulator: EmulatorProcess;
  readonly daemon: ChildDaemon;
  /** Stops the emulator (SIGTERM) and returns its counters. */
  stopEmulator(): Promise<EmulatorCounters>;
  dispose(): Promise<void>;
}

/** `holoring emulate` on a new pty and `holoring start` reading it, both child processes. */
export async function startLinkRig(opts: LinkRigOptions = {}): Promise<LinkRig> {
  const linkDir = mkdtempSync(join(tmpdir(), 'holoring-link-'));
  const link = join(linkDir, 'ttyRING');
  const emulator = await startEmulator(link, [...SMALL_EMULATOR, ...(opts.emulator ?? [])]);
  let daemon: ChildDaemon;
  try {
    daemon = await startChildDaemon({ ...opts, device: link });
  } catch (e) {
    await emulator.stop('SIGKILL');
    rmSync(linkDir, { recursive: true, force: true });
    throw e;
  }
  return {
    link, emulator, daemon,
    async stopEmulator() {
      await emulator.stop('SIGTERM');
      const line = emulator.stdout().trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
      if (!line) throw new Error('holoring emulate printed no counters');
      return JSON.parse(line) as EmulatorCounters;
    },
    async dispose() {
      await daemon.dispose();
      await emulator.stop('SIGKILL');
      rmSync(linkDir, { recursive: true, force: true });
    },
  };
}
