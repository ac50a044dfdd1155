import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable, lastValueFrom } from 'rxjs';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { replayJournal } from '../../src/daemon/journalReplay.ts';
import { silentLogger } from '../../src/log.ts';
import { accumulateResponse } from '../../src/pipeline/responseAccumulator.ts';
import { ringTransform } from '../../src/pipeline/ringTransform.ts';
import { openJournal } from '../../src/storage/journal.ts';
import { iterateSegmentFrames, listSegments } from '../../src/storage/index.ts';
import { runDir } from '../../src/storage/layout.ts';
import type { BenchRow } from '../harness.ts';
import type { BenchSuite } from '../run.ts';

/**
 * The journal replay of a continued run (5000 64-site frames through the ring
 * transform into the response table): the longest the event loop waits while
 * it runs — measured by a competing setImmediate loop, the largest gap between
 * two of its turns — in slices (the daemon's replay) against the same replay
 * in one go (baseline), and the replay's own time, sliced against in one go.
 */
const FRAMES = 5000;

/** Runs `frames$` into the response table while a competing loop notes its longest wait; both in ms. */
async function measure(frames$: Observable<RingFrame>): Promise<{ totalMs: number; maxGapMs: number }> {
  let maxGap = 0;
  let last = performance.now();
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  await lastValueFrom(frames$.pipe(ringTransform({ kMax: 12, gamma: 0.25, allowUncalibrated: true }), accumulateResponse({ minFrames: 2 })), { defaultValue: null });
  const totalMs = performance.now() - t0;
  running = false;
  // the gap that ended with the replay
  maxGap = Math.max(maxGap, performance.now() - last);
  return { totalMs, maxGapMs: maxGap };
}

export const suite: BenchSuite = {
  name: 'replay',
  cases: async () => [
    async (): Promise<BenchRow[]> => {
      const dataDir = mkdtempSync(join(tmpdir(), 'holoring-bench-replay-'));
      const id = '20261130T000000Z-beef';
      mkdirSync(runDir(dataDir, id), { recursive: true });
      const identity = { model: 'HOLORING-RING', serial: 'SIM-1', firmware: '1.0.0', protocolVersion: '1.1' };
      const journal = openJournal(runDir(dataDir, id), 'frames', identity, { syncMs: 1000 });
      const sim = new RingSimulator({ sites: 64, seed: 1 });
      for (let i = 0; i < FRAMES; i++) journal.write({ ...sim.frame({ omega: 0.5 + 0.5 * (i % 8), sourceSite: 0 }), seq: i });
      await journal.close();
      const segments = listSegments(dataDir, id, 'frames');
      const totalBytes = segments.reduce((a, s) => a + s.bytes, 0);
      const oneGo = async () => measure(new Observable<RingFrame>((sub) => {
        // the replay as it was: every frame in one turn of the event loop
        setImmediate(() => {
          for (const f of iterateSegmentFrames(segments)) sub.next(f.frame);
          sub.complete();
        });
      }));
      const slicedRun = async () => measure(replayJournal({ totalBytes, frames: iterateSegmentFrames(segments) }, { logger: silentLogger(), onProgress: () => undefined }).frames$);
      const runs = { one: [] as { totalMs: number; maxGapMs: number }[], sliced: [] as { totalMs: number; maxGapMs: number }[] };
      for (let i = 0; i < 3; i++) {
        runs.one.push(await oneGo());
        runs.sliced.push(await slicedRun());
      }
      rmSync(dataDir, { recursive: true, force: true });
      const med = (v: number[]): number => [...v].sort((a, b) => a - b)[1];
      const gapOne = med(runs.one.map((r) => r.maxGapMs));
      const gapSliced = med(runs.sliced.map((r) => r.maxGapMs));
      const tOne = med(runs.one.map((r) => r.totalMs));
      const tSliced = med(runs.sliced.map((r) => r.totalMs));
      return [
        {
          name: `journal replay (${FRAMES} frames): longest event-loop wait, sliced`,
          value: gapSliced, unit: 'ms', baseline: gapOne, ratio: gapSliced / gapOne,
          note: 'baseline: the same replay in one go (the loop waits for all of it); goal ratio ≤ 0.1 (what is left: one slice, and the scheduling of a loaded machine)',
        },
        {
          name: `journal replay (${FRAMES} frames): time, sliced`,
          value: tSliced, unit: 'ms', baseline: tOne, ratio: tSliced / tOne,
          note: 'baseline: the same replay in one go; goal ratio ≤ 1.3',
        },
      ];
    },
  ],
};
