import { closeSync, existsSync, openSync, readSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FitDoc, RunDocument, StartDoc } from './documents.ts';
import { fitDataBytes } from './fitData.ts';
import { CHECKPOINT_FILE, DOCUMENTS_FILE, runDir } from './layout.ts';
import { type RunState, listSegments, readDocuments, runState } from './reader.ts';

/**
 * What `holoring runs show` says about a run, from its files alone: the start
 * document, the frame accounting over all its sessions, gaps, calibration, the
 * last fit, duration, and where the InfluxDB sink stands.
 */
export interface RunSummary {
  id: string;
  state: RunState;
  dir: string;
  start: Omit<StartDoc, 'config' | 'type' | 'run'> | null;
  /**
   * Over every session of the run: `journaled` is counted in the files;
   * `received`, `skipped` and `duplicates` are summed over the stop documents
   * (a session that was interrupted adds its journaled frames as received);
   * `missing` sums the gap documents by cause.
   */
  frames: {
    received: number; journaled: number; calibration: number; missing: Record<string, number>; duplicates: number; skipped: Record<string, number>;
    /**
     * Sequence numbers (the device's numbering) of the run's first and last frame received, from the
     * stop documents (null: none received, or the last session has no stop document yet).
     */
    firstSeq: number | null; lastSeq: number | null;
  };
  gaps: Record<string, number>;
  sessions: number;
  resumes: number;
  fits: number;
  /** The last fit; `delta`, `delta_err` when it estimated Δ (physics.delta "auto"). */
  lastFit: { chi2: number; round: number; points: number; sweep: number; time: string; delta?: number; delta_err?: number } | null;
  calibrationVersion: string | null;
  /** First to last record, ms (downtime included). */
  durationMs: number;
  segments: number;
  /** Bytes of the frame segments. */
  bytes: number;
  /** Bytes of documents.jsonl and of fits.jsonl (each fit's metric and table), which storage.maxBytes counts beside the segments. */
  documentBytes: number;
  fitDataBytes: number;
  /** Torn last lines in the documents file (bytes; 0 when none). */
  tornBytes: number;
  checkpoint: boolean;
  /** The InfluxDB sink's cursor (influx.cursor.json) when there is one: what it wrote, per measurement. */
  influx: { written: Record<string, number>; rejected: number } | null;
}

/** Complete lines in a file (its newlines), read in 1 MiB blocks. */
function countLines(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let n = 0, pos = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      if (got <= 0) return n;
      for (let i = 0; i < got; i++) if (buf[i] === 0x0a) n++;
      pos += got;
    }
  } finally {
    closeSync(fd);
  }
}

const sizeOf = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

const add = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/** The last fit document of a run, or null. */
export function lastFit(documents: RunDocument[]): FitDoc | null {
  for (let i = documents.length - 1; i >= 0; i--) {
    const d = documents[i];
    if (d.type === 'fit') return d;
  }
  return null;
}

export function summariseRun(dataDir: string, id: string): RunSummary {
  const dir = runDir(dataDir, id);
  const { documents, tornBytes } = readDocuments(dataDir, id);
  const start = documents.find((d): d is StartDoc => d.type === 'start') ?? null;
  const segs = listSegments(dataDir, id);
  const journaledBy = { frames: 0, calibration: 0 };
  for (const s of segs) journaledBy[s.kind] += Math.max(0, countLines(s.path) - 1);
  const frames: RunSummary['frames'] = {
    received: 0, journaled: journaledBy.frames + journaledBy.calibration, calibration: journaledBy.calibration, missing: {}, duplicates: 0, skipped: {}, firstSeq: null, lastSeq: null,
  };
  const gaps: Record<string, number> = {};
  let stoppedJournaled = 0, sessions = 0, resumes = 0, fits = 0;
  for (const d of documents) {
    if (d.type === 'start' || d.type === 'resume') sessions++;
    if (d.type === 'resume') resumes++;
    if (d.type === 'fit') fits++;
    if (d.type === 'gap') {
      gaps[d.cause] = (gaps[d.cause] ?? 0) + 1;
      if (d.missing !== null) {
        // frames of the gap that arrived damaged are missing as `rejected`, as in the stop document
        const rejected = Math.min(d.rejected ?? 0, d.missing);
        add(frames.missing, { [d.cause]: d.missing - rejected, ...(rejected > 0 ? { rejected } : {}) });
        if (frames.missing[d.cause] === 0) delete frames.missing[d.cause];
      }
    }
    if (d.type === 'stop') {
      frames.received += d.frames.received;
      frames.duplicates += d.frames.duplicates;
      stoppedJournaled += d.frames.journaled;
      if (d.frames.firstSeq !== undefined && d.frames.firstSeq !== null) frames.firstSeq ??= d.frames.firstSeq;
      if (d.frames.lastSeq !== undefined && d.frames.lastSeq !== null) frames.lastSeq = d.frames.lastSeq;
      add(frames.skipped, d.frames.skipped);
      // frames still waiting for the disk at stop have no gap document
      frames.missing.journal = Math.max(frames.missing.journal ?? 0, d.frames.missing.journal ?? 0);
      if (frames.missing.journal === 0) delete frames.missing.journal;
    }
  }
  frames.received += Math.max(0, frames.journaled - stoppedJournaled);
  // a last session without its stop document (interrupted, or running): its last seq is not recorded yet
  const lastOf = (types: string[]): number => documents.reduce((at, d, i) => (types.includes(d.type) ? i : at), -1);
  if (lastOf(['start', 'resume']) > lastOf(['stop'])) frames.lastSeq = null;
  const fit = lastFit(documents);
  const times = documents.map((d) => Date.parse(d.time));
  let influx: RunSummary['influx'] = null;
  const cursorPath = join(dir, 'influx.cursor.json');
  if (existsSync(cursorPath)) {
    try {
      const c = JSON.parse(readFileSync(cursorPath, 'utf8')) as { written?: Record<string, number>; rejected?: number };
      influx = { written: c.written ?? {}, rejected: c.rejected ?? 0 };
    } catch {
      influx = null;
    }
  }
  const { config: _config, type: _type, run: _run, ...startInfo } = start ?? ({} as StartDoc);
  return {
    id, state: runState(dataDir, id, documents), dir,
    start: start ? startInfo : null,
    frames, gaps, sessions, resumes, fits,
    lastFit: fit && { chi2: fit.chi2, round: fit.round, points: fit.points, sweep: fit.sweep, time: fit.time, ...(fit.delta_err !== undefined ? { delta: fit.delta, delta_err: fit.delta_err } : {}) },
    calibrationVersion: start?.calibrationVersion ?? null,
    durationMs: times.length > 1 ? Math.max(...times) - Math.min(...times) : 0,
    segments: segs.length,
    bytes: segs.reduce((a, s) => a + s.bytes, 0),
    documentBytes: sizeOf(join(dir, DOCUMENTS_FILE)),
    fitDataBytes: fitDataBytes(dir),
    tornBytes,
    checkpoint: existsSync(join(dir, CHECKPOINT_FILE)),
    influx,
  };
}
