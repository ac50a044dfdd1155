import { type Observable, concat, defer, finalize, from, map, tap } from 'rxjs';
import type { RingFrame } from '../contracts/frame.ts';
import type { Logger } from '../log.ts';
import type { JournalReplay } from '../storage/run.ts';
import { sliced } from '../util/sliced.ts';

/** How far the replay of a continued run's journal got: frames and journal bytes read, of the total. */
export interface ReplayProgress {
  frames: number;
  bytes: number;
  totalBytes: number;
  done: boolean;
}

/** Journal frames replayed between two returns to the event loop. */
export const REPLAY_SLICE = 64;

export interface ReplayedJournal {
  /** The journal's frames; subscribe once. */
  frames$: Observable<RingFrame>;
  /** Resolves when the replay ended (completed, failed or unsubscribed): the frames replayed and the last seq. */
  done: Promise<{ frames: number; lastSeq: number | null }>;
}

/**
 * A continued run's journal, replayed into the pipeline without blocking the
 * daemon: REPLAY_SLICE frames at a time with the event loop handed back in
 * between (sliced), so the API, the WebSocket clients and the status are
 * served during a replay of millions of frames. `onProgress` is told after
 * every slice; a log line says how far it got at every tenth of the journal's
 * bytes. `source` null (a new run): no frames, done at once.
 */
export function replayJournal(source: JournalReplay | null, opts: { logger: Logger; onProgress: (p: ReplayProgress) => void; slice?: number }): ReplayedJournal {
  const log = opts.logger.child({ component: 'run' });
  const p: ReplayProgress = { frames: 0, bytes: 0, totalBytes: source?.totalBytes ?? 0, done: false };
  let lastSeq: number | null = null;
  let tenth = 0;
  let finished!: (r: { frames: number; lastSeq: number | null }) => void;
  const done = new Promise<{ frames: number; lastSeq: number | null }>((r) => (finished = r));
  const progress = (): void => {
    opts.onProgress({ ...p });
    const t = p.totalBytes > 0 ? Math.floor((10 * p.bytes) / p.totalBytes) : 10;
    if (t > tenth && !p.done) {
      tenth = t;
      log.info({ event: 'replay', frames: p.frames, bytes: p.bytes, totalBytes: p.totalBytes }, `replaying the journal: ${t * 10}% (${p.frames} frames)`);
    }
  };
  const frames$ = !source
    ? from([] as RingFrame[]).pipe(finalize(() => finished({ frames: 0, lastSeq: null })))
    : sliced(source.frames, { slice: opts.slice ?? REPLAY_SLICE, onSlice: progress }).pipe(
      tap((f) => {
        p.frames++;
        p.bytes = f.bytesRead;
        lastSeq = f.frame.seq;
      }),
      map((f) => f.frame),
      finalize(() => {
        p.done = true;
        opts.onProgress({ ...p });
        finished({ frames: p.frames, lastSeq });
      }),
    );
  return { frames$, done };
}

/**
 * `raw$` held from now on: values that arrive before the returned Observable
 * is subscribed (a device already streaming while the journal is replayed)
 * are kept, and emitted first when it is.
 */
export function heldFrom<T>(raw$: Observable<T>): Observable<T> {
  const early: T[] = [];
  const holding = raw$.subscribe((v) => early.push(v));
  return defer(() => {
    holding.unsubscribe();
    return concat(from(early.splice(0)), raw$);
  });
}
