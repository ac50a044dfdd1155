import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import type { DeviceCounters, FrameAccount, SequenceGap } from '../../src/contracts/device.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { encodeDataFrame } from '../../drivers/ring/codec.ts';
import { SERIAL_DEFAULTS, SerialRingDevice } from '../../drivers/ring/serialDevice.ts';
import { SequenceTracker } from '../../drivers/ring/sequence.ts';
import { Rng } from '../../src/util/random.ts';
import { syntheticFrame } from './helpers.ts';
import { emulatorRig, obligingDevice } from './rig.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sum = (m: Partial<Record<string, number>>): number => Object.values(m).reduce<number>((a, b) => a + (b ?? 0), 0);

/** Frames and gaps in the order the device published them. */
function recordStream(rig: ReturnType<typeof emulatorRig>): (RingFrame | SequenceGap)[] {
  const out: (RingFrame | SequenceGap)[] = [];
  rig.device.frames$.subscribe((f) => out.push(f));
  rig.device.gaps$.subscribe((g) => out.push(g));
  return out;
}

/** Within the device's numbering (no restart): every number from first to last is received or missing, exactly. */
function expectExactAccount(a: FrameAccount, c: DeviceCounters): void {
  expect(a.restarts).toBe(0);
  expect(a.firstSeq).toBe(0);
  expect(a.received + sum(a.missing)).toBe(a.lastSeq! - a.firstSeq! + 1);
  expect(a.received).toBe(c.frames);
  expect(sum(a.missing)).toBe(c.missingFrames);
}

describe('device faults, accounted exactly (virtual time)', () => {
  it('frames sent while the host had the port closed are missing with cause "reconnect", in a gap with their numbers', async () => {
    // the device goes silent for 15 s: the watchdog drops the link at 10 s and reconnects with backoff;
    // what the device sends meanwhile, with the port closed, never arrives
    const rig = emulatorRig({ faults: { events: [{ at: 1, stall: 15 }] }, rate: 20 });
    const stream = recordStream(rig);
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(40_000);
    await rig.device.stopStreaming();
    await vi.advanceTimersByTimeAsync(200);
    const c = rig.device.counters();
    const a = c.account!;
    const s = rig.emulator.stats();
    expect(c.reconnects).toBe(1);
    expect(s.unsent).toBeGreaterThan(0);
    // the emulator's own count of frames it could not send is exactly what the host counts missing across the reconnect
    expect(a.missing).toEqual({ reconnect: s.unsent });
    expectExactAccount(a, c);
    expect(s.sent).toBe(a.received);
    const gaps = stream.filter((x): x is SequenceGap => 'missing' in x && !('x' in x));
    expect(gaps).toHaveLength(1);
    const g = gaps[0];
    expect(g).toMatchObject({ cause: 'reconnect', missing: s.unsent, from: g.after + 1, to: g.after + s.unsent, downSinceMs: expect.any(Number) });
    // the gap comes right before the first frame after it
    const i = stream.indexOf(g);
    expect((stream[i + 1] as RingFrame).seq).toBe(g.after + s.unsent + 1);
    await rig.device.close();
  });

  it('a frozen host: the watchdog runs before the buffered bytes are read, and still does not drop the link', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const dev = obligingDevice();
    const device = new SerialRingDevice({ transport: dev.transport, logger });
    const got: number[] = [];
    device.frames$.subscribe((f) => got.push(f.seq));
    await device.connect();
    await device.startStreaming();
    const rng = new Rng(3);
    let seq = 0;
    const send = (n: number) => {
      for (let i = 0; i < n; i++) dev.link().deliver(encodeDataFrame(syntheticFrame(rng, seq++, 8)));
    };
    for (let i = 0; i < 40; i++) {
      send(1);
      await vi.advanceTimersByTimeAsync(50);
    }
    // SIGSTOP of the daemon for 15 s: the wall clock moves, nothing runs, the device's bytes pile up in the port
    vi.setSystemTime(Date.now() + 15_000);
    // on resume the watchdog's tick comes first ...
    await vi.advanceTimersByTimeAsync(SERIAL_DEFAULTS.watchdogMs / 4);
    // ... then the 300 buffered frames are read
    send(300);
    for (let i = 0; i < 40; i++) {
      send(1);
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(dev.opens()).toBe(1);
    expect(device.state).toBe('streaming');
    expect(got).toEqual(Array.from({ length: seq }, (_, i) => i));
    expect(lines.filter((l) => l.event === 'link-lost' || (l.event === 'state' && l.state === 'stalled'))).toEqual([]);
    expect(device.counters().account).toMatchObject({ received: seq, missing: {}, duplicates: 0 });
    await device.close();
  });

  it('a device that stays silent still trips the watchdog in the time it was silent', async () => {
    const rig = emulatorRig({ faults: { events: [{ at: 1, stall: 60 }] } });
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(1000 + SERIAL_DEFAULTS.stallReconnectMs - 600);
    expect(rig.transport.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1200);
    expect(rig.transport.attempts.length).toBeGreaterThanOrEqual(2);
    await rig.device.close();
  });

  it('a device restart after a reconnect is marked before its first frame; no seq repeats between marks', async () => {
    const rig = emulatorRig({ faults: { events: [{ at: 2, disconnect: 1 }, { at: 6, reboot: true }] }, rate: 20 });
    const stream = recordStream(rig);
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(10_000);
    const c = rig.device.counters();
    expect(c.sequenceResets).toBe(2);
    const marks = stream.filter((x): x is SequenceGap => 'cause' in x && x.cause === 'device-restart');
    expect(marks).toHaveLength(2);
    // split the stream at the marks: within each part every seq appears once, increasing
    let part: number[] = [];
    const parts: number[][] = [part];
    for (const x of stream) {
      if ('cause' in x && x.cause === 'device-restart') parts.push((part = []));
      else if ('x' in x) part.push(x.seq);
    }
    for (const p of parts) for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThan(p[i - 1]);
    expect(parts.slice(1).map((p) => p[0])).toEqual(marks.map((m) => m.missing));
    await rig.device.close();
  });

  it('5% corruption: every damaged frame counted as rejected and missing, one summary line per 10 s, no per-frame warnings', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const rig = emulatorRig({ faults: { corrupt: 0.05 }, rate: 50, device: { logger } });
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(60_000);
    await rig.device.stopStreaming();
    await vi.advanceTimersByTimeAsync(200);
    const s = rig.emulator.stats();
    const c = rig.device.counters();
    expect(s.corrupted).toBeGreaterThan(80);
    expect(c.checksumErrors).toBe(s.corrupted);
    const a = c.account!;
    expectExactAccount(a, c);
    // the STRM OFF reply names the last frame numbered: a corrupted last frame is counted too
    expect(a.received + sum(a.missing)).toBe(s.numbered);
    expect(a.missing.rejected).toBe(s.corrupted);
    expect(a.missing.sequence ?? 0).toBe(0);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.every((l) => l.event === 'faults')).toBe(true);
    expect(warnings.length).toBeGreaterThanOrEqual(5);
    expect(warnings.length).toBeLessThanOrEqual(7);
    const rejects = warnings.reduce((n, l) => n + ((l.rejects as Record<string, number>).RING_ERR_CHECKSUM ?? 0), 0);
    await rig.device.close();
    const all = lines.filter((l) => l.event === 'faults');
    expect(all.reduce((n, l) => n + ((l.rejects as Record<string, number>).RING_ERR_CHECKSUM ?? 0), 0)).toBe(s.corrupted);
    expect(rejects).toBeLessThanOrEqual(s.corrupted);
    expect(all.at(-1)).toMatchObject({ totals: { received: a.received, rejects: { RING_ERR_CHECKSUM: s.corrupted } } });
  });
});

describe('the end of streaming: STRM OFF names the last frame numbered (protocol 1.1)', () => {
  /** Streams 2 s, then `fault` makes the last frames go astray (damaged or never sent), then STRM OFF. */
  async function tail(fault: { corrupt: number } | { drop: number }) {
    const rig = emulatorRig({ rate: 20 });
    const stream = recordStream(rig);
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(2000);
    rig.emulator.inject({ at: 0, ...fault });
    await vi.advanceTimersByTimeAsync(200);
    await rig.device.stopStreaming();
    await vi.advanceTimersByTimeAsync(200);
    const gaps = stream.filter((x): x is SequenceGap => 'missing' in x && !('x' in x));
    return { rig, s: rig.emulator.stats(), a: rig.device.counters().account!, gaps, stream };
  }

  it('damaged last frames, with no frame after them to reveal the hole, are missing as rejected in a gap of cause "stop"', async () => {
    const { rig, s, a, gaps, stream } = await tail({ corrupt: 1 });
    expect(s.corrupted).toBe(4);
    expect(a.missing).toEqual({ rejected: 4 });
    expect(a.received + sum(a.missing)).toBe(s.numbered);
    expect(a.lastSeq).toBe(s.numberings[0].lastSeq);
    expect(gaps).toEqual([expect.objectContaining({ cause: 'stop', after: s.numberings[0].lastSeq! - 4, missing: 4, rejected: 4, from: s.numberings[0].lastSeq! - 3, to: s.numberings[0].lastSeq })]);
    expect(stream.at(-1)).toBe(gaps[0]);
    await rig.device.close();
  });

  it('last frames that never arrived are missing with cause "stop"; streaming again goes on from the next number without a second gap', async () => {
    const { rig, s, a, gaps } = await tail({ drop: 1 });
    expect(s.dropped).toBe(4);
    expect(a.missing).toEqual({ stop: 4 });
    rig.emulator.inject({ at: 0, drop: 0 });
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(1000);
    await rig.device.stopStreaming();
    await vi.advanceTimersByTimeAsync(200);
    const after = rig.device.counters().account!;
    expect(after.missing).toEqual({ stop: 4 });
    expect(after.received + sum(after.missing)).toBe(rig.emulator.stats().numbered);
    expect(gaps).toHaveLength(1);
    await rig.device.close();
  });

  it('a protocol 1.0 device (no field in the STRM OFF reply): nothing is assumed about frames after the last one received', async () => {
    const dev = obligingDevice();
    const device = new SerialRingDevice({ transport: dev.transport });
    await device.connect();
    await device.startStreaming();
    const rng = new Rng(3);
    for (let seq = 0; seq < 3; seq++) dev.link().deliver(encodeDataFrame(syntheticFrame(rng, seq, 8)));
    await device.stopStreaming();
    expect(device.counters().account).toMatchObject({ received: 3, missing: {}, lastSeq: 2 });
    await device.close();
  });
});

describe('sequence numbers: duplicates and restarts', () => {
  it('a number seen recently with the same device time is a duplicate; with an earlier time, a restart', () => {
    const t = new SequenceTracker();
    const kinds = [[0, 0], [1, 50], [2, 100], [2, 100], [1, 50], [3, 150], [0, 10], [1, 60]].map(([s, us]) => t.observe(s, { stampUs: us }).kind);
    expect(kinds).toEqual(['first', 'next', 'next', 'duplicate', 'duplicate', 'next', 'restart', 'next']);
    expect([t.duplicates, t.resets, t.gaps]).toEqual([2, 1, 0]);
    // after an announced boot any number starts a new numbering, unless number and time both went on
    const u = new SequenceTracker();
    u.observe(5, { stampUs: 500 });
    expect(u.observe(9, { stampUs: 900, restartExpected: true })).toEqual({ kind: 'gap', after: 5, missing: 3 });
    expect(u.observe(12, { stampUs: 20, restartExpected: true })).toEqual({ kind: 'restart', after: 9 });
  });

  it('the driver passes a duplicated frame on once and counts the copy', async () => {
    const dev = obligingDevice();
    const device = new SerialRingDevice({ transport: dev.transport });
    const got: number[] = [];
    device.frames$.subscribe((f) => got.push(f.seq));
    await device.connect();
    const rng = new Rng(1);
    const frames = [0, 1, 2, 3].map((s) => encodeDataFrame(syntheticFrame(rng, s, 8)));
    for (const b of [frames[0], frames[1], frames[1], frames[2], frames[0], frames[3]]) dev.link().deliver(b);
    await vi.advanceTimersByTimeAsync(10);
    expect(got).toEqual([0, 1, 2, 3]);
    expect(device.counters().account).toEqual({ received: 4, missing: {}, duplicates: 2, firstSeq: 0, lastSeq: 3, restarts: 0 });
    await device.close();
  });
});
