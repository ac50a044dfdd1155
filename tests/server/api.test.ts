import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponseTable } from '../../src/io/responseTable.ts';
import { type LiveDaemon, startLiveDaemon } from '../support/liveDaemon.ts';

/** The server over real HTTP and WebSocket, on the whole daemon in-process (simulated ring, accelerated). */
let live: LiveDaemon;
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(live.url + path, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const json = async (path: string) => JSON.parse((await get(path)).text);

/** Opens a socket and collects its messages. */
async function openSocket(query = ''): Promise<{ ws: WebSocket; messages: Record<string, unknown>[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${live.url.replace('http', 'ws')}ws${query}`);
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d))));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  return { ws, messages, closed };
}
const until = async (cond: () => boolean, what: string, limit = 400): Promise<void> => {
  for (let i = 0; i < limit && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
};

beforeAll(async () => {
  live = await startLiveDaemon({ device: { speed: 40 } }, { thread: 'main' });
  await until(() => live.server.live.history().length >= 1, 'the first fit', 1200);
}, 90_000);
afterAll(async () => live?.stop());

describe('JSON API', () => {
  it('reports status, health and Prometheus metrics', async () => {
    const st = await json('api/status');
    expect(st).toMatchObject({ state: 'running', device: { state: expect.any(String), identity: { serial: 'SIM-3' } }, trainer: { rounds: expect.any(Number) }, influx: null });
    expect(st.pipeline.frames).toBeGreaterThan(0);
    expect(Object.keys(st.drops)).toContain('frames→journal');
    expect(await json('healthz')).toEqual({ ok: true, state: 'running' });
    const m = await get('metrics');
    expect(m.type).toContain('text/plain');
    for (const name of ['holoring_frames_total', 'holoring_device_gaps_total', 'holoring_device_reconnects_total', 'holoring_journal_dropped_total', 'holoring_ws_clients', 'holoring_training_round_seconds_count', 'holoring_process_resident_memory_bytes', 'holoring_event_loop_lag_p99_ms']) {
      expect(m.text).toContain(name);
    }
    expect(Number(/^holoring_frames_total (\d+)/m.exec(m.text)?.[1])).toBeGreaterThan(0);
  });

  it('serves the metric estimate, its history, the ring and the response table (JSON and CSV)', async () => {
    const metric = await json('api/metric');
    expect(metric.r.length).toBe(metric.f.length);
    expect(metric).toMatchObject({ round: expect.any(Number), chi2: expect.any(Number), calibration: expect.stringMatching(/^cal-/), points: 120 });
    const hist = await json('api/metric/history');
    expect(hist.rounds.length).toBeGreaterThanOrEqual(metric.round);
    expect(hist.rounds[0]).toMatchObject({ round: 1, backend: expect.any(String) });
    const ring = await json('api/ring');
    expect(ring.amplitude).toHaveLength(64);
    expect(ring.phase).toHaveLength(64);
    const resp = await json('api/response');
    expect(resp.omega.length).toBe(120);
    const csv = await get('api/response', { accept: 'text/csv' });
    expect(csv.type).toContain('text/csv');
    expect(parseResponseTable(csv.text).points).toHaveLength(120);
  });

  it('lists the run being recorded and shows it with its rounds', async () => {
    const { runs } = await json('api/runs');
    expect(runs).toHaveLength(1);
    const st = await json('api/status');
    expect(runs[0]).toMatchObject({ id: st.run.id, state: 'running', device: { serial: 'SIM-3' }, stop: null });
    const run = await json(`api/runs/${runs[0].id}`);
    expect(run.start).toMatchObject({ type: 'start', runId: runs[0].id });
    expect(run.rounds.length).toBeGreaterThanOrEqual(1);
    expect(run.rounds[0]).toMatchObject({ round: 1, chi2: expect.any(Number) });
    expect(run.rounds[0]).not.toHaveProperty('r');
    expect(run.segments.some((g: { kind: string }) => g.kind === 'frames')).toBe(true);
  });

  it('refuses with stable codes', async () => {
    const nf = await get('api/nothing');
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.text).error.code).toBe('RING_ERR_NOT_FOUND');
    const bad = await get('api/runs/..%2Fetc');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.code).toBe('RING_ERR_HTTP_INVALID');
    const none = await get('api/runs/20000101T000000Z-0000');
    expect(none.status).toBe(404);
    expect(JSON.parse(none.text).error.code).toBe('RING_ERR_NOT_FOUND');
  });

  it('serves the dashboard page and uPlot from node_modules', async () => {
    const page = await get('');
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('/app.js');
    const u = await get('vendor/uplot/uPlot.esm.js');
    expect(u.status).toBe(200);
    expect(u.type).toContain('javascript');
  });
});

describe('WebSocket /ws', () => {
  it('greets with protocol 1 and a snapshot, then streams the subscribed topics', async () => {
    const s = await openSocket('?topics=ring,status');
    await until(() => s.messages.filter((m) => m.type === 'ring').length >= 3 && s.messages.some((m) => m.type === 'status'), 'ring and status messages');
    const hello = s.messages[0] as { type: string; protocol: number; snapshot: { status: unknown; run: { simulated: boolean } } };
    expect(hello).toMatchObject({ type: 'hello', protocol: 1, resumed: false });
    expect(hello.snapshot.run.simulated).toBe(true);
    expect(new Set(s.messages.slice(1).map((m) => m.type))).toEqual(new Set(['ring', 'status']));
    const seqs = s.messages.map((m) => m.seq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    s.ws.close();
  });

  it('answers a bad message with an error and closes an oversized one with 1009', async () => {
    const s = await openSocket();
    s.ws.send('{"type":"launch"}');
    await until(() => s.messages.some((m) => m.type === 'error'), 'an error message');
    expect(s.messages.find((m) => m.type === 'error')).toMatchObject({ code: 'RING_ERR_WS_UNKNOWN_TYPE' });
    s.ws.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(20_000) }));
    expect(await s.closed).toBe(1009);
  });

  it('refuses an unknown topic in the URL (1008)', async () => {
    const s = await openSocket('?topics=weather');
    expect(await s.closed).toBe(1008);
    expect(s.messages[0]).toMatchObject({ type: 'error', code: 'RING_ERR_WS_INVALID' });
  });

  it('resumes from the last seq after a drop', async () => {
    const a = await openSocket('?topics=ring');
    await until(() => a.messages.length >= 3, 'ring messages');
    const hello = a.messages[0] as { instance: string };
    const last = Math.max(...a.messages.map((m) => m.seq as number));
    a.ws.terminate();
    await new Promise((r) => setTimeout(r, 300));
    const b = await openSocket(`?topics=ring&since=${last}&instance=${hello.instance}`);
    await until(() => b.messages.length >= 2, 'resumed messages');
    expect(b.messages[0]).toMatchObject({ type: 'hello', resumed: true, seq: last });
    expect(b.messages[1].seq as number).toBeGreaterThan(last);
    b.ws.close();
  });
});
