import { EMPTY, type Observable, type Subscription, filter, pairwise, startWith } from 'rxjs';
import type { DeviceState, RingDevice } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import type { Logger } from '../log.ts';
import type { FrameAccounting, GapDoc } from '../storage/documents.ts';
import type { RunRecorder } from '../storage/run.ts';

/**
 * The daemon's side of the run record: every raw frame into the journal (the
 * calibration's into calibration segments) before anything processes it, device
 * state changes and gaps as documents, and the frame accounting of the stop
 * document and the status: received, journaled, skipped by reason, missing by
 * cause, duplicates.
 */
export interface RunRecording {
  /** Frames from now on are acquisition frames (before: calibration frames). */
  acquiring(): void;
  /** Frames from now on are calibration frames (an operator's calibration during the run). */
  calibrating(): void;
  /** True for a frame the recording saw as a duplicate (processing skips it). */
  isDuplicate(frame: RingFrame): boolean;
  accounting(skipped: Record<string, number>): FrameAccounting;
  calibrationFrames(): number;
  gaps(): number;
  /** Writes the gap of frames the journal dropped that is still open. */
  flush(): void;
  /** The daemon is stopping: frames and gaps are still recorded until the device is closed, its state changes (the link closing) no longer. */
  ending(): void;
  /**
   * A continued run: `lastSeq` is the last frame its journal holds. When the
   * first frame of this session continues that numbering, the frames the
   * device numbered in between (sent while no daemon read the port) are a
   * `downtime` gap with its count.
   */
  resumedAfter(lastSeq: number | null): void;
  readonly subscription: Subscription;
}

/** A seq at most this far behind the last one is a duplicate; further behind, the device restarted. */
export const DUPLICATE_WINDOW = 64;

/**
 * A link outage that just ended: since the last frame received before it (wall
 * clock ms; else the driver's own `downMs`), and how long until now.
 */
const outage = (lastFrameAt: number | null, downMs: number): { downSince: string; downMs: number } => {
  const now = Date.now();
  const ms = Math.max(0, Math.round(lastFrameAt !== null ? now - lastFrameAt : downMs));
  return { downSince: new Date(now - ms).toISOString(), downMs: ms };
};

export function recordRun(run: RunRecorder | null, device: RingDevice, raw$: Observable<RingFrame>, logger: Logger): RunRecording {
  const log = logger.child({ component: 'run' });
  let kind: 'calibration' | 'frames' = 'calibration';
  let received = 0, duplicates = 0, gaps = 0, calibration = 0, unjournalable = 0;
  const missing: Record<string, number> = {};
  const dupes = new WeakSet<RingFrame>();
  let lastSeq: number | null = null;
  /** The device numbering of the first and last frame received (kept across restarts, unlike lastSeq). */
  let firstSeq: number | null = null;
  let lastSeen: number | null = null;
  let reconnected = false;
  /** Wall-clock time of the last frame received (the start of an outage). */
  let lastFrameAt: number | null = null;
  /** The device's numbering restarted: the journal starts a new segment (one log line says where). */
  const restarted = (after: number | null, to: number): void => {
    if (!run) return;
    run.newSegment();
    log.info({ event: 'journal-segment', after, seq: to }, `the device's numbering restarted (seq ${after ?? '?'} → ${to}): a new journal segment starts`);
  };
  /** A continued run's last journaled seq, until the first frame of this session is seen (undefined: not resumed). */
  let resumeAfter: number | null | undefined;
  let firstSeen: number | null = null;
  const downtimeGap = (): void => {
    if (resumeAfter === undefined || resumeAfter === null || firstSeen === null) return;
    const after = resumeAfter;
    resumeAfter = undefined;
    // a first seq at or below the journal's last: the device restarted meanwhile, and what it sent before is unknowable
    if (firstSeen > after + 1) {
      const n = firstSeen - after - 1;
      gap({ cause: 'downtime', after, missing: n, from: after + 1, to: firstSeen - 1, reason: `${n} frame(s) sent while the daemon was not running` });
      log.warn({ after, missing: n }, `${n} frame(s) the device sent while the daemon was not running are missing`);
    }
  };
  let dropped: { after: number | null; from: number; to: number; n: number; reason: string } | null = null;
  const gap = (body: Omit<GapDoc, 'type' | 'time' | 'run'>): void => {
    gaps++;
    if (body.missing !== null) missing[body.cause] = (missing[body.cause] ?? 0) + body.missing;
    run?.document<GapDoc>({ type: 'gap', ...body });
  };
  const flush = (): void => {
    if (!dropped) return;
    const d = dropped;
    dropped = null;
    gap({ cause: 'journal', after: d.after, missing: d.n, from: d.from, to: d.to, reason: d.reason });
  };
  const onFrame = (f: RingFrame): void => {
    received++;
    if (firstSeen === null) {
      firstSeen = f.seq;
      downtimeGap();
    }
    lastFrameAt = Date.now();
    if (kind === 'calibration') calibration++;
    if (lastSeq !== null && f.seq <= lastSeq) {
      if (lastSeq - f.seq < DUPLICATE_WINDOW) {
        duplicates++;
        dupes.add(f);
      } else {
        gap({ cause: 'device-restart', after: lastSeq, missing: null, from: null, to: f.seq, reason: `sequence went back from ${lastSeq} to ${f.seq}` });
        restarted(lastSeq, f.seq);
      }
    }
    const before = lastSeq;
    if (!dupes.has(f)) {
      lastSeq = f.seq;
      firstSeq ??= f.seq;
      lastSeen = f.seq;
    }
    reconnected = false;
    if (!run) return;
    let r: 'journaled' | 'pending' | 'dropped';
    try {
      r = run.journalFrame(f, kind);
    } catch (e) {
      // not a frame the frames-file format can hold (a driver fault): counted, acquisition goes on
      unjournalable++;
      log.error({ err: e, seq: f.seq }, 'a frame could not be journaled');
      return;
    }
    if (r === 'dropped') {
      const reason = run.journalStats()[kind]?.dropCause ?? 'write failed';
      if (dropped) {
        dropped.to = f.seq;
        dropped.n++;
      } else dropped = { after: before, from: f.seq, to: f.seq, n: 1, reason };
      if (dropped.n === 1) log.error({ seq: f.seq, reason }, `raw frames are being dropped: ${reason}`);
    } else flush();
  };
  const sub = raw$.subscribe(onFrame);
  let ending = false;
  sub.add(device.state$.pipe(startWith<DeviceState | null>(null), pairwise(), filter(([a, b]) => a !== b && !ending)).subscribe(([previous, state]) => {
    if (state === 'disconnected') reconnected = true;
    run?.document({ type: 'state', state: state!, previous });
  }));
  sub.add(device.gaps$.subscribe((g) => {
    // the device reports its gaps (rate-limited summaries in its log); each is a document here
    log.debug({ gap: g }, `${g.missing} frame(s) missing after seq ${g.after}`);
    const cause = g.cause ?? (reconnected ? 'reconnect' : 'sequence');
    // the device's numbering restarted: the next frame is not a step back, and it opens a new journal segment
    if (cause === 'device-restart') {
      lastSeq = null;
      restarted(g.after, g.missing);
    }
    const rejected = g.rejected ?? 0;
    gap({
      cause, after: g.after, missing: g.missing, from: g.from !== undefined ? g.from : g.after + 1, to: g.to !== undefined ? g.to : g.after + g.missing,
      ...(rejected > 0 ? { reason: `${rejected} of them arrived damaged and were rejected`, rejected } : {}),
      ...(g.downSinceMs !== undefined ? outage(lastFrameAt, g.atMs - g.downSinceMs) : {}),
    });
    if (rejected > 0) {
      // of the gap's frames, those that arrived damaged count as rejected, not as the gap's cause
      missing[cause] -= rejected;
      if (missing[cause] === 0) delete missing[cause];
      missing.rejected = (missing.rejected ?? 0) + rejected;
    }
  }));
  sub.add((device.events$ ?? EMPTY).pipe(filter((e) => e.type === 'boot')).subscribe(() => {
    run?.document({ type: 'state', state: 'device-restart', previous: null });
  }));
  return {
    acquiring: () => {
      kind = 'frames';
    },
    calibrating: () => {
      kind = 'calibration';
    },
    isDuplicate: (f) => dupes.has(f),
    accounting: (skipped) => {
      const st = run?.journalStats();
      const journaled = (st?.frames.frames ?? 0) + (st?.calibration?.frames ?? 0);
      const journalDropped = (st?.frames.dropped ?? 0) + (st?.calibration?.dropped ?? 0);
      return {
        received, journaled, skipped: { ...skipped, ...(unjournalable > 0 ? { 'not-journalable': unjournalable } : {}) },
        missing: { ...missing, ...(journalDropped > 0 ? { journal: journalDropped } : {}) },
        // copies the device itself recognised never reach the recording
        duplicates: duplicates + (device.counters().account?.duplicates ?? 0),
        firstSeq, lastSeq: lastSeen,
      };
    },
    resumedAfter: (lastSeq) => {
      resumeAfter = lastSeq;
      downtimeGap();
    },
    calibrationFrames: () => calibration,
    gaps: () => gaps,
    flush,
    ending: () => {
      ending = true;
    },
    subscription: sub,
  };
}
