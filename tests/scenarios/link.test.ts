import { describe, expect, it } from 'vitest';
import type { GapDoc, StopDoc } from '../../src/storage/documents.ts';
import { type EmulatorCounters, type LinkRig, SMALL_CONFIG, socatAvailable, startLinkRig } from '../support/childDaemon.ts';

/**
 * Device and link faults end to end: `holoring emulate` on a socat pty, the
 * daemon (`holoring start`) as a child process reading it. Each scenario ends
 * with the exact account of the run's stop document against the emulator's
 * own count: every frame the device numbered was received, or is missing by
 * cause (or lost without trace at a reboot, measured from the emulator's
 * numberings), and none is counted twice.
 */
const socat = socatAvailable();
const SWEEP = SMALL_CONFIG.sweep;
const OMEGAS = Array.from({ length: Math.round((SWEEP.stop - SWEEP.start) / SWEEP.step) + 1 }, (_, i) => SWEEP.start + i * SWEEP.step);

/**
 * Rigs running at once: the scenarios mostly wait (outages, stalls, a frozen host), two cores run two rigs at a time.
 * A scenario's time bound includes its wait for a rig (10 min: a bound on a hang, for a loaded machine).
 */
const PARALLEL = 2;
let running = 0;
const queue: (() => void)[] = [];

/** Runs a scenario on its own rig (waiting for a free slot), disposed afterwards. */
async function withRig(opts: Parameters<typeof startLinkRig>[0], body: (rig: LinkRig) => Promise<void>): Promise<void> {
  if (running >= PARALLEL) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    const rig = await startLinkRig(opts);
    try {
      await body(rig);
    } catch (e) {
      // what the daemon said about the device and the run, to see why
      const said = rig.daemon.logs().filter((l) => l.component === 'device' || l.component === 'run' || l.level >= 40).map((l) => `${l.time} ${l.msg}`);
      (e as Error).message += `\n--- daemon log (device, run, warnings) ---\n${said.slice(-60).join('\n')}`;
      throw e;
    } finally {
      await rig.dispose();
    }
  } finally {
    running--;
    queue.shift()?.();
  }
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** The stop document and every gap document of the run. */
function record(r: LinkRig): { stop: StopDoc; gaps: GapDoc[] } {
  const docs = r.daemon.documents();
  const stop = docs.at(-1);
  if (stop?.type !== 'stop') throw new Error(`the run has no stop document: ${JSON.stringify(docs.at(-1))}`);
  return { stop, gaps: docs.filter((d): d is GapDoc => d.type === 'gap') };
}

/**
 * The exact account: frames the device numbered = received + missing (by
 * cause; the journal's shortfall is of received frames, not of the device's)
 * + duplicates + `untraceable` (frames of a numbering the device abandoned
 * on a reboot after the last one received).
 */
function expectExactAccount(stop: StopDoc, device: EmulatorCounters, untraceable = 0): void {
  const { journal: _journal, ...missing } = stop.frames.missing;
  expect(stop.frames.received + sum(missing) + stop.frames.duplicates + untraceable).toBe(device.numbered);
  expect(stop.frames.duplicates).toBe(0);
  expect(stop.frames.journaled).toBe(stop.frames.received);
}

/** Sequence numbers strictly increasing inside every journal segment (no seq twice in one segment). */
function expectSegmentsIncreasing(frames: { seq: number; segment: string }[]): void {
  const last = new Map<string, number>();
  for (const f of frames) {
    const before = last.get(f.segment);
    if (before !== undefined) expect(f.seq, `${f.segment}: seq ${f.seq} after ${before}`).toBeGreaterThan(before);
    last.set(f.segment, f.seq);
  }
}

/**
 * The sweep goes on where it was: after the outage (frames from `at` on), the
 * drive frequency starts at or above that of the last frame before it and
 * never goes back until the sweep's last point — the host resumes the sweep
 * from the last point it received, and a device that kept sweeping meanwhile
 * (an unplug, on a loaded machine) sends frames of later points first; a
 * sweep started over would go back to its first point.
 */
function expectSweepResumed(frames: { seq: number; omega: number }[], at: number): void {
  const before = frames[at - 1].omega;
  const after = frames.slice(at).map((f) => f.omega);
  const end = after.findIndex((w) => Math.abs(w - SWEEP.stop) < 1e-9);
  expect(end).toBeGreaterThanOrEqual(0);
  const resumed = after.slice(0, end + 1);
  expect(resumed[0]).toBeGreaterThanOrEqual(before - 1e-9);
  for (let i = 1; i < resumed.length; i++) expect(resumed[i], `ω after the outage, frame ${i}`).toBeGreaterThanOrEqual(resumed[i - 1] - 1e-9);
}

describe.skipIf(!socat).concurrent('link fault scenarios (emulator on a pty, daemon as a child process)', () => {
  it('1. unplugged for 5 s and back: reconnect with backoff, a reconnect gap with its size and times, the sweep goes on where it was', async () => {
    // speed 4: 200 frames/s; a sweep of 12 device-s (3 s): once the daemon has 50 frames of it, the port goes for 5 s (20 device-s)
    // with the device mid-sweep, numbering frames (a fault at a set time could come before the first sweep on a loaded machine)
    await withRig({ emulator: ['--speed', '4', '--seed', '3', '--control'], config: { sweep: { ...SWEEP, dwellMs: 1000 } } }, async (rig) => {
      const d = rig.daemon;
      await injectWhenStreaming(rig, { unplug: 20 });
      await d.waitForLog('link lost', (l) => l.event === 'link-lost', 20_000);
      const reconnected = await d.waitForLog('reconnected', (l) => l.event === 'reconnected', 20_000);
      await d.waitFor('a sweep after the reconnect', (s) => s.device?.state === 'streaming' && s.pipeline.sweeps >= 2);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
      const device = await rig.stopEmulator();
      expect(device.reboots).toBe(0);
      // backoff: the attempts are spaced 250, 500, 1000, … ms until the port is back (one attempt when the
      // loss was noticed by the no-data watchdog rather than by the port closing: the port is back by then)
      const delays = d.logs().filter((l) => l.event === 'reconnect-scheduled').map((l) => l.delayMs as number);
      expect(delays[0]).toBe(250);
      for (let i = 1; i < delays.length; i++) expect(delays[i]).toBe(Math.min(10_000, delays[i - 1] * 2));
      expect(reconnected.attempt).toBe(delays.length);
      const { stop, gaps } = record(rig);
      // one gap, across the outage: its size, the seqs it spans, when the link went down and for how long
      const outage = gaps.filter((g) => g.cause === 'reconnect');
      expect(outage).toHaveLength(1);
      const g = outage[0];
      expect(g.missing).toBeGreaterThan(0);
      expect(g.to).toBe((g.from as number) + g.missing! - 1);
      expect(g.from).toBe(g.after! + 1);
      expect(g.downMs).toBeGreaterThanOrEqual(4000);
      expect(Date.parse(g.time) - Date.parse(g.downSince!)).toBeGreaterThanOrEqual(g.downMs! - 5);
      expect(stop.frames.missing).toEqual({ reconnect: g.missing });
      expectExactAccount(stop, device);
      expect(stop.frames.firstSeq).toBe(0);
      expect(stop.frames.lastSeq).toBe(device.numberings[0].lastSeq);
      // the journal: one numbering, the gap where the outage was, and the sweep continued from the interrupted point
      const frames = d.frames();
      expectSegmentsIncreasing(frames);
      const at = frames.findIndex((f) => f.seq > g.after!);
      expect(frames[at].seq).toBe((g.to as number) + 1);
      expectSweepResumed(frames, at);
    });
  }, 600_000);

  it('1b. disconnected and back rebooted: the numbering restarts in a new journal segment, one log line, the sweep goes on where it was', async () => {
    await withRig({ emulator: ['--speed', '4', '--seed', '4', '--control'] }, async (rig) => {
      const d = rig.daemon;
      await injectWhenStreaming(rig, { disconnect: 20 });
      await d.waitForLog('a new journal segment', (l) => l.event === 'journal-segment', 30_000).catch(async (e: Error) => {
        const frames = d.frames();
        const c = await rig.stopEmulator();
        throw new Error(`${e.message}\nemulator ${JSON.stringify(c)}\nseqs ${frames.map((f) => f.seq).filter((q, i, a) => i === 0 || q !== a[i - 1] + 1).join(',')} last ${frames.at(-1)?.seq}`);
      });
      await d.waitFor('sweeps after the reboot', (s) => s.device?.state === 'streaming' && s.pipeline.sweeps >= 3);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
      const device = await rig.stopEmulator();
      expect(device.reboots).toBe(1);
      const { stop, gaps } = record(rig);
      const restart = gaps.filter((g) => g.cause === 'device-restart');
      expect(restart).toHaveLength(1);
      expect(d.logs().filter((l) => l.event === 'journal-segment')).toHaveLength(1);
      // the frames of the first numbering after the last one received went with the reboot: the device's count says how many
      const untraceable = device.numberings[0].lastSeq! - restart[0].after!;
      expect(untraceable).toBeGreaterThanOrEqual(0);
      expectExactAccount(stop, device, untraceable);
      expect(stop.frames.firstSeq).toBe(0);
      expect(stop.frames.lastSeq).toBe(device.numberings[1].lastSeq);
      const frames = d.frames();
      const segments = [...new Set(frames.map((f) => f.segment))];
      expect(segments).toHaveLength(2);
      expectSegmentsIncreasing(frames);
      const at = frames.findIndex((f) => f.segment === segments[1]);
      expect(frames[at].seq).toBe(0);
      expect(frames[at - 1].seq).toBe(restart[0].after);
      expectSweepResumed(frames, at);
    });
  }, 600_000);

  it('2. a stall of 15 s (port open, no data): "stalled", the no-data alarm, recovery when data resume', async () => {
    // once the daemon streams, 15 s of silence (60 device-s at speed 4)
    await withRig({ emulator: ['--speed', '4', '--seed', '5', '--control'], config: { alarms: { noData: { seconds: 5 } } } }, async (rig) => {
      const d = rig.daemon;
      await injectWhenStreaming(rig, { stall: 60 });
      await d.waitFor('stalled', (s) => s.device?.state === 'stalled', 20_000);
      const raised = await waitForAlarm(rig, 'noData', 20_000);
      expect(raised).toMatchObject({ rule: 'noData', state: 'raised' });
      const before = (await d.status()).frames!.received;
      await d.waitFor('data again', (s) => s.device?.state === 'streaming' && s.frames!.received > before + 400, 40_000);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
      const device = await rig.stopEmulator();
      const { stop } = record(rig);
      // nothing is numbered while the device stalls; frames it sends while the port is closed between reconnect attempts are a reconnect gap
      expect(Object.keys(stop.frames.missing).filter((k) => k !== 'reconnect')).toEqual([]);
      expectExactAccount(stop, device);
      const states = d.documents().filter((x) => x.type === 'state').map((x) => (x as { state: string }).state);
      expect(states).toContain('stalled');
      expect(states.lastIndexOf('streaming')).toBeGreaterThan(states.indexOf('stalled'));
      expect(d.documents().some((x) => x.type === 'alarm' && x.rule === 'noData' && x.state === 'raised')).toBe(true);
    });
  }, 600_000);

  it('3. corrupted frames (3%) and line noise (2%): counted, no crash, no damaged frame accepted, the exact account holds', async () => {
    await withRig({ emulator: ['--speed', '4', '--seed', '6', '--corrupt', '0.03', '--garbage', '0.02'] }, async (rig) => {
      const d = rig.daemon;
      await d.waitFor('six sweeps', (s) => s.pipeline.sweeps >= 6, 40_000);
      const status = await d.status();
      expect(await d.stop()).toEqual({ code: 0, signal: null });
      const device = await rig.stopEmulator();
      expect(device.corrupted).toBeGreaterThan(10);
      expect(device.garbage).toBeGreaterThan(5);
      // counted in the status: checksum rejects, and missing frames by cause
      const counters = status.device!.counters!;
      expect(counters.checksumErrors).toBeGreaterThan(0);
      expect(status.frames!.missing.rejected).toBeGreaterThan(0);
      const { stop, gaps } = record(rig);
      expectExactAccount(stop, device);
      // a damaged frame is never accepted: each one is a hole in the numbering, explained as rejected
      expect(stop.frames.missing.rejected).toBeGreaterThanOrEqual(device.corrupted);
      expect(sum(stop.frames.missing)).toBe(device.numbered - stop.frames.received);
      // one gap document per gap, each with its size; the log has a rate-limited summary, not a line per gap
      expect(gaps.length).toBeGreaterThan(10);
      expect(gaps.every((g) => g.missing! >= 1 && g.to === (g.from as number) + g.missing! - 1)).toBe(true);
      const gapLines = d.logs().filter((l) => l.level >= 40 && (l.event === 'gap' || /missing after seq/.test(l.msg)));
      expect(gapLines).toEqual([]);
      expect(d.logs().filter((l) => l.event === 'faults').length).toBeLessThanOrEqual(3);
      // every journaled frame is one the device sent, intact: in order, at a drive frequency of the plan, finite and of the ring's size
      const frames = d.frames();
      expect(frames).toHaveLength(stop.frames.received);
      expectSegmentsIncreasing(frames);
      for (const f of frames) {
        expect(f.x).toHaveLength(16);
        expect(f.y).toHaveLength(16);
        expect([...f.x, ...f.y].every(Number.isFinite)).toBe(true);
        expect(OMEGAS.some((w) => Math.abs(w - f.omega) < 1e-9)).toBe(true);
      }
      for (let i = 1; i < frames.length; i++) expect(frames[i].deviceTimeUs).toBeGreaterThan(frames[i - 1].deviceTimeUs);
    });
  }, 600_000);

  it('9. the host frozen for 15 s (SIGSTOP of the daemon): no false link loss, the frames buffered meanwhile kept', async () => {
    // 50 frames/s (speed 1): 15 s of frames (~360 KiB) fit in what the pty, socat and the emulator's pipe hold
    await withRig({ emulator: ['--speed', '1', '--seed', '7'] }, async (rig) => {
      const d = rig.daemon;
      await d.waitFor('streaming', (s) => s.device?.state === 'streaming' && (s.frames?.received ?? 0) > 50, 20_000);
      d.signal('SIGSTOP');
      await new Promise((r) => setTimeout(r, 15_000));
      d.signal('SIGCONT');
      const frozenAt = (await d.status()).frames!.received;
      await d.waitFor('frames after the freeze', (s) => s.frames!.received > frozenAt + 50, 20_000);
      expect(await d.stop()).toEqual({ code: 0, signal: null });
      const device = await rig.stopEmulator();
      expect(device.unsent).toBe(0);
      const { stop, gaps } = record(rig);
      expect(d.logs().filter((l) => l.event === 'link-lost' || l.event === 'reconnect-scheduled')).toEqual([]);
      expect(gaps).toEqual([]);
      expect(stop.frames.missing).toEqual({});
      expectExactAccount(stop, device);
      const seqs = d.frames().map((f) => f.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i));
    });
  }, 600_000);
});

/**
 * Plays a fault on the emulator's control channel once the daemon has received
 * 50 frames of its acquisition (device time: `--speed` applies), so the fault
 * finds the device streaming however slowly the daemon started.
 */
async function injectWhenStreaming(r: LinkRig, event: Record<string, number>): Promise<void> {
  await r.daemon.waitFor('streaming', (s) => s.device?.state === 'streaming' && (s.frames?.received ?? 0) >= 50, 60_000);
  r.emulator.control(event);
}

/** Polls GET /api/alarms (bounded) until an alarm of `rule` is latched. */
async function waitForAlarm(r: LinkRig, rule: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const { alarms } = await r.daemon.api<{ alarms: Record<string, unknown>[] }>('/api/alarms');
    const hit = alarms.find((a) => a.rule === rule);
    if (hit) return hit;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no ${rule} alarm within ${timeoutMs} ms`);
}
