import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClockState } from './clock.ts';
import type { RunTags } from './points.ts';

/**
 * The InfluxDB sink's position in a run (`<run>/influx.cursor.json`): what has
 * been written, as byte offsets into the run's files, with what is needed to
 * continue exactly there (the clock anchor, the run's tags). Saved after every
 * acknowledged write, atomically (temporary file, rename). A cursor that is
 * lost or behind only makes the sink write points again, which overwrite
 * themselves (same series, same timestamp): nothing is duplicated.
 */
export interface InfluxCursor {
  version: 1;
  /** Byte offset in documents.jsonl of the first document not yet written. */
  documents: number;
  /** Current frame segment (null: none yet), the byte offset in it, frames already read from it. */
  segment: string | null;
  offset: number;
  segmentFrames: number;
  /** Anchor read from the current segment's header, if it had one. */
  segmentAnchor: { hostTimeMs: number; deviceTimeUs: number } | null;
  clock: ClockState | null;
  /** Time (ns, decimal string) of the latest start/resume document. */
  sessionStartNs: string | null;
  tags: RunTags | null;
  /** Points acknowledged by the server, per measurement. */
  written: Record<string, number>;
  /** Lines that could not be read (not JSON, not a frame) and torn tails skipped, in bytes. */
  skippedLines: number;
  tornBytes: number;
  /** Points the server refused (HTTP 400: e.g. a field type conflict). */
  rejected: number;
}

export const CURSOR_FILE = 'influx.cursor.json';

export function emptyCursor(): InfluxCursor {
  return {
    version: 1, documents: 0, segment: null, offset: 0, segmentFrames: 0, segmentAnchor: null, clock: null,
    sessionStartNs: null, tags: null, written: {}, skippedLines: 0, tornBytes: 0, rejected: 0,
  };
}

/** Reads the run's cursor; a missing or unreadable one starts from the beginning (re-writes overwrite). */
export async function loadCursor(runDir: string): Promise<{ cursor: InfluxCursor; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(join(runDir, CURSOR_FILE), 'utf8');
  } catch {
    return { cursor: emptyCursor(), problem: null };
  }
  try {
    const c = JSON.parse(text) as InfluxCursor;
    if (c.version !== 1 || typeof c.documents !== 'number' || typeof c.offset !== 'number') throw new Error('unknown cursor version or shape');
    return { cursor: { ...emptyCursor(), ...c }, problem: null };
  } catch (e) {
    return { cursor: emptyCursor(), problem: `${CURSOR_FILE} is unreadable (${(e as Error).message}); writing the run again from its start` };
  }
}

/** Saves the cursor atomically (temporary file, then rename over the old one). */
export async function saveCursor(runDir: string, c: InfluxCursor): Promise<void> {
  const path = join(runDir, CURSOR_FILE);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(c) + '\n');
  await rename(tmp, path);
}
