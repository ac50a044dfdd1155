import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runDir } from './layout.ts';
import { type SegmentInfo, listRunIds, listSegments, runState } from './reader.ts';
import { CURSOR_FILE } from './influx/cursor.ts';

/** A run whose frame segments were deleted by {@link pruneRuns}. */
export interface PrunedRun {
  run: string;
  segments: number;
  bytes: number;
}

/** A finished run {@link pruneRuns} would have pruned but kept, and why. */
export interface KeptRun {
  run: string;
  bytes: number;
  reason: string;
}

/**
 * storage.maxBytes: when the frame segments of the data directory pass
 * `maxBytes`, the segments of finished runs are deleted until the total fits:
 * stopped runs first, then interrupted ones (which a restart of their device
 * would otherwise continue), oldest first within each. Never the current run
 * or one still running; never a run whose InfluxDB sink has not written all
 * its frames yet (its `influx.cursor.json` is behind the segments, or
 * unreadable: deleting them would lose frames that are nowhere else), nor a
 * run whose documents cannot be read. Documents and checkpoints stay (a pruned
 * run is still listed, without frames).
 * Returns what was pruned, what was kept and why, and the total left (bytes).
 */
export function pruneRuns(dataDir: string, maxBytes: number, currentRun: string): { pruned: PrunedRun[]; kept: KeptRun[]; totalBytes: number } {
  const ids = listRunIds(dataDir);
  const segs = new Map(ids.map((id) => [id, listSegments(dataDir, id)]));
  let total = [...segs.values()].flat().reduce((a, s) => a + s.bytes, 0);
  const pruned: PrunedRun[] = [];
  const kept: KeptRun[] = [];
  const candidates: { id: string; state: 'stopped' | 'interrupted' }[] = [];
  for (const id of ids) {
    if (id === currentRun || (segs.get(id) ?? []).length === 0) continue;
    let state: string;
    try {
      state = runState(dataDir, id);
    } catch (e) {
      kept.push({ run: id, bytes: sum(segs.get(id)!), reason: `its documents cannot be read (${(e as Error).message})` });
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
      kept.push({ run: id, bytes: sum(mine), reason: pending === null ? `its ${CURSOR_FILE} cannot be read, so its InfluxDB back-fill may be unfinished` : `its InfluxDB back-fill is unfinished (${pending} bytes of frames not yet written)` });
      continue;
    }
    let bytes = 0;
    for (const s of mine) {
      rmSync(s.path, { force: true });
      bytes += s.bytes;
    }
    total -= bytes;
    pruned.push({ run: id, segments: mine.length, bytes });
  }
  return { pruned, kept, totalBytes: total };
}

const sum = (s: SegmentInfo[]): number => s.reduce((a, x) => a + x.bytes, 0);

/**
 * Bytes of a run's frame segments its InfluxDB sink has not written: 0 when the
 * sink never wrote this run (no cursor: InfluxDB not in use for it), null when the
 * cursor cannot be read. Segments are read by the sink in number order, a
 * calibration segment before the frames segment of the same number.
 */
function pendingInfluxBytes(dataDir: string, id: string, segments: SegmentInfo[]): number | null {
  const path = join(runDir(dataDir, id), CURSOR_FILE);
  if (!existsSync(path)) return 0;
  let cursor: { segment?: unknown; offset?: unknown };
  try {
    cursor = JSON.parse(readFileSync(path, 'utf8')) as typeof cursor;
  } catch {
    return null;
  }
  if (typeof cursor.offset !== 'number' || (cursor.segment !== null && typeof cursor.segment !== 'string')) return null;
  const ordered = [...segments].sort((a, b) => a.index - b.index || (a.kind === b.kind ? 0 : a.kind === 'calibration' ? -1 : 1));
  const at = cursor.segment === null ? -1 : ordered.findIndex((s) => basename(s.path) === cursor.segment);
  if (cursor.segment !== null && at < 0) return null;
  let pending = 0;
  ordered.forEach((s, i) => {
    if (i > at) pending += s.bytes;
    else if (i === at) pending += Math.max(0, s.bytes - (cursor.offset as number));
  });
  return pending;
}

