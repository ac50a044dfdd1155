import { FRAME_START, LINE_END, MAX_LINE_BYTES, RingErrors, type RejectKind } from './protocol.ts';

/**
 * Framing: bytes in, frame lines out. A frame runs from the start marker `$`
 * to the next `\n`. Partial frames are kept across chunks (bounded by
 * `maxBytes`); bytes outside frames, frames interrupted by a new `$`, and
 * over-long lines are reported as rejects, and the framer resynchronises at
 * the next `$`. Pure: no I/O, no clock.
 */
export interface FramerHandlers {
  /** A complete frame line: bytes[start, end) is everything after `$`, without the line end. */
  line(bytes: Buffer, start: number, end: number): void;
  reject(kind: RejectKind): void;
}

const CR = 0x0d;

export class Framer {
  private inFrame = false;
  /** After an over-long line: skip until a line end or a frame start. */
  private discarding = false;
  /** Inside a run of garbage bytes (counted once per run). */
  private inGarbage = false;
  private partial: Buffer[] = [];
  private partialLen = 0;

  constructor(
    private readonly handlers: FramerHandlers,
    private readonly maxBytes: number = MAX_LINE_BYTES,
  ) {}

  /** Feeds one chunk of received bytes. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      if (this.discarding) {
        const nl = chunk.indexOf(LINE_END, pos);
        const st = chunk.indexOf(FRAME_START, pos);
        if (st >= 0 && (nl < 0 || st < nl)) {
          this.discarding = false;
          this.beginFrame();
          pos = st + 1;
        } else if (nl >= 0) {
          this.discarding = false;
          pos = nl + 1;
        } else pos = n;
        continue;
      }
      if (!this.inFrame) {
        const st = chunk.indexOf(FRAME_START, pos);
        const end = st < 0 ? n : st;
        for (let i = pos; i < end; i++) {
          const b = chunk[i];
          if (b === LINE_END || b === CR) this.inGarbage = false;
          else if (!this.inGarbage) {
            this.inGarbage = true;
            this.handlers.reject(RingErrors.GARBAGE);
          }
        }
        if (st < 0) return;
        this.inGarbage = false;
        this.beginFrame();
        pos = st + 1;
        continue;
      }
      // inside a frame: it ends at the next line end, unless a new frame starts first
      const nl = chunk.indexOf(LINE_END, pos);
      const limit = nl < 0 ? n : nl;
      const st = chunk.indexOf(FRAME_START, pos);
      if (st >= 0 && st < limit) {
        this.handlers.reject(this.partialLen + (st - pos) > this.maxBytes ? RingErrors.TOO_LONG : RingErrors.TRUNCATED);
        this.beginFrame();
        pos = st + 1;
        continue;
      }
      if (nl < 0) {
        this.partialLen += n - pos;
        if (this.partialLen > this.maxBytes) {
          this.handlers.reject(RingErrors.TOO_LONG);
          this.inFrame = false;
          this.partial = [];
          this.partialLen = 0;
          this.discarding = true;
        } else this.partial.push(chunk.subarray(pos));
        return;
      }
      let end = nl;
      const total = this.partialLen + (nl - pos);
      this.inFrame = false;
      if (total > this.maxBytes) {
        this.partial = [];
        this.partialLen = 0;
        this.handlers.reject(RingErrors.TOO_LONG);
      } else if (this.partialLen === 0) {
        if (end > pos && chunk[end - 1] === CR) end--;
        this.handlers.line(chunk, pos, end);
      } else {
        this.partial.push(chunk.subarray(pos, nl));
        const whole = Buffer.concat(this.partial, total);
        this.partial = [];
        this.partialLen = 0;
        let wend = whole.length;
        if (wend > 0 && whole[wend - 1] === CR) wend--;
        this.handlers.line(whole, 0, wend);
      }
      pos = nl + 1;
    }
  }

  /** Bytes of an unfinished frame held across chunks. */
  get pendingBytes(): number {
    return this.partialLen;
  }

  /** Drops any partial frame (e.g. when the link is reopened). */
  reset(): void {
    this.inFrame = false;
    this.discarding = false;
    this.inGarbage = false;
    this.partial = [];
    this.partialLen = 0;
  }

  private beginFrame(): void {
    this.inFrame = true;
    this.partial = [];
    this.partialLen = 0;
  }
}
