import WebSocket from 'ws';
import type { PlannedFault } from './plan.ts';
import { sleep } from './poll.ts';

/**
 * Injects the faults the soak plays from the host side (the emulator plays
 * unplugs, stalls and corruption bursts from its own timeline): InfluxDB
 * stopped and started again, the daemon killed and restarted or frozen, and
 * WebSocket clients that read slowly or not at all.
 */
export interface FaultTargets {
  influx: { stop(): Promise<void>; start(): Promise<void> };
  daemon: {
    /** SIGKILL and wait for the exit. */
    kill(): Promise<void>;
    /** Starts a new daemon process (the run resumes). */
    restart(): Promise<void>;
    signal(s: NodeJS.Signals): void;
  };
  wsUrl: () => string;
}

/** Plays one host-side fault to its end; emulator-side faults just last their time. */
export async function injectFault(f: PlannedFault, t: FaultTargets): Promise<void> {
  const ms = f.seconds * 1000;
  switch (f.kind) {
    case 'influx-down':
      await t.influx.stop();
      await sleep(ms);
      await t.influx.start();
      return;
    case 'daemon-kill':
      await t.daemon.kill();
      await sleep(ms);
      await t.daemon.restart();
      return;
    case 'daemon-freeze':
      t.daemon.signal('SIGSTOP');
      await sleep(ms);
      t.daemon.signal('SIGCONT');
      return;
    case 'ws-slow':
    case 'ws-dead':
      await wsClient(t.wsUrl(), f.kind === 'ws-dead', ms);
      return;
    default:
      await sleep(ms);
  }
}

/**
 * A WebSocket client for `ms`: a slow one reads in bursts (paused 2 s out of
 * every 2.5 s), a dead one stops reading and answering pings after its first
 * message. Connection failures are part of the fault (the server may drop it).
 */
async function wsClient(url: string, dead: boolean, ms: number): Promise<void> {
  const ws = new WebSocket(url, { autoPong: !dead });
  ws.on('error', () => undefined);
  const sock = (): { pause(): void; resume(): void } | null => (ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket ?? null;
  ws.once('message', () => {
    if (dead) sock()?.pause();
  });
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!dead) sock()?.pause();
    await sleep(Math.min(2000, Math.max(0, until - Date.now())));
    if (!dead) sock()?.resume();
    await sleep(500);
  }
  ws.terminate();
}
