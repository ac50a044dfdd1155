/**
 * The dashboard server's cost (issue: frame→browser latency at the default rate
 * while training, 10 clients with one stalled; CPU and bytes per client).
 *
 * The daemon runs in this process, reading the device emulator on a
 * pseudo-terminal (`holoring emulate`, its own process, as hardware would be)
 * at the default rate (20 frames/s, real time, default sweep), with the
 * default network training on its worker thread; uncalibrated (calibration is
 * not on the measured path).
 * Dashboard clients run in a child process, as browsers would. Latency is from
 * the moment the driver delivers a frame to the moment a client has read the
 * `ring` message carrying it; the baseline is the same path with no clients
 * (frame → message encoded and handed to the hub).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from '../harness.ts';
import type { BenchSuite } from '../run.ts';
import { startEmulator } from '../../tests/drivers/emulateProcess.ts';
import { startLiveDaemon } from '../../tests/support/liveDaemon.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CLIENTS = 10;
const LATENCY_S = Number(process.env.HOLORING_BENCH_SERVER_S ?? 30);
const CPU_S = 15;
const epochNow = (): number => performance.timeOrigin + performance.now();

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface ClientResult { elapsed: number; clients: { stalled: boolean; bytes: number; rings: [number, number][] }[] }

function runClients(url: string, n: number, seconds: number): { child: ChildProcess; result: Promise<ClientResult> } {
  const child = spawn(process.execPath, [join(here, '..', 'support', 'wsClients.mjs'), url, String(n), String(seconds), '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  const result = new Promise<ClientResult>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`clients exited with ${code}`)))));
  return { child, result };
}

/** Acquisition time (epoch ms) of every frame the driver delivers, by seq (fill with `record`). */
function acquisitionTimes(): { at: Map<number, number>; record: (seq: number) => void } {
  const at = new Map<number, number>();
  return {
    at,
    record: (seq) => {
      at.set(seq, epochNow());
      if (at.size > 100_000) at.delete(at.keys().next().value!);
    },
  };
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function latencyRows(): Promise<BenchRow[]> {
  const times = acquisitionTimes();
  const { link, emulator } = await ringOnPty('a');
  const live = await startLiveDaemon({ device: { speed: 1 }, physics: { kMax: 12 }, sweep: { start: 0.25, stop: 12, step: 0.25, dwellMs: 200 }, model: { layers: 400, nodes: 32 }, server: { responseMs: 2000 } }, { calibrate: false, device: { kind: 'serial', port: link }, onDeviceFrame: (seq) => times.record(seq) });
  try {
    const acquired = times.at;
    // baseline: no clients, frame → ring message published
    const published: number[] = [];
    let ringMessages = 0;
    const hub = live.server.hub;
    const publish = hub.publish.bind(hub);
    hub.publish = (topic, body, time) => {
      const seq = publish(topic, body, time);
      if (topic === 'ring') {
        ringMessages++;
        const t = acquired.get((body as { seq: number }).seq);
        if (t !== undefined) published.push(epochNow() - t);
      }
      return seq;
    };
    const fitsBefore = live.server.live.history().length;
    await sleep(LATENCY_S);
    const fitsBaseline = live.server.live.history().length - fitsBefore;
    hub.publish = publish;
    // 10 clients, one stalled
    const { result } = runClients(live.url.replace('http', 'ws') + 'ws', CLIENTS, LATENCY_S);
    const r = await result;
    const fitsLoaded = live.server.live.history().length - fitsBefore - fitsBaseline;
    const lat: number[] = [];
    for (const c of r.clients) {
      if (c.stalled) continue;
      for (const [seq, t] of c.rings) {
        const a = acquired.get(seq);
        if (a !== undefined) lat.push(t - a);
      }
    }
    lat.sort((a, b) => a - b);
    published.sort((a, b) => a - b);
    const stats = hub.stats();
    const note = `${lat.length} deliveries to ${CLIENTS - 1} live clients + 1 stalled (${fitsLoaded} fits during); baseline: frame → published, no clients (${published.length} of ${ringMessages} ring messages, ${fitsBaseline} fits during); stalled client's drops so far: ${JSON.stringify(stats.dropped)}`;
    return [
      { name: 'server: frame→client latency p50', value: quantile(lat, 0.5), unit: 'ms', baseline: quantile(published, 0.5), ratio: quantile(lat, 0.5) / quantile(published, 0.5), note },
      { name: 'server: frame→client latency p99', value: quantile(lat, 0.99), unit: 'ms', baseline: quantile(published, 0.99), ratio: quantile(lat, 0.99) / quantile(published, 0.99), note: `goal ≤ 50 ms; max ${lat.at(-1)?.toFixed(1)} ms` },
    ];
  } finally {
    await live.stop();
    await emulator.stop();
  }
}

/** The ring in its own process on a pseudo-terminal, as hardware would be: its simulation is not on the daemon's event loop. */
async function ringOnPty(tag: string) {
  const link = join(tmpdir(), `holoring-bench-${process.pid}-${tag}`);
  return { link, emulator: await startEmulator(link, ['--metric', 'deformed', '--seed', '3']) };
}

async function costRows(): Promise<BenchRow[]> {
  // acquisition and server only (no training): the CPU the clients add is not drowned by fits
  const { link, emulator } = await ringOnPty('b');
  const live = await startLiveDaemon({ device: { speed: 1 }, physics: { kMax: 12 }, sweep: { start: 0.25, stop: 12, step: 0.25, dwellMs: 200 }, server: { responseMs: 2000 } }, { calibrate: false, train: false, device: { kind: 'serial', port: link } });
  try {
    await sleep(3);
    let c0 = cpuMs();
    let t0 = performance.now();
    const deviceBytes0 = live.device.counters().bytes;
    await sleep(CPU_S);
    const idleCpu = (cpuMs() - c0) / ((performance.now() - t0) / 1000);
    const deviceRate = (live.device.counters().bytes - deviceBytes0) / ((performance.now() - t0) / 1000);
    const { result } = runClients(live.url.replace('http', 'ws') + 'ws', CLIENTS, CPU_S + 2);
    await sleep(2);
    c0 = cpuMs();
    t0 = performance.now();
    const r = await result;
    const loadedCpu = (cpuMs() - c0) / ((performance.now() - t0) / 1000);
    const live9 = r.clients.filter((c) => !c.stalled);
    const bytesPerClient = live9.reduce((a, c) => a + c.bytes, 0) / live9.length / r.elapsed;
    const perClient = (loadedCpu - idleCpu) / CLIENTS;
    return [
      { name: 'server: CPU per dashboard client', value: perClient, unit: 'ms CPU/s', baseline: idleCpu, ratio: perClient / idleCpu, note: `baseline: the daemon's whole CPU with no client (acquisition at 20 frames/s, no training); ${CLIENTS} clients, 1 stalled` },
      { name: 'server: bytes per dashboard client', value: bytesPerClient, unit: 'B/s', baseline: deviceRate, ratio: bytesPerClient / deviceRate, note: 'default decimation (ring 10/s, status 1/s, response every 2 s, fits, logs); baseline: bytes/s from the device' },
    ];
  } finally {
    await live.stop();
    await emulator.stop();
  }
}

export const suite: BenchSuite = {
  name: 'server',
  cases: async () => [latencyRows, costRows],
};
