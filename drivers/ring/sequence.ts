import type { SequenceGap } from '../../src/contracts/device.ts';

/** How one sequence number relates to the ones before it. */
export type SequenceVerdict =
  | { kind: 'first' }
  | { kind: 'next' }
  | { kind: 'gap'; after: number; missing: number }
  | { kind: 'duplicate' }
  | { kind: 'restart'; after: number };

/** Sequence numbers remembered for duplicate detection. */
const RECENT = 256;

/**
 * Sequence tracking: a forward jump is a gap (recorded with its size), a
 * number seen among the last 256 is a duplicate, any other jump backwards
 * (or more than 2^31 forward) is a device restart. Sequence numbers wrap at
 * 2^32.
 */
export class SequenceTracker {
  private last: number | null = null;
  private lastStamp = NaN;
  /** Recently seen sequence numbers → their device time stamp (µs; NaN when not given). */
  private readonly recent = new Map<number, number>();
  private readonly order: number[] = [];
  gaps = 0;
  missing = 0;
  resets = 0;
  duplicates = 0;

  /**
   * Classifies `seq` and remembers it (a duplicate changes nothing but its
   * counter). With the frame's device time `stampUs`, a recent number is a
   * duplicate only with the same stamp (a device that restarted unannounced
   * numbers from 0 again, with an earlier time). `restartExpected` (the device
   * announced a boot, after which its numbering restarts at 0:
   * docs/protocol.md) makes the number a restart unless both the number and
   * the device time moved forward.
   */
  observe(seq: number, opts: { restartExpected?: boolean; stampUs?: number } = {}): SequenceVerdict {
    const s = seq >>> 0;
    const prev = this.last;
    const seen = this.recent.get(s);
    const stamp = opts.stampUs ?? NaN;
    if (prev !== null && !opts.restartExpected && seen !== undefined && (Number.isNaN(stamp) || Object.is(seen, stamp))) {
      this.duplicates++;
      return { kind: 'duplicate' };
    }
    const forward = prev !== null && ((s - prev - 1) >>> 0) < 0x80000000;
    const continued = forward && (Number.isNaN(stamp) || Number.isNaN(this.lastStamp) || stamp >= this.lastStamp);
    const restart = prev !== null && (!forward || (!!opts.restartExpected && !continued));
    this.last = s;
    this.lastStamp = stamp;
    if (prev === null || restart) {
      this.recent.clear();
      this.order.length = 0;
    }
    this.remember(s, stamp);
    if (prev === null) return { kind: 'first' };
    if (restart) {
      this.resets++;
      return { kind: 'restart', after: prev };
    }
    const dist = (s - prev - 1) >>> 0;
    if (dist === 0) return { kind: 'next' };
    this.gaps++;
    this.missing += dist;
    return { kind: 'gap', after: prev, missing: dist };
  }

  /** Returns the gap this frame revealed, if any (duplicates and restarts reveal none). */
  see(seq: number, atMs: number): SequenceGap | null {
    const v = this.observe(seq);
    return v.kind === 'gap' ? { after: v.after, missing: v.missing, atMs } : null;
  }

  /** The last sequence number seen (null after a restart or before the first frame). */
  get lastSeq(): number | null {
    return this.last;
  }

  /**
   * The device says it numbered frames up to `seq` (frames never seen): the
   * next one expected is seq + 1. Their device times are unknown, so the last
   * stamp stays.
   */
  advance(seq: number): void {
    this.last = seq >>> 0;
  }

  /** Forget the last sequence number (the device may have restarted). */
  forget(): void {
    this.last = null;
    this.lastStamp = NaN;
    this.recent.clear();
    this.order.length = 0;
  }

  private remember(s: number, stamp: number): void {
    this.recent.delete(s);
    this.recent.set(s, stamp);
    this.order.push(s);
    if (this.order.length > RECENT) this.recent.delete(this.order.shift()!);
  }
}
