import type { FrameSource } from '../../src/contracts/frame.ts';
import { type DeviceMessage, decodeBody } from './codec.ts';
import { crc32, parseHex8 } from './crc.ts';
import { Framer } from './framing.ts';
import { MAX_LINE_BYTES, REJECT_KINDS, RingErrors, type RejectKind } from './protocol.ts';

/**
 * Framing + checksum + codec: received bytes in, typed device messages out.
 * Every rejected piece of input is counted by kind (stable error codes).
 */
export class RingDecoder {
  readonly rejects: Record<RejectKind, number> = Object.fromEntries(REJECT_KINDS.map((k) => [k, 0])) as Record<RejectKind, number>;
  bytes = 0;
  private readonly framer: Framer;

  constructor(
    private readonly onMessage: (m: DeviceMessage) => void,
    private readonly source: FrameSource = 'serial',
    opts: { maxLineBytes?: number; onReject?: (kind: RejectKind) => void } = {},
  ) {
    this.onRejectHook = opts.onReject;
    this.framer = new Framer({ line: (b, s, e) => this.line(b, s, e), reject: (kind) => this.reject(kind) }, opts.maxLineBytes ?? MAX_LINE_BYTES);
  }

  private readonly onRejectHook?: (kind: RejectKind) => void;

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.framer.push(chunk);
  }

  /** Bytes of an unfinished frame held across chunks. */
  get pendingBytes(): number {
    return this.framer.pendingBytes;
  }

  /** Forgets a partial frame (after the link was reopened). */
  reset(): void {
    this.framer.reset();
  }

  private reject(kind: RejectKind): void {
    this.rejects[kind]++;
    this.onRejectHook?.(kind);
  }

  private line(b: Buffer, start: number, end: number): void {
    // trailer: '*' + 8 hex digits
    const star = end - 9;
    if (star < start || b[star] !== 0x2a) return this.reject(RingErrors.TRUNCATED);
    const want = parseHex8(b, star + 1);
    if (want < 0 || crc32(b, start, star) !== want) return this.reject(RingErrors.CHECKSUM);
    const m = decodeBody(b.toString('latin1', start, star), this.source);
    if (!m) return this.reject(RingErrors.MALFORMED);
    this.onMessage(m);
  }
}
