/** Injected time: a clock in ms and a one-shot timer (tests run in virtual time). */
export interface Clock {
  now(): number;
  /** Runs fn after ms; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};

/** Fraction of the interval that must have passed for a value to go out at once (absorbs frame-time jitter). */
const SLACK = 0.9;

/**
 * Decimation of a fast stream of states to at most one per `intervalMs`. A
 * value goes out at once when the interval has passed since the last one
 * (so a value that is sent is never delayed by the decimation); a value that
 * arrives too early is held, replaced by newer ones, and sent when nothing
 * newer has come for one interval (so the last state always arrives).
 */
export class Decimator<T> {
  private last = -Infinity;
  private held: { value: T } | null = null;
  private cancel: (() => void) | null = null;
  /** Values replaced by a newer one before they were sent. */
  skipped = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (value: T) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  offer(value: T): void {
    const now = this.clock.now();
    if (now - this.last >= this.intervalMs * SLACK) {
      if (this.held) this.skipped++;
      this.held = null;
      this.last = now;
      this.emit(value);
      return;
    }
    if (this.held) this.skipped++;
    this.held = { value };
    this.cancel ??= this.clock.schedule(() => this.fire(), this.intervalMs);
  }

  /** Sends the held value now, if any (e.g. when a new fit changes what it means). */
  flush(): void {
    this.cancel?.();
    this.cancel = null;
    if (!this.held) return;
    const { value } = this.held;
    this.held = null;
    this.last = this.clock.now();
    this.emit(value);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.held = null;
  }

  private fire(): void {
    this.cancel = null;
    if (!this.held) return;
    if (this.clock.now() - this.last >= this.intervalMs * SLACK) this.flush();
    else this.cancel = this.clock.schedule(() => this.fire(), this.intervalMs);
  }
}
