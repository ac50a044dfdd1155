import { describe, expect, it } from 'vitest';
import { ClientQueue, type QueueItem } from '../../src/server/clientQueue.ts';
import { Decimator } from '../../src/server/decimate.ts';
import type { Topic } from '../../src/server/protocol.ts';
import { VirtualClock } from './virtualClock.ts';

/** A client whose socket takes each message only when the test says so. */
function slowClient(clock: VirtualClock, opts: { maxEvents?: number; highWaterBytes?: number; minIntervalMs?: Partial<Record<Topic, number>> } = {}) {
  const written: string[] = [];
  const pending: (() => void)[] = [];
  const drops: string[] = [];
  const q = new ClientQueue({ clock, ...opts, send: (t, done) => { written.push(t); pending.push(done); }, onDrop: (t, why) => drops.push(`${t}:${why}`) });
  const drain = () => { while (pending.length) pending.shift()!(); };
  return { q, written, pending, drops, drain };
}

let seq = 0;
const item = (topic: Topic, text = `${topic}-${seq + 1}`): QueueItem => ({ topic, seq: ++seq, text });

describe('per-client queue', () => {
  it('writes at once while the socket keeps up, in seq order', () => {
    const clock = new VirtualClock();
    const c = slowClient(clock);
    c.q.push(item('ring', 'a'));
    c.drain();
    c.q.push(item('fit', 'b'));
    c.drain();
    expect(c.written).toEqual(['a', 'b']);
    expect(c.q.stats()).toMatchObject({ queued: 0, sent: 2, dropped: {} });
  });

  it('coalesces state and bounds events while the socket is full, counting every drop', () => {
    const clock = new VirtualClock();
    const c = slowClient(clock, { maxEvents: 3, highWaterBytes: 1 });
    c.q.push(item('status', 'first'));      // written; the socket is now full
    for (let i = 0; i < 50; i++) c.q.push(item('ring', `ring${i}`));
    for (let i = 0; i < 10; i++) c.q.push(item('log', `log${i}`));
    c.q.push(item('status', 'status-new'));
    expect(c.written).toEqual(['first']);
    expect(c.q.stats().queued).toBe(1 + 1 + 3); // ring, status, three newest log lines
    expect(c.q.stats().dropped).toEqual({ ring: 49, log: 7 });
    expect(c.drops.filter((d) => d === 'ring:coalesced')).toHaveLength(49);
    expect(c.drops.filter((d) => d === 'log:overflow')).toHaveLength(7);
    // the socket drains: the held messages go out one by one, oldest seq first, newest state only
    for (let i = 0; i < 10; i++) c.drain();
    expect(c.written).toEqual(['first', 'ring49', 'log7', 'log8', 'log9', 'status-new']);
  });

  it('holds at most one message per state topic plus maxEvents, however long a client stalls', () => {
    const clock = new VirtualClock();
    const c = slowClient(clock, { maxEvents: 8, highWaterBytes: 1024 });
    for (let i = 0; i < 20_000; i++) c.q.push(item(i % 10 === 0 ? 'log' : i % 2 ? 'ring' : 'status', 'x'.repeat(100)));
    expect(c.q.stats().queued).toBeLessThanOrEqual(2 + 8);
    expect(c.written.length).toBeLessThanOrEqual(11); // ~1 KiB written before the socket filled
    expect(c.q.pendingBytes).toBeLessThan(1024 + 100);
  });

  it('caps a state topic at the client’s rate and sends the newest when due', () => {
    const clock = new VirtualClock();
    const c = slowClient(clock, { minIntervalMs: { ring: 500 } });
    const sent = () => c.written.filter((w) => w.startsWith('ring'));
    for (let t = 0; t < 2000; t += 50) {
      c.q.push(item('ring', `ring@${t}`));
      c.drain();
      clock.advance(50);
    }
    // 20 Hz offered, 2 Hz allowed: every 450 ms (a 10 % slack), each time the newest frame held when it falls due
    expect(sent()).toEqual(['ring@0', 'ring@400', 'ring@850', 'ring@1300', 'ring@1750']);
    expect(c.q.stats().dropped.ring).toBe(40 - 5 - 1); // one (ring@1950) still held
    c.q.push(item('ring', 'ring-last'));
    clock.advance(1000);
    expect(sent().at(-1)).toBe('ring-last');
  });

  it('stops writing when closed', () => {
    const clock = new VirtualClock();
    const c = slowClient(clock);
    c.q.close();
    c.q.push(item('fit'));
    c.q.sendNow('hello');
    expect(c.written).toEqual([]);
  });
});

describe('decimation', () => {
  it('passes a value at once when the interval has passed, holds early ones and sends the last', () => {
    const clock = new VirtualClock();
    const out: number[] = [];
    const d = new Decimator<number>(100, (v) => out.push(v), clock);
    // 20 Hz into a 10 Hz decimator: every other value, never delayed
    for (let i = 0; i < 10; i++) {
      d.offer(i);
      clock.advance(50);
    }
    expect(out).toEqual([0, 2, 4, 6, 8]);
    // the last (held) value goes out one interval after it came
    clock.advance(100);
    expect(out).toEqual([0, 2, 4, 6, 8, 9]);
    expect(d.skipped).toBe(4);
  });

  it('flush sends the held value now; stop drops it', () => {
    const clock = new VirtualClock();
    const out: string[] = [];
    const d = new Decimator<string>(1000, (v) => out.push(v), clock);
    d.offer('a');
    d.offer('b');
    d.flush();
    expect(out).toEqual(['a', 'b']);
    d.offer('c');
    d.stop();
    clock.advance(5000);
    expect(out).toEqual(['a', 'b']);
  });
});
