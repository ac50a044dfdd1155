import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.ts';
import type { Daemon, DaemonStatus } from '../../src/daemon/daemon.ts';
import { type AccessPolicy, createServer } from '../../src/server/index.ts';

/** A daemon that has produced nothing yet (unit test: a stand-in with the Daemon interface). */
function idleDaemon(state: DaemonStatus['state'] = 'starting'): Daemon {
  const status = {
    state, identity: null, deviceState: null, sweeps: 0, frames: 0, tablePoints: 0, calibrationVersion: null, skipped: {}, trainingsSkipped: 0,
    device: null, lastFit: null, journal: null, run: null, accounting: { received: 0, journaled: 0, skipped: {}, missing: {}, duplicates: 0 },
  } as DaemonStatus;
  return {
    start: async () => {}, stop: async () => {}, done: new Promise(() => {}),
    status$: new Subject<DaemonStatus>(), fits$: new Subject(), calibrated$: new Subject(), response$: new Subject(),
    status: () => status, response: () => null, lastFit: () => null,
  } as unknown as Daemon;
}

const config = parseConfig({ server: { port: 0 } });

describe('HTTP routes before any data', () => {
  it('says what is not ready yet, and that no run record is kept', async () => {
    const server = createServer(idleDaemon(), config);
    for (const url of ['/api/metric', '/api/ring', '/api/response']) {
      const res = await server.app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('RING_ERR_NOT_READY');
    }
    expect((await server.app.inject({ url: '/api/metric/history' })).json()).toEqual({ rounds: [] });
    const runs = await server.app.inject({ url: '/api/runs' });
    expect(runs.statusCode).toBe(503);
    expect(runs.json().error.code).toBe('RING_ERR_RUNS_UNAVAILABLE');
    expect((await server.app.inject({ url: '/api/runs/20261129T153012Z-7f3a' })).statusCode).toBe(503);
    expect((await server.app.inject({ url: '/healthz' })).json()).toEqual({ ok: true, state: 'starting' });
    await server.close();
  });

  it('reports an unhealthy daemon once it failed', async () => {
    const server = createServer(idleDaemon('failed'), config);
    const res = await server.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ok: false, state: 'failed' });
    await server.close();
  });
});

describe('the access gate', () => {
  it('asks the policy about every request, the WebSocket upgrade included, and hands routes the principal', async () => {
    const seen: string[] = [];
    const policy: AccessPolicy = {
      check: (req) => {
        seen.push(`${req.kind} ${req.url}`);
        return req.headers.authorization === 'Bearer good'
          ? { allow: true, principal: { who: 'tester', role: 'viewer', tokenId: 'tester' } }
          : { allow: false, status: 401, code: 'RING_ERR_AUTH_MISSING', message: 'a bearer token is required' };
      },
    };
    const server = createServer(idleDaemon(), config, { access: policy });
    for (const url of ['/api/status', '/', '/metrics', '/healthz', '/no/such/page']) {
      const res = await server.app.inject({ url });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('RING_ERR_AUTH_MISSING');
    }
    const ws = await server.app.inject({ url: '/ws', headers: { upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    expect(ws.statusCode).toBe(401);
    expect(seen).toContain('ws /ws');
    expect((await server.app.inject({ url: '/api/status', headers: { authorization: 'Bearer good' } })).statusCode).toBe(200);
    await server.close();
  });
});
