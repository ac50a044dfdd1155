import type { SequenceGap } from '../../src/contracts/device.ts';

/**
 * Sequence tracking: a forward jump is a gap (recorded with its size), a jump
 * backwards (or more than 2^31 forward) is a device restart. Sequence numbers
 * wrap at 2^32.
 */
export class SequenceTracker {
  private last: number | null = null;
  gaps = 0;
  missing = 0;
  resets = 0;

  /** Returns the gap this frame revealed, if any. */
  see(seq: number, atMs: number): SequenceGap | null {
    const prev = this.last;
    this.last = seq >>> 0;
    if (prev === null) return null;
    const dist = (seq - prev - 1) >>> 0;
    if (dist === 0) return null;
    if (dist >= 0x80000000) {
      this.resets++;
      return null;
    }
    this.gaps++;
    this.missing += dist;
    return { after: prev, missing: dist, atMs };
  }

  /** The last sequence number seen (null after a restart or before the first frame). */
  get lastSeq(): number | null {
    return this.last;
  }

  /** Forget the last sequence number (the device may have restarted). */
  forget(): void {
    this.last = null;
  }
}
