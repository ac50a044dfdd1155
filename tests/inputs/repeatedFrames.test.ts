import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeDataFrame, encodeReply } from '../../drivers/ring/codec.ts';
import { SerialRingDevice } from '../../drivers/ring/serialDevice.ts';
import { SimpleLink, type Transport, type TransportLink } from '../../drivers/ring/transport.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Frames seq 0..n−1 of a small simulated ring. */
function frames(n: number, seed: number, t0 = 0): RingFrame[] {
  const sim = new RingSimulator({ sites: 8, seed });
  return Array.from({ length: n }, (_, i) => ({ ...sim.frame({ omega: 1 + i / 4 }), seq: i, deviceTimeUs: t0 + 50_000 * i }));
}

/** A device that answers *IDN?/CONF?/STRM and, on STRM ON, sends `stream` as wire bytes. */
function streaming(stream: RingFrame[]): Transport {
  return {
    description: 'scripted',
    async open(): Promise<TransportLink> {
      const link: SimpleLink = new SimpleLink(async (text) => {
        if (text.startsWith('*IDN?')) link.deliver(encodeReply('*IDN?', true, ['RING', 'SN1', '1.0', '1.0']));
        else if (text.startsWith('CONF?')) link.deliver(encodeReply('CONF?', true, ['8', '0.15', '10']));
        else if (text.startsWith('STRM ON')) {
          link.deliver(encodeReply('STRM', true));
          for (const f of stream) link.deliver(encodeDataFrame(f));
        } else link.deliver(encodeReply(text.split(/[ \n]/)[0], true));
      }, async () => undefined);
      return link;
    },
  };
}

describe('repeated data frames', () => {
  it('a frame delivered twice is dropped and counted; a real restart is still a restart', async () => {
    const first = frames(4, 1);
    const restart = frames(2, 2, 7); // the device booted again: seq from 0, new device time and readings
    const stream = [first[0], first[1], first[2], first[2], first[3], first[1], ...restart];
    const dev = new SerialRingDevice({ transport: streaming(stream), watchdogMs: Infinity });
    const got: RingFrame[] = [];
    dev.frames$.subscribe((f) => got.push(f));
    await dev.connect();
    await dev.startStreaming();
    await vi.advanceTimersByTimeAsync(10);
    expect(got.map((f) => [f.seq, f.deviceTimeUs])).toEqual([[0, 0], [1, 50_000], [2, 100_000], [3, 150_000], [0, 7], [1, 50_007]]);
    expect(dev.counters()).toMatchObject({ frames: 6, sequenceResets: 1 });
    expect(dev.counters().account?.duplicates).toBe(2);
    await dev.close();
  });
});
