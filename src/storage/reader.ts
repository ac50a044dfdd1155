import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceIdentity } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import { HoloringError } from '../errors.ts';
import { parseFrameLine, parseFramesHeader, parseLastLine } from '../io/framesFile.ts';
import { readTextFile } from '../io/readText.ts';
import { type RunDocument, runDocumentSchema } from './documents.ts';
import { DOCUMENTS_FILE, RUN_ID_PATTERN, type SegmentKind, parseSegmentName, runDir, runsDir } from './layout.ts';
import { lockHeld, readLock } from './lock.ts';

/**
 * Reading a run directory (docs/runs.md) — for `holoring runs`, resume, and the
 * sinks that project the run elsewhere (InfluxDB). Reading never changes a run;
 * a run being written can be read while it grows (only complete lines are
 * returned, with the byte position to continue from).
 */
export const RUN_READ_ERROR = 'RING_ERR_RUN_READ';

export type RunState = 'running' | 'stopped' | 'interrupted';

/** Run ids under `<dataDir>/runs`, oldest first (ids sort by start time). */
export function listRunIds(dataDir: string): string[] {
  const dir = runsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => RUN_ID_PATTERN.test(n)).sort();
}

export interface RunDocuments {
  documents: RunDocument[];
  /** Bytes of a cut-short last line that was left out (0 when none). */
  tornBytes: number;
}

/**
 * The documents of a run, in order. A last line cut short (crash mid-write) is
 * left out and reported; any other bad line is refused naming it.
 */
export function readDocuments(dataDir: string, runId: string): RunDocuments {
  const path = join(runDir(dataDir, runId), DOCUMENTS_FILE);
  if (!existsSync(path)) return { documents: [], tornBytes: 0 };
  const text = readTextFile(path, RUN_READ_ERROR, 'run documents');
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const documents: RunDocument[] = [];
  let tornBytes = 0;
  const parse = (line: string, n: number, last: boolean): void => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      if (last) {
        tornBytes = Buffer.byteLength(line);
        return;
      }
      throw new HoloringError(RUN_READ_ERROR, `${path}:${n}: not valid JSON (${(e as Error).message})`, { path, line: n });
    }
    const r = runDocumentSchema.safeParse(v);
    if (!r.success) {
      if (last) {
        tornBytes = Buffer.byteLength(line);
        return;
      }
      const i = r.error.issues[0];
      throw new HoloringError(RUN_READ_ERROR, `${path}:${n}: not a run document: ${i.path.join('.') || '(top level)'}: ${i.message}`, { path, line: n });
    }
    documents.push(r.data);
  };
  lines.forEach((l, i) => {
    if (l.trim() !== '') parse(l, i + 1, false);
  });
  if (tail.trim() !== '') parse(tail, lines.length + 1, true);
  return { documents, tornBytes };
}

/**
 * State of a run: 'stopped' (it has a stop document), 'running' (a live daemon
 * holds its lock) or 'interrupted' (neither: killed, crashed, power lost).
 */
export function runState(dataDir: string, runId: string, documents?: RunDocument[]): RunState {
  const docs = documents ?? readDocuments(dataDir, runId).documents;
  const dir = runDir(dataDir, runId);
  if (lockHeld(readLock(dir))) return 'running';
  let lastStart = -1, lastStop = -1;
  docs.forEach((d, i) => {
    if (d.type === 'start' || d.type === 'resume') lastStart = i;
    if (d.type === 'stop') lastStop = i;
  });
  return lastStop > lastStart ? 'stopped' : 'interrupted';
}

export interface SegmentInfo {
  kind: SegmentKind;
  /** 1-based, in write order. */
  index: number;
  path: string;
  /** Size now (a segment being written grows). */
  bytes: number;
}

/** The frame segments of a run, in write order (one kind, or both: calibration first, then frames). */
export function listSegments(dataDir: string, runId: string, kind?: SegmentKind): SegmentInfo[] {
  const dir = runDir(dataDir, runId);
  if (!existsSync(dir)) return [];
  const out: SegmentInfo[] = [];
  for (const name of readdirSync(dir)) {
    const s = parseSegmentName(name);
    if (!s || (kind && s.kind !== kind)) continue;
    const path = join(dir, name);
    out.push({ ...s, path, bytes: statSync(path).size });
  }
  return out.sort((a, b) => (a.kind === b.kind ? a.index - b.index : a.kind === 'calibration' ? -1 : 1));
}

export interface SegmentFrame {
  frame: RingFrame;
  /** Byte position of the line's start, and just after its newline (where to continue). */
  offset: number;
  end: number;
}

export interface SegmentChunk {
  /** The segment's device (when reading from position 0, which holds the header). */
  device: DeviceIdentity | null;
  frames: SegmentFrame[];
  /** Byte position after the last complete line read: pass it back to continue. */
  nextOffset: number;
  /**
   * Bytes after `nextOffset` that do not end in a newline yet: a line being
   * written, or — in a segment no longer written — a torn last line.
   */
  partialBytes: number;
  /** Segment size when read. */
  size: number;
}

/**
 * Complete frame lines of a segment from byte position `from` (0: start, header
 * included), at most about `maxBytes` of them (default 8 MiB; at least one line).
 * A line that is not a frame is refused naming `path:byte`.
 */
export function readSegment(path: string, from = 0, opts: { maxBytes?: number } = {}): SegmentChunk {
  const maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new HoloringError(RUN_READ_ERROR, `cannot read frame segment ${path}: ${(e as Error).message}`, { path });
  }
  try {
    const size = statSync(path).size;
    let want = Math.min(maxBytes, Math.max(0, size - from));
    let buf = Buffer.alloc(0);
    let cut = -1;
    // read on until at least one whole line is in hand (a line longer than maxBytes)
    for (;;) {
      const chunk = Buffer.alloc(want);
      const n = readSync(fd, chunk, 0, want, from + buf.length);
      buf = Buffer.concat([buf, chunk.subarray(0, n)]);
      cut = buf.lastIndexOf(0x0a);
      if (cut >= 0 || n < want || from + buf.length >= size) break;
      want = Math.min(maxBytes, size - from - buf.length);
    }
    const complete = cut >= 0 ? buf.subarray(0, cut + 1) : Buffer.alloc(0);
    const frames: SegmentFrame[] = [];
    let device: DeviceIdentity | null = null;
    let pos = 0;
    while (pos < complete.length) {
      const nl = complete.indexOf(0x0a, pos);
      const line = complete.subarray(pos, nl).toString('utf8');
      const offset = from + pos;
      if (offset === 0) device = parseFramesHeader(line, path);
      else if (line.trim() !== '') frames.push({ frame: parseFrameLine(line, `${path} (byte ${offset})`), offset, end: from + nl + 1 });
      pos = nl + 1;
    }
    return { device, frames, nextOffset: from + complete.length, partialBytes: size - from - complete.length, size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Every frame of one kind in a run, in order, segment by segment (bounded
 * memory); the segments can be narrowed with `which`. `tornTails` (path → bytes)
 * is filled as segments with a torn last line are passed.
 */
export function* iterateRunFrames(
  dataDir: string, runId: string, kind: SegmentKind = 'frames', which: (s: SegmentInfo) => boolean = () => true, tornTails: Record<string, number> = {},
): Generator<RingFrame> {
  for (const f of iterateSegmentFrames(listSegments(dataDir, runId, kind).filter(which), tornTails)) yield f.frame;
}

/** Bytes of a segment parsed at a time by iterateSegmentFrames (about 80 frames of 64 sites). */
const READ_AHEAD_BYTES = 256 * 1024;

/**
 * Every frame of `segments`, in order, each with the bytes read so far (over
 * all of them: the segments' sizes add up to the total, for progress).
 */
export function* iterateSegmentFrames(segments: readonly SegmentInfo[], tornTails: Record<string, number> = {}): Generator<{ frame: RingFrame; bytesRead: number }> {
  let before = 0;
  for (const seg of segments) {
    let pos = 0;
    for (;;) {
      // a few hundred kB at a time: a consumer that hands the event loop back between frames is not held up by parsing megabytes
      const c = readSegment(seg.path, pos, { maxBytes: READ_AHEAD_BYTES });
      for (const f of c.frames) yield { frame: f.frame, bytesRead: before + f.end };
      if (c.nextOffset === pos || c.nextOffset >= c.size) {
        if (c.partialBytes > 0) {
          // a finished segment's last line without its newline: a frame when complete, else torn
          const last = parseLastLine(readBytes(seg.path, c.nextOffset, c.partialBytes));
          if (last) yield { frame: last, bytesRead: before + c.size };
          else tornTails[seg.path] = c.partialBytes;
        }
        break;
      }
      pos = c.nextOffset;
    }
    before += seg.bytes;
  }
}

/** Every frame of one kind in a run, in order, with the torn tails found (path → bytes). */
export function readRunFrames(dataDir: string, runId: string, kind: SegmentKind = 'frames'): { frames: RingFrame[]; tornTails: Record<string, number> } {
  const tornTails: Record<string, number> = {};
  const frames = [...iterateRunFrames(dataDir, runId, kind, () => true, tornTails)];
  return { frames, tornTails };
}

/** `length` bytes of a file from byte `from` (fewer at its end), as UTF-8. */
export function readBytes(path: string, from: number, length: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, from);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
