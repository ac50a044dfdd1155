import WebSocket from 'ws';
import type { PlannedFault } from './plan.ts';
import { sleep } from './poll.ts';

/**
 * What the soak injects its faults into, all from the soak's own clock: the
 * emulator through its control channel (unplug, power cycle, stall, bursts of
 * corrupted frames with line noise), InfluxDB stopped and started again, the
 * daemon killed and restarted or frozen, and WebSocket clients that read
 * slowly or not at all.
 */
export interface FaultTargets {
  /** `holoring emulate --control`: one fault event played at once; `speed` converts wall seconds to device seconds. */
  emulator: { control(event: object): void; speed: number };
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

/** Plays one fault to its end (resolves when the fault is over: the port back, the daemon restarted, the burst ended). */
export async function injectFault(f: PlannedFault, t: FaultTargets): Promise<void> {
  const ms = f.seconds * 1000;
  const dev = f.seconds * t.emulator.speed;
  switch (f.kind) {
    case 'unplug':
    case 'power-cycle':
    case 'stall':
      t.emulator.control(f.kind === 'unplug' ? { unplug: dev } : f.kind === 'power-cycle' ? { disconnect: dev } : { stall: dev });
      await sleep(ms);
      return;
    case 'corrupt':
      t.emulator.control({ corrupt: f.rate! });
      t.emulator.control({ garbage: f.rate! / 2 });
      await sleep(ms);
      t.emulator.control({ corrupt: 0 });
      t.emulator.control({ garbage: 0 });
      return;
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
