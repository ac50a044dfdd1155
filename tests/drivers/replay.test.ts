import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCapture, type Capture } from '../../drivers/ring/capture.ts';
import { createReplayDevice } from '../../drivers/ring/replay.ts';
import { emulatorRig } from './rig.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A session with an unplug in the middle, recorded in virtual time: frame seqs and arrival times (ms after connect). */
async function record(): Promise<{ capture: Capture; seqs: number[]; times: number[]; sessionBreak: number }> {
  const rig = emulatorRig({ rate: 20, faults: { events: [{ at: 2, disconnect: 1 }] } });
  const t0 = Date.now();
  const times: number[] = [];
  rig.device.frames$.subscribe(() => times.push(Date.now() - t0));
  await rig.device.connect();
  await rig.device.startStreaming();
  await vi.advanceTimersByTimeAsync(6000);
  await rig.device.close();
  rig.emulator.stop();
  expect(rig.device.counters().reconnects).toBe(1);
  const seqs = rig.frames.map((f) => f.seq);
  const sessionBreak = seqs.findIndex((s, i) => i > 0 && s < seqs[i - 1]);
  return { capture: parseCapture(rig.capture.text()), seqs, times, sessionBreak };
}

async function replay(capture: Capture, speed: number): Promise<{ seqs: number[]; times: number[]; reconnects: number }> {
  const d = createReplayDevice(capture, { speed });
  const t0 = Date.now();
  const seqs: number[] = [];
  const times: number[] = [];
  d.frames$.subscribe((f) => (seqs.push(f.seq), times.push(Date.now() - t0)));
  await d.connect();
  await d.startStreaming();
  await vi.advanceTimersByTimeAsync(8000);
  const reconnects = d.counters().reconnects;
  await d.close();
  return { seqs, times, reconnects };
}

describe('replay (virtual time)', () => {
  it('replays a recorded session, unplug included, with the recorded timing at original and double speed', async () => {
    const rec = await record();
    expect(rec.sessionBreak).toBeGreaterThan(10);
    const once = await replay(rec.capture, 1);
    expect(once.seqs).toEqual(rec.seqs);
    expect(once.reconnects).toBe(1);
    // the first session plays at the recorded pace
    expect(once.times.slice(0, rec.sessionBreak)).toEqual(rec.times.slice(0, rec.sessionBreak));
    const fast = await replay(rec.capture, 2);
    expect(fast.seqs).toEqual(rec.seqs);
    const t = (xs: number[], i: number): number => xs[i] - xs[0];
    for (let i = 1; i < rec.sessionBreak; i++) expect(t(fast.times, i)).toBeCloseTo(t(rec.times, i) / 2, 6);
    // deterministic: a second replay is identical
    expect(await replay(rec.capture, 2)).toEqual(fast);
  });

  it('refuses malformed captures naming the line', () => {
    const head = '{"kind":"holoring-capture","version":1,"port":"p","startedAt":"x"}\n';
    expect(() => parseCapture('')).toThrow(expect.objectContaining({ code: 'RING_ERR_CAPTURE_FORMAT' }));
    expect(() => parseCapture('{"kind":"other"}\n')).toThrow(/capture:1: not a holoring capture/);
    expect(() => parseCapture(head.replace('"version":1', '"version":7'))).toThrow(/version 7/);
    expect(() => parseCapture(head + '{"t":5,"open":true}\n{"t":4,"rx":"AA=="}\n')).toThrow(/capture:3: "t"/);
    expect(() => parseCapture(head + '{"t":1,"rx":"not base64!"}\n')).toThrow(/capture:2: "rx" must be base64/);
    expect(() => parseCapture(head + '{"t":1,"what":1}\n')).toThrow(/capture:2: expected one of/);
    expect(parseCapture(head + '{"t":0,"open":true}\n{"t":1,"tx":"*IDN?\\n"}\n').events).toHaveLength(2);
  });
});
