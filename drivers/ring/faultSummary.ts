import type { SchedulerLike, Subscription } from 'rxjs';
import type { SequenceGap } from '../../src/contracts/device.ts';
import type { Logger } from '../../src/log.ts';

/** At most one summary line per this many ms. */
export const FAULT_SUMMARY_MS = 10_000;

/**
 * Rate-limited reporting of lost and damaged frames: a gap across a reconnect
 * or a device restart is logged at once (they are rare and each matters);
 * sequence gaps, frames lost at a stop and rejected input are added up and reported as one warning
 * per `intervalMs` (`event: 'faults'`, with the window's counts by cause and
 * by error code and the run's totals), so 5% corruption gives one line every
 * 10 s rather than one per frame.
 */
export class FaultSummary {
  private gaps = 0;
  private missing: Record<string, number> = {};
  private rejects: Record<string, number> = {};
  private timer: Subscription | null = null;
  private windowStart = 0;

  constructor(
    private readonly log: Logger,
    private readonly scheduler: SchedulerLike,
    private readonly totals: () => Record<string, unknown>,
    private readonly intervalMs = FAULT_SUMMARY_MS,
  ) {}

  gap(g: SequenceGap): void {
    const cause = g.cause ?? 'sequence';
    if (cause !== 'sequence' && cause !== 'stop') {
      this.log.warn({ event: 'gap', gap: g }, cause === 'device-restart'
        ? `the device restarted: its sequence numbers begin again (${g.missing} frame(s) of the new numbering missed, the last before was seq ${g.after})`
        : `${g.missing} frame(s) sent while the port was closed (after seq ${g.after})`);
      return;
    }
    this.gaps++;
    const rejected = g.rejected ?? 0;
    if (rejected) this.missing.rejected = (this.missing.rejected ?? 0) + rejected;
    if (g.missing > rejected) this.missing[cause] = (this.missing[cause] ?? 0) + g.missing - rejected;
    this.arm();
  }

  reject(code: string): void {
    this.rejects[code] = (this.rejects[code] ?? 0) + 1;
    this.arm();
  }

  /** Reports what the current window holds now (on close). */
  flush(): void {
    this.timer?.unsubscribe();
    this.timer = null;
    const missing = Object.values(this.missing).reduce((a, b) => a + b, 0);
    const rejected = Object.values(this.rejects).reduce((a, b) => a + b, 0);
    if (this.gaps === 0 && rejected === 0) return;
    const windowMs = this.scheduler.now() - this.windowStart;
    const parts = [
      ...(this.gaps ? [`${missing} frame(s) missing in ${this.gaps} gap(s) (${Object.entries(this.missing).map(([k, v]) => `${k} ${v}`).join(', ')})`] : []),
      ...(rejected ? [`${rejected} frame(s) rejected (${Object.entries(this.rejects).map(([k, v]) => `${k} ${v}`).join(', ')})`] : []),
    ];
    this.log.warn(
      { event: 'faults', windowMs, gaps: this.gaps, missing: this.missing, rejects: this.rejects, totals: this.totals() },
      `in the last ${Math.round(windowMs / 1000)} s: ${parts.join('; ')}`,
    );
    this.gaps = 0;
    this.missing = {};
    this.rejects = {};
  }

  private arm(): void {
    if (this.timer) return;
    this.windowStart = this.scheduler.now();
    this.timer = this.scheduler.schedule(() => {
      this.timer = null;
      this.flush();
    }, this.intervalMs);
  }
}
