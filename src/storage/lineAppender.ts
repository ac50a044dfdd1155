import type { FileOps } from './fileOps.ts';
import { nodeFileOps, writeCause, type WriteCause } from './fileOps.ts';

/**
 * An append-only file of lines that survives a full or failing disk:
 *
 * - each line is written whole (synchronously, so it is in the kernel before the
 *   caller goes on: a SIGKILL loses nothing already appended); a write that fails
 *   part-way is cut back (ftruncate) so the file never holds a partial line
 *   followed by more data;
 * - fdatasync runs at least every `syncMs` (power loss loses at most that much);
 * - while the disk refuses writes, lines wait in memory up to `maxPendingBytes`,
 *   further lines are refused (the caller counts them as dropped); every
 *   `retryMs` the waiting lines are written again, so appending resumes by
 *   itself when space returns.
 */
export interface AppendStats {
  path: string;
  /** Bytes of complete lines in the file. */
  bytes: number;
  /** Lines in the file. */
  lines: number;
  /** Lines waiting in memory for the disk. */
  pendingLines: number;
  pendingBytes: number;
  syncs: number;
  /** The current write failure (null while writing works). */
  error: { cause: WriteCause; message: string; sinceMs: number } | null;
}

export interface LineAppenderOptions {
  fs?: FileOps;
  /** Longest time between fdatasyncs, ms (default 1000). */
  syncMs?: number;
  /** Time between retries while the disk refuses writes, ms (default 1000). */
  retryMs?: number;
  /** Memory bound for lines waiting for the disk, bytes (default 64 MiB). */
  maxPendingBytes?: number;
  /** Wall clock (ms), injected for tests. */
  now?: () => number;
  /** Called when writing starts failing (once per outage). */
  onError?: (error: NonNullable<AppendStats['error']>) => void;
  /** Called when waiting lines were written after an outage. */
  onRecover?: (info: { outageMs: number; written: number }) => void;
  /** Called after each line the waiting queue wrote (tag given to append). */
  onWritten?: (tag: unknown) => void;
}

export type AppendResult = 'written' | 'pending' | 'refused';

export const APPEND_DEFAULTS = { syncMs: 1000, retryMs: 1000, maxPendingBytes: 64 * 1024 * 1024 } as const;

export class LineAppender {
  readonly path: string;
  private readonly fs: FileOps;
  private readonly fd: number;
  private readonly opts: Required<Pick<LineAppenderOptions, 'syncMs' | 'retryMs' | 'maxPendingBytes' | 'now'>> & LineAppenderOptions;
  private readonly pending: { buf: Buffer; tag: unknown }[] = [];
  private st: AppendStats;
  /** Bytes written since the last sync started. */
  private unsynced = false;
  private syncing = false;
  private lastTry = 0;
  private timer: ReturnType<typeof setInterval> | null;
  private closed = false;
  /** A failed write left partial bytes that the cut-back could not remove yet. */
  private uncut = false;

  /**
   * Opens `path` for appending (flags 'a', or 'ax' with `exclusive` to refuse an
   * existing file); `existingBytes` is the size of the complete lines already in it.
   */
  constructor(path: string, opts: LineAppenderOptions & { exclusive?: boolean; existingBytes?: number } = {}) {
    this.path = path;
    this.fs = opts.fs ?? nodeFileOps;
    this.opts = { ...APPEND_DEFAULTS, now: Date.now, ...opts };
    this.fd = this.fs.openSync(path, opts.exclusive ? 'ax' : 'a');
    this.st = { path, bytes: opts.existingBytes ?? 0, lines: 0, pendingLines: 0, pendingBytes: 0, syncs: 0, error: null };
    const tick = Math.max(1, Math.min(this.opts.syncMs, this.opts.retryMs));
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
  }

  /**
   * Appends one line (without its newline). 'written': it is in the file;
   * 'pending': the disk refused it and it waits in memory; 'refused': the memory
   * bound is reached and the line is not kept (count it as dropped).
   */
  append(line: string, tag?: unknown): AppendResult {
    if (this.closed) return 'refused';
    const buf = Buffer.from(line + '\n');
    if (this.pending.length > 0 || this.st.error) {
      if (this.opts.now() - this.lastTry >= this.opts.retryMs) this.retry();
    }
    if (this.pending.length === 0 && !this.st.error) {
      if (this.writeLine(buf)) return 'written';
    }
    if (this.st.pendingBytes + buf.length > this.opts.maxPendingBytes) return 'refused';
    this.pending.push({ buf, tag });
    this.st.pendingLines++;
    this.st.pendingBytes += buf.length;
    return 'pending';
  }

  /** Writes the waiting lines now; true when none is left waiting. */
  retry(): boolean {
    this.lastTry = this.opts.now();
    const outage = this.st.error;
    let written = 0;
    while (this.pending.length > 0) {
      const p = this.pending[0];
      if (!this.writeLine(p.buf)) return false;
      this.pending.shift();
      this.st.pendingLines--;
      this.st.pendingBytes -= p.buf.length;
      written++;
      this.opts.onWritten?.(p.tag);
    }
    if (outage && this.st.error === outage) this.st.error = null;
    if (outage) this.opts.onRecover?.({ outageMs: this.opts.now() - outage.sinceMs, written });
    return true;
  }

  stats(): AppendStats {
    return { ...this.st, error: this.st.error && { ...this.st.error } };
  }

  /** Syncs now (blocking); false when the disk refused. */
  syncNow(): boolean {
    try {
      this.fs.fdatasyncSync(this.fd);
      this.st.syncs++;
      this.unsynced = false;
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Last try at the waiting lines, a final fdatasync, and close. Returns the lines
   * that could not be written (they are lost; the caller counts them).
   */
  close(): { unwritten: unknown[] } {
    if (this.closed) return { unwritten: [] };
    if (this.pending.length > 0) this.retry();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.syncNow();
    try {
      this.fs.closeSync(this.fd);
    } catch {
      // nothing more can be done for a descriptor that will not close
    }
    const unwritten = this.pending.map((p) => p.tag);
    this.pending.length = 0;
    return { unwritten };
  }

  private tick(): void {
    if (this.pending.length > 0 && this.opts.now() - this.lastTry >= this.opts.retryMs) this.retry();
    if (!this.unsynced || this.syncing || this.closed) return;
    this.syncing = true;
    this.unsynced = false;
    this.fs.fdatasync(this.fd, (e) => {
      this.syncing = false;
      if (e) this.unsynced = true;
      else this.st.syncs++;
    });
  }

  /** Writes one whole line; on failure cuts back any partial bytes and records the cause. */
  private writeLine(buf: Buffer): boolean {
    let off = 0;
    try {
      if (this.uncut) {
        this.fs.ftruncateSync(this.fd, this.st.bytes);
        this.uncut = false;
      }
      while (off < buf.length) {
        const n = this.fs.writeSync(this.fd, buf, off, buf.length - off);
        if (n <= 0) throw Object.assign(new Error('no bytes written'), { code: 'EIO' });
        off += n;
      }
    } catch (e) {
      if (off > 0) {
        try {
          this.fs.ftruncateSync(this.fd, this.st.bytes);
        } catch {
          // cut again before the next write (nothing is appended after a partial line)
          this.uncut = true;
        }
      }
      if (!this.st.error) {
        this.st.error = { cause: writeCause(e), message: (e as Error).message, sinceMs: this.opts.now() };
        this.lastTry = this.opts.now();
        this.opts.onError?.({ ...this.st.error });
      }
      return false;
    }
    this.st.bytes += buf.length;
    this.st.lines++;
    this.unsynced = true;
    return true;
  }
}
