import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

/** A stand-in socket (unit test): records what is sent; `stalled` holds back the send callbacks. */
export class FakeSocket extends EventEmitter {
  sent: Record<string, unknown>[] = [];
  held: (() => void)[] = [];
  stalled = false;
  closed: number | null = null;
  terminated = false;
  pings = 0;
  send(text: string, cb: () => void): void {
    this.sent.push(JSON.parse(text));
    if (this.stalled) this.held.push(cb);
    else cb();
  }
  ping(): void {
    this.pings++;
  }
  close(code: number): void {
    this.closed = code;
    this.emit('close');
  }
  terminate(): void {
    this.terminated = true;
    this.emit('close');
  }
  types(): string[] {
    return this.sent.map((m) => m.type as string);
  }
  as(): WebSocket {
    return this as unknown as WebSocket;
  }
}
