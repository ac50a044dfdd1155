import { afterEach, describe, expect, it, vi } from 'vitest';
import { Hub } from '../../src/server/hub.ts';
import { WsErrorCodes } from '../../src/server/protocol.ts';
import { FakeSocket } from './fakeSocket.ts';
import { VirtualClock } from './virtualClock.ts';

const ALL = ['status', 'ring', 'response', 'fit', 'alarm', 'log'] as const;

function makeHub(extra: Partial<ConstructorParameters<typeof Hub>[0]> = {}) {
  return new Hub({ version: 'test', snapshot: () => ({ state: 'running' }), clock: new VirtualClock(), ...extra });
}

afterEach(() => vi.useRealTimers());

describe('WebSocket hub', () => {
  it('greets a new client with the protocol version and a snapshot, then broadcasts with increasing seq', () => {
    const hub = makeHub();
    hub.publish('status', { n: 1 });
    const s = new FakeSocket();
    hub.attach(s.as(), { topics: [...ALL] });
    expect(s.sent[0]).toMatchObject({ type: 'hello', protocol: 1, seq: 1, resumed: false, instance: hub.instance, snapshot: { state: 'running' } });
    hub.publish('ring', { omega: 2 });
    hub.publish('fit', { round: 1 });
    expect(s.sent.slice(1)).toMatchObject([{ type: 'ring', seq: 2, ring: { omega: 2 } }, { type: 'fit', seq: 3, fit: { round: 1 } }]);
    hub.close();
  });

  it('sends only subscribed topics and answers ping with the client’s counters', () => {
    const hub = makeHub();
    const s = new FakeSocket();
    hub.attach(s.as(), { topics: ['fit'] });
    hub.publish('ring', {});
    hub.publish('fit', {});
    s.emit('message', Buffer.from(JSON.stringify({ type: 'subscribe', topics: ['ring'] })), false);
    hub.publish('fit', {});
    hub.publish('ring', {});
    s.emit('message', Buffer.from('{"type":"ping","id":"p1"}'), false);
    expect(s.types()).toEqual(['hello', 'fit', 'ring', 'pong']);
    expect(s.sent[3]).toMatchObject({ id: 'p1', client: { sent: 3, queued: 0, dropped: {} } });
    hub.close();
  });

  it('answers bad client messages with an error code and keeps the connection', () => {
    const hub = makeHub();
    const s = new FakeSocket();
    hub.attach(s.as(), { topics: [...ALL] });
    s.emit('message', Buffer.from('nonsense'), false);
    s.emit('message', Buffer.from('{"type":"reboot"}'), false);
    s.emit('message', Buffer.from('{"type":"subscribe","topics":["nope"]}'), false);
    expect(s.sent.slice(1).map((m) => m.code)).toEqual([WsErrorCodes.MALFORMED, WsErrorCodes.UNKNOWN_TYPE, WsErrorCodes.INVALID]);
    hub.publish('log', { msg: 'still here' });
    expect(s.types().at(-1)).toBe('log');
    expect(s.closed).toBeNull();
    hub.close();
  });

  it('resumes a client from its last seq: missed events in order and the newest state', () => {
    const hub = makeHub();
    const a = new FakeSocket();
    hub.attach(a.as(), { topics: [...ALL] });
    hub.publish('fit', { round: 1 });
    const last = hub.lastSeq;
    a.close(1006);
    hub.publish('ring', { n: 1 });
    hub.publish('log', { msg: 'one' });
    hub.publish('ring', { n: 2 });
    hub.publish('fit', { round: 2 });
    const b = new FakeSocket();
    hub.attach(b.as(), { topics: [...ALL], since: last, instance: hub.instance });
    expect(b.sent[0]).toMatchObject({ type: 'hello', resumed: true, seq: last });
    expect(b.sent[0]).not.toHaveProperty('snapshot');
    expect(b.sent.slice(1)).toMatchObject([{ type: 'log', log: { msg: 'one' } }, { type: 'ring', ring: { n: 2 } }, { type: 'fit', fit: { round: 2 } }]);
    expect(hub.stats().resumed).toBe(1);
    hub.close();
  });

  it('sends a fresh snapshot when the seq is too old, from the future, or of another server instance', () => {
    const hub = makeHub({ historyMessages: 3 });
    for (let i = 0; i < 10; i++) hub.publish('log', { i });
    for (const req of [{ since: 2, instance: hub.instance }, { since: 99, instance: hub.instance }, { since: 9, instance: 'another' }]) {
      const s = new FakeSocket();
      hub.attach(s.as(), { topics: [...ALL], ...req });
      expect(s.sent[0]).toMatchObject({ type: 'hello', resumed: false, seq: 10, snapshot: { state: 'running' } });
    }
    // within the history it resumes
    const s = new FakeSocket();
    hub.attach(s.as(), { topics: [...ALL], since: 8, instance: hub.instance });
    expect(s.sent[0]).toMatchObject({ resumed: true });
    expect(s.sent.slice(1).map((m) => (m.log as { i: number }).i)).toEqual([8, 9]);
    hub.close();
  });

  it('a stalled client neither slows nor starves a fast one, and holds a bounded queue', () => {
    const hub = makeHub({ highWaterBytes: 4096, maxEvents: 16 });
    const fast = new FakeSocket();
    const stalled = new FakeSocket();
    hub.attach(fast.as(), { topics: [...ALL] });
    hub.attach(stalled.as(), { topics: [...ALL] });
    stalled.stalled = true;
    for (let i = 0; i < 5000; i++) {
      hub.publish('ring', { i, pad: 'x'.repeat(200) });
      if (i % 50 === 0) hub.publish('log', { i });
    }
    expect(fast.sent.filter((m) => m.type === 'ring')).toHaveLength(5000);
    expect(fast.sent.filter((m) => m.type === 'log')).toHaveLength(100);
    const st = hub.stats();
    const slow = st.clients[1];
    expect(slow.queued).toBeLessThanOrEqual(1 + 16);
    expect(slow.pendingBytes).toBeLessThan(4096 + 400);
    expect(stalled.sent.length).toBeLessThan(25);
    expect(st.dropped['ring:coalesced']).toBeGreaterThan(4900);
    expect(st.dropped['log:overflow']).toBe(100 - 16 - (stalled.sent.filter((m) => m.type === 'log').length));
    hub.close();
  });

  it('ends a client that stops answering pings', () => {
    vi.useFakeTimers();
    const hub = makeHub({ pingMs: 1000 });
    const alive = new FakeSocket();
    const dead = new FakeSocket();
    hub.attach(alive.as(), { topics: [...ALL] });
    hub.attach(dead.as(), { topics: [...ALL] });
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(1000);
      alive.emit('pong');
    }
    expect(dead.terminated).toBe(true);
    expect(alive.terminated).toBe(false);
    expect(alive.pings).toBe(3);
    expect(hub.stats()).toMatchObject({ connected: 1, unresponsive: 1 });
    hub.close();
    expect(alive.closed).toBe(1001);
  });
});
