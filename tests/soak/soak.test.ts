import { describe, expect, it } from 'vitest';
import { accountFrom, acquisitionOrder, walkSequence } from '../../bench/soak/account.ts';
import { type FaultTargets, injectFault } from '../../bench/soak/faults.ts';
import { FAULT_KINDS, MIN_QUIET_S, actualStart, planSoak } from '../../bench/soak/plan.ts';
import { type ProcessSample, RSS_WINDOW_S, describeFault, judge, rssGrowth } from '../../bench/soak/report.ts';
import type { RunDocument, SegmentInfo } from '../../src/storage/index.ts';

const seqs = (...xs: number[]): { seq: number }[] => xs.map((seq) => ({ seq }));
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const gap = (cause: string, from: number, to: number, reason?: string): RunDocument =>
  ({ type: 'gap', time: '2026-11-29T00:00:00Z', run: 'r', cause, after: from - 1, missing: to - from + 1, from, to, ...(reason ? { reason } : {}) }) as RunDocument;
const doc = (type: string, extra: object = {}): RunDocument => ({ type, time: '2026-11-29T00:00:00Z', run: 'r', ...extra }) as RunDocument;

describe('soak fault plan', () => {
  it('is the same for the same seed and differs between seeds', () => {
    expect(planSoak(42, 30)).toEqual(planSoak(42, 30));
    expect(planSoak(42, 30).faults).not.toEqual(planSoak(43, 30).faults);
  });

  it('keeps faults apart, after the warm-up and before the settling time; kills only in the first half; every kind before a repeat', () => {
    for (const seed of [1, 2, 3, 99]) {
      const p = planSoak(seed, 30);
      expect(p.faults.length).toBeGreaterThan(FAULT_KINDS.length);
      for (const [i, f] of p.faults.entries()) {
        expect(f.at).toBeGreaterThanOrEqual(p.warmupS);
        expect(f.at + f.seconds).toBeLessThanOrEqual(p.durationS - p.settleS);
        const next = p.faults[i + 1];
        // room for quiet samples between faults: more than the 15 s after a recovery that memory is not sampled
        if (next) expect(next.at).toBeGreaterThanOrEqual(f.at + f.seconds + MIN_QUIET_S);
        expect(MIN_QUIET_S).toBeGreaterThan(15);
        if (f.kind === 'daemon-kill') expect(f.at).toBeLessThanOrEqual(p.durationS / 2);
        if (f.kind === 'corrupt') expect(f.rate).toBeGreaterThanOrEqual(0.01);
      }
      const firstRound = p.faults.slice(0, FAULT_KINDS.length).map((f) => f.kind);
      expect(new Set(firstRound).size).toBe(FAULT_KINDS.length);
    }
  });

  it('starts a fault only after the one before was survived and skips what no longer fits before the settling time', () => {
    const plan = { seed: 1, warmupS: 10, durationS: 100, settleS: 10, faults: [] };
    const f = { kind: 'stall' as const, at: 30, seconds: 5 };
    expect(actualStart(f, null, plan)).toBe(30);
    expect(actualStart(f, 30 - MIN_QUIET_S, plan)).toBe(30);
    expect(actualStart(f, 40, plan)).toBe(40 + MIN_QUIET_S);
    expect(actualStart(f, 80, plan)).toBeNull();
  });

  it('plays every fault from the soak\'s clock: emulator faults through its control channel in device seconds, until they end', async () => {
    const sent: object[] = [];
    const calls: string[] = [];
    const targets: FaultTargets = {
      emulator: { control: (e) => sent.push(e), speed: 5 },
      influx: { stop: async () => void calls.push('influx stop'), start: async () => void calls.push('influx start') },
      daemon: { kill: async () => void calls.push('kill'), restart: async () => void calls.push('restart'), signal: (sig) => void calls.push(sig) },
      wsUrl: () => 'ws://127.0.0.1:1/ws',
    };
    for (const f of [
      { kind: 'unplug' as const, at: 0, seconds: 0.02 }, { kind: 'power-cycle' as const, at: 0, seconds: 0.02 }, { kind: 'stall' as const, at: 0, seconds: 0.04 },
      { kind: 'corrupt' as const, at: 0, seconds: 0.02, rate: 0.02 }, { kind: 'influx-down' as const, at: 0, seconds: 0.01 },
      { kind: 'daemon-kill' as const, at: 0, seconds: 0.01 }, { kind: 'daemon-freeze' as const, at: 0, seconds: 0.01 },
    ]) await injectFault(f, targets);
    expect(sent).toEqual([{ unplug: 0.1 }, { disconnect: 0.1 }, { stall: 0.2 }, { corrupt: 0.02 }, { garbage: 0.01 }, { corrupt: 0 }, { garbage: 0 }]);
    expect(calls).toEqual(['influx stop', 'influx start', 'kill', 'restart', 'SIGSTOP', 'SIGCONT']);
  });

  it('prints the actual timeline', () => {
    expect(describeFault({ kind: 'stall', at: 30, seconds: 5, survived: true, startS: 41.23, endS: 46.3, recoveryS: 1.04 }))
      .toBe('t=41.2–46.3 s stall (planned t=30 s, 5 s): frames again 1.0 s after its end');
    expect(describeFault({ kind: 'stall', at: 30, seconds: 5, survived: false, skipped: true })).toMatch(/skipped/);
  });
});

describe('soak account', () => {
  it('walks holes, duplicates and device restarts in the journal order', () => {
    const w = walkSequence(seqs(0, 1, 2, 5, 5, 4, 6, 200, 3, 4, 7));
    expect(w).toEqual({
      journaled: 9, duplicates: 2, lastSeqs: [200, 7],
      holes: [{ boot: 0, from: 3, to: 4 }, { boot: 0, from: 7, to: 199 }, { boot: 1, from: 0, to: 2 }, { boot: 1, from: 5, to: 6 }],
    });
  });

  it('orders segments by index, calibration before frames', () => {
    const s = (kind: 'frames' | 'calibration', index: number): SegmentInfo => ({ kind, index, path: `${kind}-${index}`, bytes: 1 });
    expect(acquisitionOrder([s('frames', 2), s('frames', 1), s('calibration', 2), s('calibration', 1)]).map((x) => x.path))
      .toEqual(['calibration-1', 'frames-1', 'calibration-2', 'frames-2']);
  });

  it('balances when every hole is documented, counting damaged frames as rejected and the tail of a restarted boot as lost', () => {
    const frames = seqs(...range(0, 9), ...range(13, 100), ...range(2, 5));
    const docs = [doc('start'), gap('sequence', 10, 12, '2 of them arrived damaged and were rejected'), gap('device-restart', 0, 1), doc('stop', { frames: { received: 102, journaled: 102, duplicates: 0 } })];
    const a = accountFrom(docs, frames, [105, 0, 6]);
    expect(a).toMatchObject({
      numbered: 111, journaled: 102, missing: { rejected: 2, sequence: 1, 'device-restart': 2 }, lostAtRestart: 4, unaccounted: 0,
      bootsSeen: 2, boots: 2, undocumented: [], sessions: [{ received: 102, journaled: 102, duplicates: 0 }],
    });
    // the last boot's frames after its last received one are not a restart's: they are unaccounted
    expect(accountFrom(docs, frames, [105, 0, 8]).unaccounted).toBe(2);
  });

  it('names frames lost without a gap document (e.g. across a daemon restart)', () => {
    const frames = seqs(...range(0, 9), ...range(15, 20));
    const a = accountFrom([doc('start'), doc('resume')], frames, [21]);
    expect(a.unaccounted).toBe(5);
    expect(a.undocumented).toEqual([{ boot: 0, from: 10, to: 14 }]);
    expect(a.sessions).toEqual([{ received: null, journaled: null, duplicates: null }, { received: null, journaled: null, duplicates: null }]);
    expect(judge(a, 16, [])[0]).toMatch(/5 frame\(s\) unaccounted.*boot 0 seq 10–14/);
  });
});

describe('soak verdict', () => {
  const base = accountFrom([doc('start')], seqs(0, 1, 2), [3]);
  const fine = { pid: 1, rssStart: 100, rssEnd: 104, growth: 0.04, heapStart: 50, heapEnd: 50, tensorsStart: 4, tensorsEnd: 4, spanS: 600, judged: true };

  it('passes a balanced account with everything in InfluxDB and RSS within 5%', () => {
    expect(judge(base, 3, [fine])).toEqual([]);
  });

  it('fails on frames missing from InfluxDB, accepted frames not journaled, or RSS growth over a span long enough to judge', () => {
    expect(judge(base, 2, [fine])).toEqual(['3 frames journaled, 2 in InfluxDB']);
    expect(judge({ ...base, missing: { journal: 2 } }, 3, [fine])).toEqual(['2 accepted frame(s) missing from the journal']);
    expect(judge({ ...base, sessions: [{ received: 5, journaled: 3, duplicates: 0 }] }, 3, [fine])).toEqual(['session 1: 5 frames received, 3 journaled']);
    expect(judge(base, 3, [{ ...fine, rssEnd: 106, growth: 0.06 }])[0]).toMatch(/grew 6\.0%/);
    expect(judge(base, 3, [{ ...fine, rssEnd: 106, growth: 0.06, spanS: 90, judged: false }])).toEqual([]);
  });

  it('measures each process against its own warm-up, by the floor of its quiet samples (the heap after a major collection)', () => {
    const t0 = 1_000_000;
    const w = RSS_WINDOW_S;
    // a sawtooth: heap climbs for 30 s, then a major collection drops it to the floor; the floor rises by 1 a second
    const saw = (i: number): number => 100 + i + 10 * (i % 30);
    const p = (pid: number, start: number, n: number, rss: (i: number) => number): ProcessSample => ({
      pid, startedAt: start, lagMaxMs: 0,
      rss: Array.from({ length: n }, (_, i) => ({ t: start + i * 1000, v: rss(i) })),
      heap: Array.from({ length: n }, (_, i) => ({ t: start + i * 1000, v: rss(i) / 2 })),
      tensors: Array.from({ length: n }, (_, i) => ({ t: start + i * 1000, v: 4 + (i > 50 ? 1 : 0) })),
    });
    // a short-lived process (killed before twice its warm-up) is not judged; a spike does not move a floor
    const n = 10 + 3 * w;
    const g = rssGrowth([p(1, t0, 15, () => 500), p(2, t0 + 20_000, n, (i) => (i === n - 5 ? 9000 : saw(i)))], 10);
    expect(g).toHaveLength(1);
    // windows: seconds 10…129 (floor at 30: 130) and n−120…n−1 (floor at the first multiple of 30 in it)
    const endFloor = Math.ceil((n - w) / 30) * 30;
    expect(g[0]).toMatchObject({ pid: 2, rssStart: 130, rssEnd: 100 + endFloor, heapStart: 65, heapEnd: (100 + endFloor) / 2, tensorsStart: 4, tensorsEnd: 5, spanS: n - 11, judged: true });
    // samples left out while a fault or back-fill was in progress: the start window begins at the first quiet one after the warm-up
    const gappy = p(3, t0, n, (i) => 200 + i);
    gappy.rss = gappy.rss.filter((_, i) => i < 5 || i >= 30);
    expect(rssGrowth([gappy], 10)[0]).toMatchObject({ rssStart: 230, rssEnd: 200 + n - w, spanS: n - 31 });
  });

});
