import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { compactFitData, fitDataBytes } from './fitData.ts';
import { DOCUMENTS_FILE, runDir } from './layout.ts';
import { type SegmentInfo, listRunIds, listSegments, runState } from './reader.ts';
import { CURSOR_FILE } from './influx/cursor.ts';

/** A run whose frame segments were deleted, and its fit history cut to its last fit, by {@link pruneRuns}. */
export interface PrunedRun {
  run: string;
  segments: number;
  /** Bytes freed: the frame segments and the fit history. */
  bytes: number;
  /** Of `bytes`, those of fits.jsonl (every fit's metric and table but the last). */
  fitDataBytes: number;
}

/** A finished run {@link pruneRuns} would have pruned but kept, and why. */
export interface KeptRun {
  run: string;
  bytes: number;
  reason: string;
}

/**
 * storage.maxBytes: the data directory's run records — frame segments, fit data
 * (fits.jsonl) and documents — are bounded by `maxBytes`. When they pass it, the
 * finished runs are pruned until the total fits: their frame segments deleted
 * and their fits.jsonl cut to its last fit (the run's result, which `holoring
 * runs export` gives); stopped runs first, then interrupted ones (which a
 * restart of their device would otherwise continue), oldest first within each.
 * Documents and checkpoints stay (a pruned run is still listed, without
 * frames), so they count but are never deleted. Never the current run or one
 * still running; never a run whose InfluxDB sink has not written all of it yet
 * (its `influx.cursor.json` is behind the segments or, when it has a fit
 * history, behind the documents; or unreadable: what is deleted would be lost
 * to InfluxDB), nor a run whose documents cannot be read.
 * Returns what was pruned, what was kept and why, and the total left (bytes).
 */
export function pruneRuns(dataDir: string, maxBytes: number, currentRun: string): { pruned: PrunedRun[]; kept: KeptRun[]; totalBytes: number } {
  const ids = listRunIds(dataDir);
  const segs = new Map(ids.map((id) => [id, listSegments(dataDir, id)]));
  const fitBytes = (id: string): number => fitDataBytes(runDir(dataDir, id));
  let total = ids.reduce((a, id) => a + sum(segs.get(id)!) + fitBytes(id) + fileBytes(join(runDir(dataDir, id), DOCUMENTS_FILE)), 0);
  const pruned: PrunedRun[] = [];
  const kept: KeptRun[] = [];
  const candidates: { id: string; state: 'stopped' | 'interrupted' }[] = [];
  for (const id of ids) {
    if (id === currentRun || ((segs.get(id) ?? []).length === 0 && fitBytes(id) === 0)) continue;
    let state: string;
    try {
      state = runState(dataDir, id);
    } catch (e) {
      kept.push({ run: id, bytes: sum(segs.get(id)!) + fitBytes(id), reason: `its documents cannot be read (${(e as Error).message})` });
      continue;
    }
    if (state === 'stopped' || state === 'interrupted') candidates.push({ id, state });
  }
  const order = [...candidates.filter((c) => c.state === 'stopped'), ...candidates.filter((c) => c.state === 'interrupted')];
  for (const { id } of order) {
    if (total <= maxBytes) break;
    const mine = segs.get(id)!;
    const pending = pendingInfluxBytes(dataDir, id, mine);
    if (pending !== 0) {
      kept.push({ run: id, bytes: sum(mine) + fitBytes(id), reason: pending === null ? `its ${CURSOR_FILE} cannot be read, so its InfluxDB back-fill may be unfinished` : `its InfluxDB back-fill is unfinished (${pending} bytes of frames and documents not yet written)` });
      continue;
    }
    let bytes = 0;
    for (const s of mine) {
      rmSync(s.path, { force: true });
      bytes += s.bytes;
    }
    const fitDataBytes = compactFitData(runDir(dataDir, id), writeFileAtomic);
    if (bytes + fitDataBytes === 0) continue;
    total -= bytes + fitDataBytes;
    pruned.push({ run: id, segments: mine.length, bytes: bytes + fitDataBytes, fitDataBytes });
  }
  return { pruned, kept, totalBytes: total };
}

const fileBytes = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

const sum = (s: SegmentInfo[]): number => s.reduce((a, x) => a + x.bytes, 0);

/**
 * Bytes of a run its InfluxDB sink has not written: of its frame segments, and of
 * its documents when it has a fit history to cut (a fit not yet projected needs
 * its line of fits.jsonl). 0 when the sink never wrote this run (no cursor:
 * InfluxDB not in use for it), null when the cursor cannot be read. Segments are
 * read by the sink in number order, a calibration segment before the frames
 * segment of the same number.
 */
function pendingInfluxBytes(dataDir: string, id: string, segments: SegmentInfo[]): number | null {
  const dir = runDir(dataDir, id);
  const path = join(dir, CURSOR_FILE);
  if (!existsSync(path)) return 0;
  let cursor: { segment?: unknown; offset?: unknown; documents?: unknown };
  try {
    cursor = JSON.parse(readFileSync(path, 'utf8')) as typeof cursor;
  } catch {
    return null;
  }
  if (typeof cursor.offset !== 'number' || (cursor.segment !== null && typeof cursor.segment !== 'string')) return null;
  const ordered = [...segments].sort((a, b) => a.index - b.index || (a.kind === b.kind ? 0 : a.kind === 'calibration' ? -1 : 1));
  const at = cursor.segment === null ? -1 : ordered.findIndex((s) => basename(s.path) === cursor.segment);
  if (cursor.segment !== null && at < 0 && ordered.length > 0) return null;
  let pending = 0;
  ordered.forEach((s, i) => {
    if (i > at) pending += s.bytes;
    else if (i === at) pending += Math.max(0, s.bytes - (cursor.offset as number));
  });
  if (fitDataBytes(dir) > 0 && typeof cursor.documents === 'number') {
    pending += Math.max(0, fileBytes(join(dir, DOCUMENTS_FILE)) - cursor.documents);
  }
  return pending;
}
