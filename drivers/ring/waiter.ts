import { type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import { HoloringError } from '../../src/errors.ts';
import { RingErrors, type ReplyMessage } from './protocol.ts';

/**
 * The one command waiter: commands run one at a time; the matcher (the command
 * header, which the device echoes in its reply) is registered before the bytes
 * are written, the reply resolves it, and a timeout rejects naming the command.
 */
interface Pending {
  command: string;
  resolve: (fields: string[]) => void;
  reject: (e: Error) => void;
  timer: Subscription;
}

export class CommandWaiter {
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly scheduler: SchedulerLike = asyncScheduler,
    private readonly context: Record<string, unknown> = {},
  ) {}

  /**
   * Runs `header` (with `write` sending the line) and resolves with the reply's
   * fields. Rejects with RING_ERR_TIMEOUT, RING_ERR_DEVICE_ERROR (the device's
   * error reply) or whatever `write` or `failAll` reject with.
   */
  run(header: string, write: () => Promise<void>, timeoutMs: number): Promise<string[]> {
    const go = (): Promise<string[]> =>
      new Promise<string[]>((resolve, reject) => {
        const timer = this.scheduler.schedule(() => {
          if (!this.pending || this.pending.timer !== timer) return;
          this.pending = null;
          reject(new HoloringError(RingErrors.TIMEOUT, `no reply to ${header} within ${timeoutMs} ms`, { ...this.context, command: header, timeoutMs }));
        }, timeoutMs);
        const p: Pending = { command: header.toUpperCase(), resolve, reject, timer };
        this.pending = p;
        write().catch((e: Error) => this.settle(p, () => reject(e)));
      });
    const result = this.queue.then(go, go);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Offers a reply; false when no command was waiting for it. */
  offer(reply: ReplyMessage): boolean {
    const p = this.pending;
    if (!p || p.command !== reply.command) return false;
    this.settle(p, () => {
      if (reply.ok) p.resolve(reply.fields);
      else {
        const [code, message] = reply.fields;
        p.reject(new HoloringError(RingErrors.DEVICE_ERROR, `device refused ${p.command}: ${code}: ${message}`, { ...this.context, command: p.command, deviceCode: code }));
      }
    });
    return true;
  }

  /** Rejects the waiting command (link lost, device closed). */
  failAll(make: (command: string) => Error): void {
    const p = this.pending;
    if (p) this.settle(p, () => p.reject(make(p.command)));
  }

  get waitingFor(): string | null {
    return this.pending?.command ?? null;
  }

  private settle(p: Pending | null, fn: () => void): void {
    if (!p || this.pending !== p) return;
    this.pending = null;
    p.timer.unsubscribe();
    fn();
  }
}
