import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceIdentity } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import { frameToJson, framesFileHeader } from '../io/framesFile.ts';
import { DEFAULT_SEGMENT_BYTES, parseSegmentName, type SegmentKind, segmentName } from './layout.ts';
import { LineAppender, type LineAppenderOptions } from './lineAppender.ts';

/**
 * The journal: every raw frame as the device delivered it, appended to the run's
 * frame segments (frames-file format, src/io/framesFile.ts: a header line, then
 * one frame per line) — the system of record. A new segment starts at every
 * open (start or resume) and when a segment would pass `segmentBytes`.
 *
 * A frame is in the file (kernel page cache) when write() returns 'journaled',
 * so a SIGKILL loses none of them; fdatasync runs every `syncMs`. While the disk
 * refuses writes (full, read-only, I/O error) frames wait in memory up to
 * `maxBufferBytes` and are then dropped and counted, with the cause named;
 * journaling resumes by itself when the disk takes writes again.
 */
export interface JournalStats {
  /** The segment being written. */
  path: string;
  kind: SegmentKind;
  /** Segments this journal opened. */
  segments: number;
  /** Frames in the files (complete lines; exact). */
  frames: number;
  /** Frames waiting in memory for the disk. */
  pending: number;
  /** Frames lost: refused beyond the memory bound, or still waiting at close. */
  dropped: number;
  /** Bytes written to the files (headers included). */
  bytes: number;
  syncs: number;
  /** Why the disk refuses writes right now ("disk full", …), or null. */
  error: string | null;
  /** Why frames were last dropped, or null when none were. */
  dropCause: string | null;
}

export interface Journal {
  /** Appends one raw frame: 'journaled' (in the file), 'pending' (waiting for the disk) or 'dropped'. */
  write(frame: RingFrame): 'journaled' | 'pending' | 'dropped';
  stats(): JournalStats;
  /**
   * The next frame starts a new segment with a fresh header (and clock anchor):
   * the device restarted, so its numbering and clock begin again. Postponed
   * while frames wait for the disk (they belong to the current segment).
   */
  rotate(): void;
  /** Flushes what it can, syncs and closes; frames still waiting are counted as dropped. */
  close(): Promise<void>;
}

export interface JournalOptions extends Omit<LineAppenderOptions, 'onWritten' | 'maxPendingBytes'> {
  /** Rotate to a new segment before one would pass this size (bytes; default 256 MiB). */
  segmentBytes?: number;
  /** Memory bound for frames waiting for the disk (bytes; default 64 MiB). */
  maxBufferBytes?: number;
  /** Index of the first segment (default: after the last one of this kind in the directory). */
  firstIndex?: number;
  /**
   * The clock anchor written into each segment header: host time (ms) and device
   * time (µs) of the session's first frame. Asked for at a segment's first frame
   * (the header is written then); a rotated segment carries the same anchor.
   */
  anchor?: (first: RingFrame) => SegmentAnchor;
  /** Called with every frame dropped (refused beyond the bound, or still waiting at close). */
  onDrop?: (stats: JournalStats, frames: { seq: number }[]) => void;
}

export const JOURNAL_DEFAULTS = { maxBufferBytes: 64 * 1024 * 1024, syncMs: 1000, segmentBytes: DEFAULT_SEGMENT_BYTES } as const;

/** Where a session's device clock stands against the host clock (for placing frames in time). */
export interface SegmentAnchor {
  /** Host time (ms since the Unix epoch, may be fractional) at the session's first frame. */
  hostTimeMs: number;
  /** That frame's deviceTimeUs. */
  deviceTimeUs: number;
}

/** Highest segment index of `kind` in a run directory (0 when none). */
export function lastSegmentIndex(dir: string, kind: SegmentKind): number {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const s = parseSegmentName(name);
    if (s && s.kind === kind) max = Math.max(max, s.index);
  }
  return max;
}

/**
 * Opens a journal of `kind` in the run directory `dir` for frames of `identity`,
 * starting a new segment after the last one there.
 */
export function openJournal(dir: string, kind: SegmentKind, identity: DeviceIdentity, opts: JournalOptions = {}): Journal {
  const segmentBytes = opts.segmentBytes ?? JOURNAL_DEFAULTS.segmentBytes;
  let header: string | null = null;
  let index = (opts.firstIndex ?? lastSegmentIndex(dir, kind) + 1) - 1;
  let headed = false;
  let frames = 0, pending = 0, dropped = 0, bytesBefore = 0, syncsBefore = 0, segments = 0, inSegment = 0;
  let dropCause: string | null = null;
  let rotateWanted = false;
  let out!: LineAppender;
  const appenderOpts: LineAppenderOptions = {
    ...opts,
    maxPendingBytes: opts.maxBufferBytes ?? JOURNAL_DEFAULTS.maxBufferBytes,
    onWritten: (tag) => {
      if (tag === 'header') return;
      frames++;
      pending--;
    },
  };
  const open = (): void => {
    index++;
    segments++;
    inSegment = 0;
    headed = false;
    out = new LineAppender(join(dir, segmentName(kind, index)), { ...appenderOpts, exclusive: true });
  };
  const retire = (): { unwritten: unknown[] } => {
    const r = out.close();
    const st = out.stats();
    bytesBefore += st.bytes;
    syncsBefore += st.syncs;
    return r;
  };
  open();
  const stats = (): JournalStats => {
    const st = out.stats();
    return {
      path: out.path, kind, segments, frames, dropped, pending,
      bytes: bytesBefore + st.bytes, syncs: syncsBefore + st.syncs, error: st.error?.cause ?? null, dropCause,
    };
  };
  const countDrops = (lost: { seq: number }[], cause: string): void => {
    if (lost.length === 0) return;
    dropped += lost.length;
    dropCause = cause;
    opts.onDrop?.(stats(), lost);
  };
  return {
    write(frame) {
      const line = frameToJson(frame);
      const st = out.stats();
      if (inSegment > 0 && st.pendingLines === 0 && !st.error && (rotateWanted || st.bytes + line.length + 1 > segmentBytes)) {
        retire();
        open();
      }
      if (rotateWanted && inSegment === 0) {
        rotateWanted = false;
        header = null;
      }
      if (header === null) {
        const anchor = opts.anchor?.(frame);
        header = anchor ? JSON.stringify({ ...(JSON.parse(framesFileHeader(identity)) as object), anchor }) : framesFileHeader(identity);
      }
      // a segment's header goes first (lazily: it carries the anchor of the session's first frame)
      if (!headed) {
        if (out.append(header, 'header') === 'refused') {
          countDrops([frame], out.stats().error?.cause ?? 'write failed');
          return 'dropped';
        }
        headed = true;
      }
      const r = out.append(line, frame.seq);
      inSegment++;
      if (r === 'written') {
        frames++;
        return 'journaled';
      }
      if (r === 'pending') {
        pending++;
        return 'pending';
      }
      inSegment--;
      countDrops([frame], out.stats().error?.cause ?? 'write failed');
      return 'dropped';
    },
    stats,
    rotate: () => {
      rotateWanted = true;
    },
    close: async () => {
      const cause = out.stats().error?.cause ?? 'write failed';
      const { unwritten } = retire();
      pending = 0;
      countDrops(unwritten.filter((t): t is number => typeof t === 'number').map((seq) => ({ seq })), `${cause} at stop`);
    },
  };
}
