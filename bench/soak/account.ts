import type { RingFrame } from '../../src/contracts/frame.ts';
import { DUPLICATE_WINDOW } from '../../src/daemon/runRecording.ts';
import { type RunDocument, type SegmentInfo, iterateRunFrames, listSegments, readDocuments } from '../../src/storage/index.ts';

/**
 * The soak's account of every frame the device numbered, from the emulator's
 * own counts and the run record alone (documents and journal, read through
 * src/storage's reader):
 *
 *   numbered = journaled + Σ missing (documented by the daemon, by cause)
 *            + lost at a device restart (after the last frame received, unknowable)
 *            + unaccounted
 *
 * and the soak passes only with unaccounted = 0. The journal is walked in
 * acquisition order (segment index, calibration before frames); a sequence
 * number stepping back further than the duplicate window starts the next boot
 * of the device, matched in order with the emulator's boots.
 */
export interface SoakAccount {
  /** Frames the device numbered (the emulator's count, every boot). */
  numbered: number;
  /** Frames in the journal (calibration and acquisition), duplicates excluded. */
  journaled: number;
  /** Frames in the journal with a sequence number already journaled in the same boot. */
  duplicates: number;
  /** Frames the daemon documented as missing (gap documents), by cause. */
  missing: Record<string, number>;
  /** Gap documents that gave no count (their frames are among the unaccounted, if any). */
  uncountedGaps: number;
  /** Frames numbered after the last one received in a boot that then restarted: no host can know them. */
  lostAtRestart: number;
  /** numbered − everything above: frames lost without any record. */
  unaccounted: number;
  /** Boots seen in the journal / boots of the emulator that numbered frames. */
  bootsSeen: number;
  boots: number;
  /** Holes of the journal's numbering with no gap document covering them (boot, from, to). */
  undocumented: { boot: number; from: number; to: number }[];
  /** Per daemon session (start or resume): received and journaled from its stop document (null: it never stopped, e.g. killed). */
  sessions: { received: number | null; journaled: number | null; duplicates: number | null }[];
}

interface Hole { boot: number; from: number; to: number }

/** Walks frames in acquisition order: journaled count, duplicates, boots with their last seq, and holes. */
export function walkSequence(frames: Iterable<Pick<RingFrame, 'seq'>>): { journaled: number; duplicates: number; lastSeqs: number[]; holes: Hole[] } {
  let journaled = 0, duplicates = 0;
  const lastSeqs: number[] = [];
  const holes: Hole[] = [];
  let last: number | null = null;
  for (const { seq } of frames) {
    if (last !== null && seq <= last) {
      if (last - seq < DUPLICATE_WINDOW) {
        duplicates++;
        continue;
      }
      last = null; // the device restarted: a new boot
    }
    if (last === null) {
      lastSeqs.push(seq);
      if (seq > 0) holes.push({ boot: lastSeqs.length - 1, from: 0, to: seq - 1 });
    } else if (seq > last + 1) holes.push({ boot: lastSeqs.length - 1, from: last + 1, to: seq - 1 });
    last = seq;
    lastSeqs[lastSeqs.length - 1] = seq;
    journaled++;
  }
  return { journaled, duplicates, lastSeqs, holes };
}

/** Segments in acquisition order: by index, calibration before frames of the same index. */
export function acquisitionOrder(segments: readonly SegmentInfo[]): SegmentInfo[] {
  return [...segments].sort((a, b) => a.index - b.index || (a.kind === b.kind ? 0 : a.kind === 'calibration' ? -1 : 1));
}

/**
 * The account of run `runId` in `dataDir` against the emulator's frames
 * numbered per boot (`numbered[i]`: boot i, oldest first).
 */
export function accountRun(dataDir: string, runId: string, numberedPerBoot: readonly number[]): SoakAccount {
  const { documents } = readDocuments(dataDir, runId);
  const order = acquisitionOrder(listSegments(dataDir, runId));
  function* frames(): Generator<RingFrame> {
    for (const seg of order) yield* iterateRunFrames(dataDir, runId, seg.kind, (s) => s.path === seg.path);
  }
  return accountFrom(documents, frames(), numberedPerBoot);
}

/** accountRun on documents and frames already read (the pure part, for tests). */
export function accountFrom(documents: readonly RunDocument[], frames: Iterable<Pick<RingFrame, 'seq'>>, numberedPerBoot: readonly number[]): SoakAccount {
  const walk = walkSequence(frames);
  const boots = numberedPerBoot.filter((n) => n > 0);
  const missing: Record<string, number> = {};
  let uncountedGaps = 0;
  const gaps: { from: number | null; to: number | null }[] = [];
  const sessions: SoakAccount['sessions'] = [];
  for (const d of documents) {
    if (d.type === 'gap') {
      if (d.missing === null || d.missing === undefined) uncountedGaps++;
      else if (d.missing > 0) {
        // the frames of a gap that arrived damaged: its `rejected` count, else named in its reason (src/daemon/runRecording.ts)
        const named = (d as { rejected?: number }).rejected ?? Number(/^(\d+) of them arrived damaged/.exec(d.reason ?? '')?.[1] ?? 0);
        const damaged = Math.min(d.missing, named);
        if (damaged > 0) missing.rejected = (missing.rejected ?? 0) + damaged;
        if (d.missing > damaged) missing[d.cause] = (missing[d.cause] ?? 0) + d.missing - damaged;
      }
      gaps.push({ from: typeof d.from === 'number' ? d.from : null, to: typeof d.to === 'number' ? d.to : null });
    } else if (d.type === 'start' || d.type === 'resume') sessions.push({ received: null, journaled: null, duplicates: null });
    else if (d.type === 'stop' && sessions.length > 0) {
      const f = d.frames;
      sessions[sessions.length - 1] = { received: f.received, journaled: f.journaled, duplicates: f.duplicates };
    }
  }
  // each boot's frames after its last received one: lost when the device restarted (the last boot ends held, all received)
  let lostAtRestart = 0;
  walk.lastSeqs.forEach((last, i) => {
    if (i < boots.length - 1) lostAtRestart += Math.max(0, boots[i] - (last + 1));
  });
  // boots that numbered frames and none reached the journal: all of them lost at their restart
  for (let i = walk.lastSeqs.length; i < boots.length; i++) lostAtRestart += boots[i];
  const numbered = numberedPerBoot.reduce((a, n) => a + n, 0);
  const documented = Object.values(missing).reduce((a, n) => a + n, 0);
  const undocumented = walk.holes.filter((h) => !gaps.some((g) => g.from !== null && g.to !== null && g.from <= h.from && g.to >= h.to));
  return {
    numbered, journaled: walk.journaled, duplicates: walk.duplicates, missing, uncountedGaps, lostAtRestart,
    unaccounted: numbered - walk.journaled - documented - lostAtRestart,
    bootsSeen: walk.lastSeqs.length, boots: boots.length, undocumented, sessions,
  };
}
