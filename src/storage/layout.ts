import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * Where a run lives (docs/runs.md):
 *
 *     <dataDir>/runs/<runId>/documents.jsonl, frames-000001.jsonl, …,
 *                            calibration-000001.jsonl, checkpoint.json, lock
 */
export const DEFAULT_DATA_DIR = './holoring-data';
export const DOCUMENTS_FILE = 'documents.jsonl';
export const CHECKPOINT_FILE = 'checkpoint.json';
export const LOCK_FILE = 'lock';
/** Frame segments rotate at this size unless storage.segmentBytes says otherwise (256 MiB). */
export const DEFAULT_SEGMENT_BYTES = 256 * 1024 * 1024;

/** `frames`: acquisition frames; `calibration`: frames taken by the start-up calibration. */
export type SegmentKind = 'frames' | 'calibration';

/** A run id: UTC time to the second, then 4 random hex digits — `20261129T153012Z-7f3a`; ids sort by start time. */
export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{4}$/;

/** Makes a run id for a run started at `at` (`random` is injected for tests: 2 bytes). */
export function makeRunId(at: Date, random: () => Buffer = () => randomBytes(2)): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${random().subarray(0, 2).toString('hex').padStart(4, '0')}`;
}

/**
 * The data directory: the `--data-dir` flag, else config `storage.dir`, else env
 * `HOLORING_DATA_DIR`, else `./holoring-data`.
 */
export function resolveDataDir(flag?: string, configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? configured ?? (env.HOLORING_DATA_DIR || DEFAULT_DATA_DIR);
}

export const runsDir = (dataDir: string): string => join(dataDir, 'runs');
export const runDir = (dataDir: string, runId: string): string => join(runsDir(dataDir), runId);

/** File name of segment `index` (1-based) of a kind: `frames-000001.jsonl`. */
export function segmentName(kind: SegmentKind, index: number): string {
  return `${kind}-${String(index).padStart(6, '0')}.jsonl`;
}

const SEGMENT_RE = /^(frames|calibration)-(\d{6,})\.jsonl$/;

/** Kind and index of a segment file name, or null when it is not one. */
export function parseSegmentName(name: string): { kind: SegmentKind; index: number } | null {
  const m = SEGMENT_RE.exec(name);
  return m ? { kind: m[1] as SegmentKind, index: Number(m[2]) } : null;
}
