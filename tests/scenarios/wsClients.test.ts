/**
 * Scenario 7: a slow WebSocket client (it never reads) and a dead one (its
 * connection goes silent without a close, as behind a cut network), with the
 * daemon as a child process on the emulator over a pty. Rates are compared as
 * counts over equal windows, never as timings.
 */
import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LinkRig, socatAvailable, startLinkRig } from '../support/childDaemon.ts';

const WINDOW_MS = 4000;
const PING_MS = 1500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP relay to the daemon that can go silent: it stops passing bytes either way and never closes. */
async function blackholeRelay(port: number): Promise<{ port: number; silence: () => void; close: () => void }> {
  const pairs: [Socket, Socket][] = [];
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port });
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    pairs.push([inbound, outbound]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    silence: () => {
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    close: () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      server.close();
    },
  };
}

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe.skipIf(!socatAvailable())('scenario 7: slow and dead WebSocket clients', () => {
  let rig: LinkRig | null = null;
  const cleanup: (() => void)[] = [];
  afterAll(async () => {
    cleanup.forEach((c) => c());
    await rig?.dispose();
  });

  it('leave the acquisition rate and the other clients alone, and the dead client is dropped by ping/pong', async () => {
    rig = await startLinkRig({ emulator: ['--speed', '4'], config: { server: { wsPingMs: PING_MS } } });
    const d = rig.daemon;
    await d.waitFor('streaming', (s) => s.pipeline.frames > 100, 30_000);
    const wsUrl = (port: number) => `ws://127.0.0.1:${port}/ws?topics=ring,status,response,log`;
    const daemonPort = Number(new URL(d.url).port);
    // a well-behaved client, counting what it receives
    const good = await open(wsUrl(daemonPort));
    cleanup.push(() => good.terminate());
    let received = 0;
    good.on('message', () => received++);

    // window 1: only the good client
    const f0 = (await d.status()).pipeline.frames;
    const m0 = received;
    await sleep(WINDOW_MS);
    const f1 = (await d.status()).pipeline.frames;
    const m1 = received;

    // window 2: a client that never reads, and one whose connection goes silent
    const slow = await open(wsUrl(daemonPort));
    cleanup.push(() => slow.terminate());
    (slow as unknown as { _socket: Socket })._socket.pause();
    const relay = await blackholeRelay(daemonPort);
    cleanup.push(relay.close);
    const dead = await open(wsUrl(relay.port));
    cleanup.push(() => dead.terminate());
    relay.silence();
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = received;
      await sleep(WINDOW_MS / 4);
      counts.push(received - before);
    }
    const f2 = (await d.status()).pipeline.frames;
    const m2 = received;

    // the acquisition kept its rate (frames in equal windows), and the good client kept receiving throughout
    const ratio = (f2 - f1) / (f1 - f0);
    expect(ratio).toBeGreaterThan(0.8);
    expect((m2 - m1) / (m1 - m0)).toBeGreaterThan(0.5);
    expect(counts.every((n) => n > 0)).toBe(true);
    // the silent clients were disconnected for not answering pings; the good one is still there
    await d.waitForLog('a client dropped for not answering pings', (l) => /stopped answering pings/.test(l.msg), 4 * PING_MS);
    const st = await d.waitFor('only the good client left', (s) => (s.server as { clients: number }).clients === 1 && s, 4 * PING_MS);
    expect(good.readyState).toBe(WebSocket.OPEN);
    expect(st.state).toBe('running');
    const exit = await d.stop();
    expect(exit.code).toBe(0);
    process.stderr.write(`scenario 7: frames ${f1 - f0} → ${f2 - f1} per ${WINDOW_MS / 1000} s (ratio ${ratio.toFixed(2)}); good client ${m1 - m0} → ${m2 - m1} messages, per quarter ${counts.join(', ')}; dropped for silence: ${d.logs().filter((l) => /stopped answering pings/.test(l.msg)).length}\n`);
  }, 90_000);
});
