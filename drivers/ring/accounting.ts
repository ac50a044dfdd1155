import type { FrameAccount, GapCause, MissingCause, SequenceGap } from '../../src/contracts/device.ts';
import { SequenceTracker } from './sequence.ts';

/**
 * The exact account of a serial device's frames (contracts/device.ts
 * FrameAccount): each data frame is accepted once, or refused as a duplicate;
 * each hole in the numbering is a gap with its cause — frames rejected as
 * damaged inside it count as `rejected`, the rest as `reconnect` when the link
 * was down in between, else `sequence`; after the device announced a boot its
 * numbering restarts at 0 (docs/protocol.md), and the frames of the new
 * numbering before the first one received are `device-restart`. The sequence
 * history survives a reconnect, so frames sent while the port was closed are
 * never silently lost.
 */
export class FrameAccounting {
  private readonly seq = new SequenceTracker();
  private received = 0;
  private firstSeq: number | null = null;
  private readonly missing: Partial<Record<MissingCause, number>> = {};
  private rejectedSince = 0;
  private downSinceMs: number | null = null;
  private bootAnnounced = false;
  private gapCount = 0;

  /** The link went away (unplug, watchdog, reboot); the next gap spans the outage. */
  linkDown(atMs: number): void {
    this.downSinceMs ??= atMs;
  }

  /** The device announced a (re)boot: its numbering restarts at 0. */
  boot(): void {
    this.bootAnnounced = true;
  }

  /** A frame arrived damaged and was rejected (its number is unknown). */
  reject(): void {
    this.rejectedSince++;
  }

  /**
   * Accounts a data frame with sequence number `seq` and device time
   * `deviceTimeUs` seen at host time `atMs`.
   * Returns whether to pass it on (false for a duplicate) and the gap it revealed.
   */
  frame(seq: number, atMs: number, deviceTimeUs?: number): { accept: boolean; gap: SequenceGap | null } {
    const v = this.seq.observe(seq, { restartExpected: this.bootAnnounced, ...(deviceTimeUs !== undefined ? { stampUs: deviceTimeUs } : {}) });
    if (v.kind === 'duplicate') return { accept: false, gap: null };
    const s = seq >>> 0;
    const downSinceMs = this.downSinceMs;
    const rejected = this.rejectedSince;
    this.bootAnnounced = false;
    this.downSinceMs = null;
    this.rejectedSince = 0;
    this.received++;
    this.firstSeq ??= s;
    if (v.kind === 'first' || v.kind === 'next') return { accept: true, gap: null };
    // a restart: the new numbering began at 0, so frames 0 … seq−1 were sent before the first one received
    const lost = v.kind === 'gap' ? v.missing : s;
    const cause: GapCause = v.kind === 'restart' ? 'device-restart' : downSinceMs !== null ? 'reconnect' : 'sequence';
    const r = Math.min(rejected, lost);
    this.add('rejected', r);
    this.add(cause, lost - r);
    const from = lost === 0 ? null : v.kind === 'gap' ? (v.after + 1) >>> 0 : 0;
    const gap: SequenceGap = {
      after: v.after, missing: lost, atMs, cause, from, to: lost === 0 ? null : (s - 1) >>> 0, rejected: r,
      ...(downSinceMs !== null ? { downSinceMs } : {}),
    };
    this.gapCount++;
    return { accept: true, gap };
  }

  /**
   * The device stopped streaming and named `lastSeq`, the last frame it
   * numbered (the `STRM OFF` reply, protocol 1.1). Frames after the last one
   * received are missing: those that arrived damaged meanwhile as `rejected`,
   * the rest as `reconnect` (the link was down since) or `stop` (in flight when
   * the host stopped listening). Returns the gap, or null when nothing is
   * missing or the numbering cannot be compared (no frame of the current
   * numbering received yet, or `lastSeq` behind the last one received).
   */
  stopped(lastSeq: number, atMs: number): SequenceGap | null {
    const last = this.seq.lastSeq;
    if (last === null || this.bootAnnounced) return null;
    const s = lastSeq >>> 0;
    const lost = (s - last) >>> 0;
    if (lost === 0 || lost >= 0x80000000) return null;
    const downSinceMs = this.downSinceMs;
    const cause: GapCause = downSinceMs !== null ? 'reconnect' : 'stop';
    const r = Math.min(this.rejectedSince, lost);
    this.rejectedSince = 0;
    this.downSinceMs = null;
    this.seq.advance(s);
    this.add('rejected', r);
    this.add(cause, lost - r);
    this.gapCount++;
    return {
      after: last, missing: lost, atMs, cause, from: (last + 1) >>> 0, to: s, rejected: r,
      ...(downSinceMs !== null ? { downSinceMs } : {}),
    };
  }

  /** Frames counted so far (a copy). */
  account(): FrameAccount {
    return {
      received: this.received,
      missing: { ...this.missing },
      duplicates: this.seq.duplicates,
      firstSeq: this.firstSeq,
      lastSeq: this.seq.lastSeq,
      restarts: this.seq.resets,
    };
  }

  /** Gap records given out (holes in the numbering and restarts). */
  get gaps(): number {
    return this.gapCount;
  }

  get missingTotal(): number {
    return Object.values(this.missing).reduce((a, b) => a + (b ?? 0), 0);
  }

  get restarts(): number {
    return this.seq.resets;
  }

  get lastSeq(): number | null {
    return this.seq.lastSeq;
  }

  private add(cause: MissingCause, n: number): void {
    if (n > 0) this.missing[cause] = (this.missing[cause] ?? 0) + n;
  }
}
