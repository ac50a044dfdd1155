import { execFile } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveDaemon, startLiveDaemon } from '../support/liveDaemon.ts';

/** Alarms over the real HTTP API and WebSocket, on the whole daemon in-process (simulated ring, accelerated). */
let live: LiveDaemon;
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(live.url + path, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
};
const until = async (cond: () => boolean | Promise<boolean>, what: string, limit = 400): Promise<void> => {
  for (let i = 0; i < limit; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
};

beforeAll(async () => {
  // the simulated sample reports 10 mK; a Hawking–Page point of 5 mK puts it above (physics.md §2)
  live = await startLiveDaemon({ alarms: { evaluateMs: 100, sampleTemperature: { hawkingPageK: 0.005 } } }, { train: false });
}, 90_000);
afterAll(async () => live?.stop());

describe('alarms over the API', () => {
  it('lists the latched alarm, streams its changes, and takes an acknowledgement naming who', async () => {
    const ws = new WebSocket(`${live.url.replace('http', 'ws')}ws?topics=alarm`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
    let list: { id: string; rule: string; state: string; severity: string; message: string; action: string }[] = [];
    await until(async () => {
      list = (await call('GET', 'api/alarms')).body.alarms as typeof list;
      return list.length > 0;
    }, 'the temperature alarm');
    expect(list).toMatchObject([{ rule: 'sampleTemperature', state: 'raised', severity: 'critical' }]);
    expect(list[0].message).toMatch(/above the Hawking–Page point 5\.00 mK/);
    const id = list[0].id;
    // acknowledging is control: it needs the bench lock (README "Remote access")
    expect(await call('POST', `api/alarms/${id}/ack`, { who: 'night-shift' })).toMatchObject({ status: 409, body: { error: { code: 'RING_ERR_LOCK_REQUIRED' } } });
    expect((await call('POST', 'api/lock', {})).status).toBe(200);
    const acked = await call('POST', `api/alarms/${id}/ack`, { who: 'night-shift' });
    expect(acked).toMatchObject({ status: 200, body: { alarm: { id, state: 'acknowledged', acknowledgedBy: 'night-shift' } } });
    expect((await call('GET', 'api/alarms')).body.alarms).toMatchObject([{ id, state: 'acknowledged' }]);
    const unknown = await call('POST', 'api/alarms/noData-999/ack', { who: 'x' });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'RING_ERR_ALARM_UNKNOWN' } } });
    // the raise may come before the socket opened; the acknowledgement is streamed
    const acks = () => messages.filter((m) => m.type === 'alarm' && (m.alarm as { state: string }).state === 'acknowledged');
    await until(() => acks().length > 0, 'the acknowledgement on the socket');
    expect(acks()).toMatchObject([{ alarm: { id, who: 'night-shift', closed: false } }]);
    ws.close();
  });
});

/** `holoring ARGS` as a child process, without blocking this process (its server answers the child). */
const holoring = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, ['bin/holoring.mjs', ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
});

describe('holoring status', () => {
  it('asks the running daemon (GET /api/status) and prints its frame account', async () => {
    // on a loaded machine the daemon may still be before its first frame (no counters yet)
    await until(async () => ((await call('GET', 'api/status')).body as { device?: { counters?: unknown } }).device?.counters != null, 'the first frames');
    const r = await holoring(['status', '--url', live.url, '--json']);
    expect(r.code).toBe(0);
    const st = JSON.parse(r.stdout) as { state: string; device: { counters: { account: { received: number } } } };
    expect(st.state).toBe('running');
    expect(st.device.counters.account.received).toBeGreaterThan(0);
    const text = await holoring(['status', '--url', live.url]);
    expect(text.stdout).toMatch(/^daemon running/);
    expect(text.stdout).toMatch(/frames: \d+ received, \d+ missing/);
  }, 120_000);

  it('says plainly when no daemon answers', async () => {
    const r = await holoring(['status', '--port', '1', '--timeout', '2000']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/RING_ERR_DAEMON_UNREACHABLE: no daemon answered at http:\/\/127\.0\.0\.1:1\/api\/status/);
  }, 120_000);
});
