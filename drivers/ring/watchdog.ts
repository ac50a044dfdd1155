import type { SchedulerLike, Subscription } from 'rxjs';
import { every } from './model.ts';

/**
 * A no-data watchdog that counts only the time the host could have read and
 * got nothing. It ticks every `periodMs`; between two ticks the idle time grows
 * by the time elapsed, but by at most two periods: a longer interval means the
 * host itself did not run (a suspend, SIGSTOP, a blocked event loop), and
 * whatever the device sent meanwhile is still buffered, to be read right after
 * this tick — so a frozen host never blames the device. The lateness of each
 * tick is the event-loop lag, kept as its maximum.
 */
export class IdleWatchdog {
  private idle = 0;
  private lastTick: number;
  private timer: Subscription | null = null;
  private maxLag = 0;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly periodMs: number,
    private readonly onTick: (idleMs: number) => void,
  ) {
    this.lastTick = scheduler.now();
  }

  /** Starts ticking (idle from zero). */
  start(): void {
    this.stop();
    this.fed();
    this.timer = every(this.scheduler, this.periodMs, () => this.tick());
  }

  stop(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }

  /** Data arrived (or is expected afresh): idle from zero. */
  fed(): void {
    this.idle = 0;
    this.lastTick = this.scheduler.now();
  }

  /** Milliseconds the device has been silent while the host was able to listen. */
  get idleMs(): number {
    return this.idle;
  }

  /** The largest lateness of a tick seen (ms): how long the host was not running. */
  get maxLagMs(): number {
    return this.maxLag;
  }

  private tick(): void {
    const now = this.scheduler.now();
    const step = Math.max(0, now - this.lastTick);
    this.lastTick = now;
    this.maxLag = Math.max(this.maxLag, step - this.periodMs);
    this.idle += Math.min(step, 2 * this.periodMs);
    this.onTick(this.idle);
  }
}
