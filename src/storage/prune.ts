import { rmSync } from 'node:fs';
import { listRunIds, listSegments, runState } from './reader.ts';

/**
 * storage.maxBytes: when the frame segments of the data directory pass
 * `maxBytes`, the segments of the oldest finished runs (stopped or interrupted)
 * are deleted, oldest run first, until the total fits; the current run's never.
 * Documents and checkpoints stay (a pruned run is still listed, without frames).
 * Returns what was pruned.
 */
export function pruneRuns(dataDir: string, maxBytes: number, currentRun: string): { run: string; segments: number; bytes: number }[] {
  const ids = listRunIds(dataDir);
  const segs = new Map(ids.map((id) => [id, listSegments(dataDir, id)]));
  let total = [...segs.values()].flat().reduce((a, s) => a + s.bytes, 0);
  const pruned: { run: string; segments: number; bytes: number }[] = [];
  for (const id of ids) {
    if (total <= maxBytes) break;
    const mine = segs.get(id) ?? [];
    if (id === currentRun || mine.length === 0 || runState(dataDir, id) === 'running') continue;
    let bytes = 0;
    for (const s of mine) {
      rmSync(s.path, { force: true });
      bytes += s.bytes;
    }
    total -= bytes;
    pruned.push({ run: id, segments: mine.length, bytes });
  }
  return pruned;
}
