/**
 * `npm run soak -- --minutes N [--seed S] [--speed X] [--rate HZ] [--keep]`
 *
 * An accelerated unattended run with random faults: `holoring emulate` on a pty
 * (socat), `holoring start` as a child process writing its run record and
 * feeding a real influxd, and a seeded timeline of faults (README "Soak"). At
 * the end: a table and one JSON line (the last line of stdout) with the frame
 * account, the faults survived, RSS, tensors and the event-loop lag. Exits 1
 * when an accepted frame is missing from the journal or from InfluxDB, when
 * a frame is unaccounted for, when a fault was not survived, or when the
 * daemon's RSS grew more than 5% after its warm-up.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildDaemon, type EmulatorCounters, startChildDaemon } from '../tests/support/childDaemon.ts';
import { startEmulator } from '../tests/drivers/emulateProcess.ts';
import { startInfluxd } from '../tests/support/influxd.ts';
import { createProgress } from '../src/cli/progress.ts';
import { listRunIds } from '../src/storage/index.ts';
import { accountRun } from './soak/account.ts';
import { injectFault } from './soak/faults.ts';
import { actualStart, describePlan, planSoak } from './soak/plan.ts';
import { getJson, sleep, waitFor } from './soak/poll.ts';
import { type FaultRecord, describeFault, type ProcessSample, formatReport, judge, rssGrowth } from './soak/report.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, dflt: number): number => {
  const v = arg(name);
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`soak: ${name} needs a positive number, got ${v}\n`);
    process.exit(2);
  }
  return n;
};
const minutes = num('--minutes', 2);
const seed = arg('--seed') !== undefined ? Math.floor(num('--seed', 1)) : randomInt(2 ** 31 - 1);
const speed = num('--speed', 5);
const rate = num('--rate', 20);
const keep = process.argv.includes('--keep');

interface Status {
  state: string;
  run: { id: string | null };
  device: { state: string | null };
  pipeline: { frames: number };
  influx: { backlogBytes: number; backlog: number; pendingPoints: number } | null;
  server: { eventLoopLagMs: { max: number } };
  process?: { rssBytes: number; heapUsedBytes: number; tensors: number | null; eventLoopLagMaxMs: number };
}

const plan = planSoak(seed, minutes);
process.stderr.write(`soak: ${describePlan(plan)}\nsoak: replay with npm run soak -- --minutes ${minutes} --seed ${seed}${speed !== 5 ? ` --speed ${speed}` : ''}${rate !== 20 ? ` --rate ${rate}` : ''}\n`);

const dir = mkdtempSync(join(tmpdir(), 'holoring-soak-'));
const dataDir = join(dir, 'data');
const link = join(dir, 'ttyRING');
const daemonLog = join(dir, 'daemon.log');
/** The daemon's configuration: a full sweep of 24 drive frequencies, kMax 4, the metric retrained after every sweep on its worker thread. */
const config = {
  sweep: { start: 0.5, stop: 12, step: 0.5, dwellMs: 400 },
  model: { layers: 200, nodes: 16, thread: 'worker' },
};
process.stderr.write(`soak: working in ${dir} (daemon log ${daemonLog})\n`);

const influx = await startInfluxd();
const emulator = await startEmulator(link, ['--rate', String(rate), '--speed', String(speed), '--seed', String(seed), '--control']);

// one daemon process per start; a SIGKILL and restart continues the same run (same data and calibration directories)
const daemons: ChildDaemon[] = [];
let daemon: ChildDaemon | null = null;
const samples: ProcessSample[] = [];
const exited = (d: ChildDaemon): boolean => d.child.exitCode !== null || d.child.signalCode !== null;
const startDaemon = async (first: boolean): Promise<void> => {
  daemon = await startChildDaemon({
    device: link, config, train: true, calibrate: first, influx, dataDir, startTimeoutMs: 120_000,
    args: ['--calibration-dir', join(dir, 'calibration')],
  });
  daemons.push(daemon);
  samples.push({ pid: daemon.child.pid!, startedAt: Date.now(), rss: [], heap: [], tensors: [], lagMaxMs: 0 });
};
const status = (): Promise<Status | null> => (daemon ? getJson<Status>(`${daemon.url}/api/status`) : Promise.resolve(null));

const failures: string[] = [];
/** Until when the daemon counts as frozen on purpose (SIGSTOP, and the second after SIGCONT): its event-loop delay then measures the freeze. */
let frozenUntil = 0;
const frozen = (): boolean => Date.now() < frozenUntil;
const faultLog: FaultRecord[] = [];
/** Until when a fault and its recovery count as in progress (memory then is not judged: buffers, back-fill, restarts). */
let busyUntil = 0;
let exitCode = 0;
try {
  await startDaemon(true);
  const connected = await waitFor(async () => {
    const s = await status();
    return s && (s.device.state === 'connected' || s.device.state === 'streaming') ? s : null;
  }, 120_000);
  if (!connected) throw new Error(`the daemon did not connect to the emulator within 120 s (see ${daemonLog})`);
  const origin = Date.now();
  const elapsed = (): number => (Date.now() - origin) / 1000;

  // sampling: frames, RSS, tensors, lag of the current process, once a second
  let lastStatus: Status | null = connected;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const s = await status();
      if (s) {
        lastStatus = s;
        const cur = samples.at(-1)!;
        // memory is sampled only at quiet moments: no fault or recovery in progress, and InfluxDB caught up
        // (under 2 s of frames not yet written), so back-fill and reconnect buffers do not count as growth
        const quiet = Date.now() >= busyUntil && (s.influx === null || s.influx.backlog <= 2 * rate * speed);
        if (s.process && quiet) {
          cur.rss.push({ t: Date.now(), v: s.process.rssBytes });
          cur.heap.push({ t: Date.now(), v: s.process.heapUsedBytes });
          if (s.process.tensors !== null) cur.tensors.push({ t: Date.now(), v: s.process.tensors });
        }
        // the largest event-loop delay of the last second, except while (and just after) the process was frozen on purpose
        if (!frozen()) cur.lagMaxMs = Math.max(cur.lagMaxMs, s.server.eventLoopLagMs.max);
      }
      await sleep(1000);
    }
  })();
  const progress = createProgress('soak', plan.durationS);
  const ticker = setInterval(() => progress.update(Math.min(plan.durationS, Math.round(elapsed())), `s | ${lastStatus?.pipeline.frames ?? 0} frames | ${faultLog.length}/${plan.faults.length} faults`), 1000);

  const targets = {
    emulator: { control: (e: object) => emulator.control(e), speed },
    influx,
    daemon: {
      kill: async () => {
        await daemon!.stop('SIGKILL');
      },
      restart: async () => {
        await startDaemon(false);
        await waitFor(async () => ((await status())?.state === 'running' ? true : null), 120_000);
      },
      signal: (s: NodeJS.Signals) => {
        if (s === 'SIGSTOP') frozenUntil = Infinity;
        if (s === 'SIGCONT') frozenUntil = Date.now() + 2500;
        daemon!.signal(s);
      },
    },
    wsUrl: () => `${daemon!.url.replace(/^http/, 'ws')}/ws`,
  };

  const alive = (): void => {
    if (exited(daemon!)) throw new Error(`the daemon exited by itself (see ${daemonLog})`);
  };
  // every fault from the soak's own clock, one at a time: the next starts only after the one before was survived
  let prevRecovered: number | null = null;
  for (const f of plan.faults) {
    alive();
    const at = actualStart(f, prevRecovered, plan);
    if (at === null) {
      faultLog.push({ ...f, survived: false, skipped: true });
      process.stderr.write(`\nsoak: t=${elapsed().toFixed(1)} s ${f.kind} skipped (planned at ${f.at} s: no time left before the settling time)\n`);
      continue;
    }
    const wait = at * 1000 - (Date.now() - origin);
    if (wait > 0) await sleep(wait);
    busyUntil = Infinity;
    const startS = elapsed();
    await injectFault(f, targets);
    const endS = elapsed();
    // survived: the daemon runs and frames flow again (more than at the fault's actual end), within 90 s of that end
    const frames0 = f.kind === 'daemon-kill' ? -1 : (await status())?.pipeline.frames ?? -1;
    const ok = await waitFor(async () => {
      const s = await status();
      if (exited(daemon!)) return true;
      return s && s.state === 'running' && s.pipeline.frames > frames0 + 1 ? true : null;
    }, 90_000);
    alive();
    const recoveredS = elapsed();
    prevRecovered = recoveredS;
    busyUntil = Date.now() + 15_000;
    const rec: FaultRecord = { ...f, survived: !!ok, startS, endS, recoveryS: ok ? recoveredS - endS : null, ...(ok ? {} : { note: `no frames for 90 s after the fault ended (see ${daemonLog})` }) };
    faultLog.push(rec);
    process.stderr.write(`\nsoak: ${describeFault(rec)}\n`);
    if (!ok) failures.push(`${f.kind} at t=${startS.toFixed(1)} s (ended t=${endS.toFixed(1)} s) was not survived`);
  }
  const rest = plan.durationS * 1000 - (Date.now() - origin);
  if (rest > 0) await sleep(rest);
  alive();
  clearInterval(ticker);
  progress.update(plan.durationS, 'ending');
  progress.stop();

  // the device stops numbering frames; the daemon drains the link, the journal and InfluxDB
  emulator.child.kill('SIGUSR2');
  let prev = -1;
  await waitFor(async () => {
    const s = await status();
    const n = s?.pipeline.frames ?? -1;
    const still = n === prev;
    prev = n;
    return still ? true : null;
  }, 60_000, 3000);
  await waitFor(async () => {
    const s = await status();
    return s?.influx && s.influx.backlogBytes === 0 ? true : null;
  }, 180_000, 1000);
  // points in flight: acknowledged soon, or never (the frame count in InfluxDB below tells)
  await waitFor(async () => ((await status())?.influx?.pendingPoints === 0 ? true : null), 30_000, 1000);
  sampling = false;
  await sampler;
  const end = await daemon!.stop('SIGTERM', 60_000);
  if (end.code !== 0) failures.push(`the daemon exited with ${end.code ?? end.signal} on SIGTERM`);
  await emulator.stop('SIGTERM');
  const emu = JSON.parse(emulator.stdout().trim().split('\n').filter((l) => l.startsWith('{')).at(-1) ?? '{}') as EmulatorCounters;

  const runIds = listRunIds(dataDir);
  if (runIds.length !== 1) failures.push(`expected one run, found ${runIds.length}`);
  const runId = runIds.at(-1)!;
  const account = accountRun(dataDir, runId, emu.numberings.map((n) => n.numbered));
  const q = await influx.query('holoring', `SELECT COUNT(seq) FROM frame WHERE "run" = '${runId}'`);
  const inInflux = Number(q.results[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
  const growth = rssGrowth(samples, plan.warmupS);
  failures.push(...judge(account, inInflux, growth));
  const report = formatReport({ plan, account, emulator: emu, inInflux, faults: faultLog, samples, growth, runId, speed, rate });
  process.stdout.write(report.table + '\n');
  for (const f of failures) process.stderr.write(`soak: FAIL: ${f}\n`);
  process.stdout.write(JSON.stringify({ ...report.json, ok: failures.length === 0, failures }) + '\n');
  exitCode = failures.length ? 1 : 0;
} catch (e) {
  process.stderr.write(`soak: ${(e as Error).stack ?? String(e)}\n`);
  exitCode = 1;
} finally {
  // each daemon process's log, in start order
  writeFileSync(daemonLog, daemons.map((d, i) => `==== daemon process ${i + 1} (pid ${d.child.pid})\n${d.stderr()}`).join('\n'));
  for (const d of daemons) await d.dispose();
  await emulator.stop('SIGKILL');
  await influx.dispose();
  if (!keep && exitCode === 0) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`soak: kept ${dir}\n`);
}
process.exit(exitCode);
