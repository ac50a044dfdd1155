import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type SegmentKind, parseSegmentName } from '../layout.ts';

/**
 * Incremental reading of a run directory's JSON Lines files (docs/runs.md):
 * whole lines from a byte offset, a bounded number at a time, never past the
 * last newline (the writer may be mid-line).
 */
export interface SegmentFile {
  name: string;
  kind: SegmentKind;
  index: number;
}

/**
 * The run's frame segments in acquisition order: by segment number, a
 * calibration segment before the frames segment of the same number.
 */
export async function listSegments(runDir: string): Promise<SegmentFile[]> {
  const names = await readdir(runDir).catch(() => [] as string[]);
  const out: SegmentFile[] = [];
  for (const name of names) {
    const seg = parseSegmentName(name);
    if (seg) out.push({ name, ...seg });
  }
  return out.sort((a, b) => a.index - b.index || (a.kind === b.kind ? 0 : a.kind === 'calibration' ? -1 : 1));
}

export interface LineChunk {
  /** Complete lines (without their newline), with the byte offset at which each starts. */
  lines: { text: string; offset: number }[];
  /** Offset just past the last complete line read. */
  end: number;
  /** Bytes after `end` in the file that do not (yet) end with a newline, when the file was read to its end. */
  partialBytes: number;
  /** True when every complete line of the file up to its current size has been read. */
  atEnd: boolean;
}

/** Size of a file in bytes (0 when it does not exist). */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Reads at most `maxLines` complete lines of `path` starting at byte `offset`,
 * in blocks of `blockBytes` (memory stays bounded by maxLines × line length).
 */
export async function readLines(path: string, offset: number, maxLines: number, blockBytes = 1 << 20): Promise<LineChunk> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const lines: LineChunk['lines'] = [];
    let pos = offset;
    let pending: Buffer = Buffer.alloc(0);
    let pendingStart = offset;
    while (lines.length < maxLines && pos < size) {
      const n = Math.min(blockBytes, size - pos);
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await fh.read(buf, 0, n, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      pending = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let start = 0;
      for (let nl = pending.indexOf(10, start); nl >= 0 && lines.length < maxLines; nl = pending.indexOf(10, start)) {
        lines.push({ text: pending.toString('utf8', start, nl), offset: pendingStart + start });
        start = nl + 1;
      }
      pending = pending.subarray(start);
      pendingStart += start;
    }
    const end = pendingStart;
    const atEnd = lines.length < maxLines || end >= size;
    return { lines, end, partialBytes: atEnd ? size - end : 0, atEnd };
  } finally {
    await fh.close();
  }
}

/** Joins a run directory and a file name. */
export const runFile = (runDir: string, name: string): string => join(runDir, name);
