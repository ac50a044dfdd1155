import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { RingSimulator, frequencyGrid } from '../../drivers/sim/simulator.ts';
import { type ReplayProgress, heldFrom, replayJournal } from '../../src/daemon/journalReplay.ts';
import { frameToJson, framesFileHeader } from '../../src/io/framesFile.ts';
import { silentLogger } from '../../src/log.ts';
import { iterateSegmentFrames, listSegments, readRunFrames, runDir } from '../../src/storage/index.ts';
import { sliced } from '../../src/util/sliced.ts';

const identity = { model: 'HOLORING-RING', serial: 'SIM-1', firmware: '1.0.0', protocolVersion: '1.1' };
const dataDir = mkdtempSync(join(tmpdir(), 'holoring-replay-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A run whose journal holds `n` frames in two segments (as a continued run's would). */
function journal(id: string, n: number): void {
  const dir = runDir(dataDir, id);
  mkdirSync(dir, { recursive: true });
  const sim = new RingSimulator({ seed: 3, sites: 16 });
  const grid = frequencyGrid(0.5, 6, 0.5);
  const frames = [...sim.sweep(Array.from({ length: n }, (_, i) => grid[i % grid.length]))].map((f, i) => ({ ...f, seq: i }));
  const half = n >> 1;
  writeFileSync(join(dir, 'frames-000001.jsonl'), [framesFileHeader(identity), ...frames.slice(0, half).map(frameToJson)].join('\n') + '\n');
  writeFileSync(join(dir, 'frames-000002.jsonl'), [framesFileHeader(identity), ...frames.slice(half).map(frameToJson)].join('\n') + '\n');
}

describe('sliced: a long synchronous source, emitted a slice at a time', () => {
  it('hands the loop back between slices (deferred work runs in between), in order, and stops the iteration when unsubscribed', () => {
    const later: (() => void)[] = [];
    const seen: (number | string)[] = [];
    let returned = false;
    function* source() {
      try {
        for (let i = 0; i < 10; i++) yield i;
      } finally {
        returned = true;
      }
    }
    const sub = sliced(source(), { slice: 3, defer: (fn) => later.push(fn), onSlice: (n) => seen.push(`slice ${n}`) }).subscribe((v) => seen.push(v));
    expect(seen).toEqual([]);
    later.shift()!();
    expect(seen).toEqual([0, 1, 2, 'slice 3']);
    later.shift()!();
    expect(seen.slice(4)).toEqual([3, 4, 5, 'slice 6']);
    sub.unsubscribe();
    expect(returned).toBe(true);
    later.splice(0).forEach((fn) => fn());
    expect(seen).toHaveLength(8);
  });
});

describe('the journal replay of a continued run', () => {
  it('serves the event loop while it runs: other work advances between its slices; every frame replayed once, in order, with its progress', async () => {
    const id = '20261130T000000Z-aaaa';
    journal(id, 3000);
    const segments = listSegments(dataDir, id, 'frames');
    const totalBytes = segments.reduce((a, s) => a + s.bytes, 0);
    const progress: ReplayProgress[] = [];
    const replay = replayJournal({ totalBytes, frames: iterateSegmentFrames(segments) }, { logger: silentLogger(), onProgress: (p) => progress.push(p), slice: 100 });
    // a competing task: each turn of the loop it gets, it counts and asks for another
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const frames = lastValueFrom(replay.frames$.pipe(toArray()));
    const done = await replay.done;
    running = false;
    const got = await frames;
    expect(done).toEqual({ frames: 3000, lastSeq: 2999 });
    expect(got).toEqual(readRunFrames(dataDir, id).frames);
    // 30 slices: the competing task ran between them (a replay in one go would let it run once, after)
    expect(turns).toBeGreaterThanOrEqual(29);
    expect(progress.slice(0, 3).map((p) => p.frames)).toEqual([100, 200, 300]);
    expect(progress.at(-1)).toEqual({ frames: 3000, bytes: totalBytes, totalBytes, done: true });
    for (let i = 1; i < progress.length; i++) expect(progress[i].bytes).toBeGreaterThanOrEqual(progress[i - 1].bytes);
  });

  it('a new run: nothing to replay, done at once', async () => {
    const replay = replayJournal(null, { logger: silentLogger(), onProgress: () => undefined });
    expect(await lastValueFrom(replay.frames$.pipe(toArray()))).toEqual([]);
    expect(await replay.done).toEqual({ frames: 0, lastSeq: null });
  });

  it('frames the device sends during the replay are held and come after it, none lost', () => {
    const raw = new Subject<number>();
    const held$ = heldFrom(raw);
    raw.next(1);
    raw.next(2);
    const out: number[] = [];
    held$.subscribe((v) => out.push(v));
    raw.next(3);
    expect(out).toEqual([1, 2, 3]);
  });
});
