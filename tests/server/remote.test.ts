import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.ts';
import { parseConfig } from '../../src/config/schema.ts';
import { type AuditEntry, createDaemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/log.ts';
import { createServer, dashboardUrl } from '../../src/server/index.ts';
import type { NetworkInterfaceInfo } from 'node:os';
import { openDevice } from '../../drivers/ring/open.ts';
import { runCli } from '../support/cli.ts';
import { hasCommand, requireComponent } from '../support/components.ts';
import { type LiveDaemon, startLiveDaemon } from '../support/liveDaemon.ts';

/**
 * Remote access over real HTTP and WebSocket, on the whole daemon in-process
 * (simulated ring, accelerated, tokens configured): every refusal has its
 * status and stable code, control needs an operator holding the bench lock,
 * the audit log records each command, and acquisition keeps going throughout.
 */
const now = new Date();
const operator = createToken({ role: 'operator', label: 'bench' });
const operator2 = createToken({ role: 'operator', label: 'second' });
const viewer = createToken({ role: 'viewer', label: 'home' });
const expired = createToken({ role: 'operator', label: 'old', expiresInMs: 1000, now: new Date(now.getTime() - 60_000) });

let live: LiveDaemon;
const audits: AuditEntry[] = [];
const req = async (method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(live.url + path, { method, headers, body: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined) });
  const text = await res.text();
  let json: { error?: { code: string; message: string } } & Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // not JSON
  }
  return { status: res.status, json, text };
};
const until = async (cond: () => boolean, what: string, limit = 400): Promise<void> => {
  for (let i = 0; i < limit && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
};
const frames = (): number => live.daemon.status().accounting.received;

/** Opens a socket with the given subprotocols/headers; resolves with its messages and close code. */
function socket(protocols: string[], headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: Record<string, unknown>[]; closed: Promise<number>; opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${live.url.replace('http', 'ws')}ws`, protocols, { headers });
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.once('open', () => resolve({ ws, messages, closed, opened: true }));
    ws.once('unexpected-response', (r, res) => {
      r.destroy();
      resolve({ ws, messages, closed, opened: false, status: res.statusCode });
    });
    ws.once('error', () => resolve({ ws, messages, closed, opened: false }));
  });
}

beforeAll(async () => {
  live = await startLiveDaemon({
    device: { speed: 40 },
    server: { auth: { tokens: [operator.entry, operator2.entry, viewer.entry, expired.entry] }, httpPerMinute: 120, wsPerSecond: 5 },
    alarms: { evaluateMs: 100, noData: { seconds: 1 } },
  }, { train: false });
  const audit = live.daemon.audit.bind(live.daemon);
  live.daemon.audit = (e) => {
    audits.push(e);
    audit(e);
  };
  await until(() => frames() > 20, 'frames');
}, 90_000);
afterAll(async () => live?.stop());

describe('authentication', () => {
  it('serves the page to anyone but the API only with a valid, unexpired token', async () => {
    expect((await req('GET', '')).status).toBe(200);
    expect((await req('GET', 'healthz')).status).toBe(200);
    const none = await req('GET', 'api/status');
    expect([none.status, none.json.error?.code]).toEqual([401, 'RING_ERR_AUTH_MISSING']);
    const wrong = await req('GET', 'api/status', { token: createToken({ role: 'operator' }).token });
    expect([wrong.status, wrong.json.error?.code]).toEqual([401, 'RING_ERR_AUTH_INVALID']);
    const old = await req('GET', 'api/status', { token: expired.token });
    expect([old.status, old.json.error?.code]).toEqual([401, 'RING_ERR_AUTH_EXPIRED']);
    const metrics = await req('GET', 'metrics');
    expect(metrics.status).toBe(401);
    const ok = await req('GET', 'api/whoami', { token: viewer.token });
    expect(ok.json).toMatchObject({ who: 'home', role: 'viewer', authRequired: true });
  });

  it('lets a WebSocket in with the token as a subprotocol (never echoed) and refuses it without', async () => {
    const no = await socket(['holoring.v1']);
    expect(no.opened).toBe(false);
    expect(no.status).toBe(401);
    const bad = await socket(['holoring.v1', `bearer.${createToken({ role: 'viewer' }).token}`]);
    expect(bad.status).toBe(401);
    const yes = await socket(['holoring.v1', `bearer.${viewer.token}`]);
    expect(yes.opened).toBe(true);
    expect(yes.ws.protocol).toBe('holoring.v1');
    await until(() => yes.messages.some((m) => m.type === 'hello'), 'hello');
    yes.ws.close();
    const header = await socket([], { authorization: `Bearer ${viewer.token}` });
    expect(header.opened).toBe(true);
    header.ws.close();
  });

  it('checks the Origin of browser requests', async () => {
    const foreign = await req('GET', 'api/status', { token: viewer.token, headers: { origin: 'http://evil.example' } });
    expect([foreign.status, foreign.json.error?.code]).toEqual([403, 'RING_ERR_ORIGIN']);
    const own = await req('GET', 'api/status', { token: viewer.token, headers: { origin: live.url.replace(/\/$/, '') } });
    expect(own.status).toBe(200);
    const ws = await socket(['holoring.v1', `bearer.${viewer.token}`], { origin: 'http://evil.example' });
    expect(ws.status).toBe(403);
  });
});

describe('control', () => {
  it('refuses viewers (403) and operators without the lock (409), and audits each command', async () => {
    for (const path of ['api/control/sweep/stop', 'api/control/sweep/start', 'api/control/calibrate', 'api/control/model/reset', 'api/alarms/any/ack']) {
      const v = await req('POST', path, { token: viewer.token });
      expect([path, v.status, v.json.error?.code]).toEqual([path, 403, 'RING_ERR_AUTH_FORBIDDEN']);
    }
    const noLock = await req('POST', 'api/control/sweep/stop', { token: operator.token });
    expect([noLock.status, noLock.json.error?.code]).toEqual([409, 'RING_ERR_LOCK_REQUIRED']);
    const taken = await req('POST', 'api/lock', { token: operator.token, body: { ttlSeconds: 600 } });
    expect(taken.status).toBe(200);
    expect(taken.json.lock).toMatchObject({ holder: { label: 'bench' } });
    const other = await req('POST', 'api/lock', { token: operator2.token });
    expect([other.status, other.json.error?.code]).toEqual([409, 'RING_ERR_LOCK_HELD']);
    const otherCmd = await req('POST', 'api/control/sweep/stop', { token: operator2.token });
    expect([otherCmd.status, otherCmd.json.error?.code]).toEqual([409, 'RING_ERR_LOCK_REQUIRED']);
    expect((await req('GET', 'api/lock', { token: viewer.token })).json.lock).toMatchObject({ holder: { label: 'bench' } });
  });

  it('stops and starts the sweeps and resets the model for the lock holder', async () => {
    const stop = await req('POST', 'api/control/sweep/stop', { token: operator.token });
    expect(stop.status).toBe(200);
    expect(stop.json).toMatchObject({ ok: true, acquisition: 'stopped' });
    await new Promise((r) => setTimeout(r, 300));
    const before = frames();
    await new Promise((r) => setTimeout(r, 1600));
    expect(frames() - before).toBeLessThanOrEqual(2);
    // a stop the operator asked for is not a silent device: no no-data alarm (1 s here)
    const alarms = await req('GET', 'api/alarms', { token: operator.token });
    expect((alarms.json.alarms as { rule: string }[]).filter((a) => a.rule === 'noData')).toEqual([]);
    const again = await req('POST', 'api/control/sweep/stop', { token: operator.token });
    expect(again.status).toBe(200);
    const start = await req('POST', 'api/control/sweep/start', { token: operator.token });
    expect(start.json).toMatchObject({ ok: true, acquisition: 'sweeping' });
    const f0 = frames();
    await until(() => frames() > f0 + 5, 'frames after the restart');
    const twice = await req('POST', 'api/control/sweep/start', { token: operator.token });
    expect([twice.status, twice.json.error?.code]).toEqual([409, 'RING_ERR_DAEMON_STATE']);
    const reset = await req('POST', 'api/control/model/reset', { token: operator.token });
    expect([reset.status, reset.json.error?.code]).toEqual([409, 'RING_ERR_DAEMON_STATE']); // started without a trainer
  });

  it('calibrates on command: a new record is applied and the table restarts with it', async () => {
    const before = live.daemon.status().calibrationVersion;
    const cal = await req('POST', 'api/control/calibrate', { token: operator.token });
    expect(cal.status).toBe(200);
    expect(cal.json).toMatchObject({ ok: true, acquisition: 'sweeping', calibration: expect.stringMatching(/^cal-/) });
    const f0 = frames();
    await until(() => frames() > f0 + 5 && live.daemon.status().calibrationVersion === cal.json.calibration, 'frames under the new calibration');
    expect(before).toBeTruthy();
  }, 60_000);

  it('refuses malformed and oversized bodies with a code, and releases the lock', async () => {
    const malformed = await req('POST', 'api/lock', { token: operator.token, raw: '{"ttlSeconds":' });
    expect([malformed.status, malformed.json.error?.code]).toEqual([400, 'RING_ERR_HTTP_INVALID']);
    const unknown = await req('POST', 'api/lock', { token: operator.token, body: { ttlSeconds: 5, forever: true } });
    expect([unknown.status, unknown.json.error?.code]).toEqual([400, 'RING_ERR_HTTP_INVALID']);
    const huge = await req('POST', 'api/lock', { token: operator.token, raw: JSON.stringify({ pad: 'x'.repeat(64 * 1024) }) });
    expect([huge.status, huge.json.error?.code]).toEqual([413, 'RING_ERR_HTTP_TOO_LARGE']);
    const other = await req('DELETE', 'api/lock', { token: operator2.token });
    expect([other.status, other.json.error?.code]).toEqual([409, 'RING_ERR_LOCK_HELD']);
    expect((await req('DELETE', 'api/lock', { token: operator.token })).status).toBe(200);
    expect((await req('GET', 'api/lock', { token: viewer.token })).json.lock).toBeNull();
  });

  it('records every control request in the audit log with who, what and the result', () => {
    const entries = audits;
    expect(entries).toContainEqual({ who: 'home', role: 'viewer', what: 'POST /api/control/sweep/stop', result: '403 RING_ERR_AUTH_FORBIDDEN' });
    expect(entries).toContainEqual({ who: 'bench', role: 'operator', what: 'POST /api/control/sweep/stop', result: '200 ok' });
    expect(entries).toContainEqual({ who: 'second', role: 'operator', what: 'POST /api/lock', result: '409 RING_ERR_LOCK_HELD' });
  });
});

describe('floods', () => {
  it('refuses a WebSocket flood and an HTTP flood with their codes while acquisition and other clients go on', async () => {
    const calm = await socket(['holoring.v1', `bearer.${viewer.token}`]);
    const noisy = await socket(['holoring.v1', `bearer.${viewer.token}`]);
    await until(() => calm.messages.some((m) => m.type === 'hello') && noisy.messages.some((m) => m.type === 'hello'), 'hello');
    const f0 = frames();
    for (let i = 0; i < 200; i++) noisy.ws.send(JSON.stringify({ type: 'ping', id: i }));
    expect(await noisy.closed).toBe(1008);
    expect(noisy.messages.some((m) => m.type === 'error' && m.code === 'RING_ERR_WS_FLOOD')).toBe(true);
    const calmBefore = calm.messages.length;
    await until(() => calm.messages.length > calmBefore + 3, 'the calm client keeps receiving');
    const oversized = await socket(['holoring.v1', `bearer.${viewer.token}`]);
    oversized.ws.send('x'.repeat(64 * 1024));
    expect(await oversized.closed).toBe(1009);
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) statuses.push((await req('GET', 'api/lock', { token: viewer.token })).status);
    expect(statuses).toContain(429);
    const limited = await req('GET', 'api/lock', { token: viewer.token });
    expect(limited.json.error?.code).toBe('RING_ERR_RATE_LIMITED');
    // another client (token) is not limited by this one's flood
    expect((await req('GET', 'api/lock', { token: operator.token })).status).toBe(200);
    await until(() => frames() > f0 + 10, 'frames during the floods');
    expect(live.daemon.status().accounting.missing).toEqual({});
    calm.ws.close();
  }, 60_000);
});

describe('exposure', () => {
  it('refuses to listen beyond loopback without tokens (RING_ERR_AUTH_REQUIRED)', async () => {
    const config = parseConfig({ server: { host: '0.0.0.0', port: 0 } });
    const opened = openDevice({ kind: 'sim', seed: 1 });
    const daemon = createDaemon(config, { device: opened.device, logger: silentLogger(), trainer: null, resolveRecord: async () => null });
    const server = createServer(daemon, config);
    await expect(server.listen()).rejects.toMatchObject({ code: 'RING_ERR_AUTH_REQUIRED' });
    await server.close();
    await opened.dispose();
  });

  it('holoring start refuses a non-loopback --host without tokens, naming the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-exposed-'));
    const r = runCli(['start', '--host', '0.0.0.0', '--port', '0', '--no-train', '--sweeps', '1', '--data-dir', join(dir, 'data'), '--calibration-dir', join(dir, 'cal')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_AUTH_REQUIRED: --host: .*holoring token create/);
  });
});

describe('the dashboard URL printed at start', () => {
  const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;
  const ifaces = { lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)], eth0: [nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6'), nic('192.168.1.4', 'IPv4')] };
  it('is the bound address itself when it is one', () => {
    expect(dashboardUrl('http', { address: '127.0.0.1', family: 'IPv4', port: 8080 }, ifaces, 'bench')).toBe('http://127.0.0.1:8080/');
    expect(dashboardUrl('https', { address: '::1', family: 'IPv6', port: 8443 }, ifaces, 'bench')).toBe('https://[::1]:8443/');
  });
  it('names an external interface for a wildcard bind (IPv4 preferred), or the host name when there is none', () => {
    expect(dashboardUrl('http', { address: '0.0.0.0', family: 'IPv4', port: 8080 }, ifaces, 'bench')).toBe('http://192.168.1.4:8080/');
    expect(dashboardUrl('http', { address: '::', family: 'IPv6', port: 8080 }, { eth0: [nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6')] }, 'bench')).toBe('http://[2001:db8::5]:8080/');
    expect(dashboardUrl('http', { address: '0.0.0.0', family: 'IPv4', port: 8080 }, { lo: ifaces.lo, eth0: [nic('2001:db8::5', 'IPv6')] }, 'bench')).toBe('http://bench:8080/');
  });
});

describe('TLS', () => {
  const haveOpenssl = requireComponent('openssl', hasCommand('openssl'), 'apt-get install openssl');
  it.skipIf(!haveOpenssl)('serves https and wss with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const config = parseConfig({ server: { port: 0, tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } } });
    const opened = openDevice({ kind: 'sim', seed: 1 });
    const daemon = createDaemon(config, { device: opened.device, logger: silentLogger(), trainer: null, resolveRecord: async () => null });
    const server = createServer(daemon, config);
    const url = await server.listen();
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const ca = readFileSync(join(dir, 'cert.pem'));
      const body = await new Promise<string>((resolve, reject) => {
        https.get(`${url}healthz`, { ca }, (res) => {
          let t = '';
          res.on('data', (c) => (t += String(c)));
          res.on('end', () => resolve(t));
        }).on('error', reject);
      });
      expect(JSON.parse(body)).toHaveProperty('state');
      const ws = new WebSocket(`${url.replace('https', 'wss')}ws`, ['holoring.v1'], { ca });
      const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
        ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>));
        ws.once('error', reject);
      });
      expect(hello.type).toBe('hello');
      ws.close();
    } finally {
      await server.close();
      await opened.dispose();
    }
  });
});
