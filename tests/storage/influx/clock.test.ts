import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RingSimulator } from '../../../drivers/sim/simulator.ts';
import type { RingFrame } from '../../../src/contracts/frame.ts';
import { frameToJson } from '../../../src/io/framesFile.ts';
import { FrameClock } from '../../../src/storage/influx/clock.ts';
import { emptyCursor } from '../../../src/storage/influx/cursor.ts';
import { isoToNs } from '../../../src/storage/influx/points.ts';
import { readBatch } from '../../../src/storage/influx/projection.ts';
import { Rng } from '../../../src/util/random.ts';
import { type RunWriter, runWriter } from './runWriter.ts';

const MS = 1_000_000n;
const start = isoToNs('2026-11-29T12:00:00Z');
const startMs = Number(start / MS);

/** Places `n` frames 50 ms of device time apart from `fromUs`; returns their times. */
function placeRun(c: FrameClock, fromUs: number, n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => c.place(fromUs + i * 50_000));
}

describe('frame clock: every fault kind keeps times strictly increasing', () => {
  it('a resumed session whose header anchor lies before the last frame placed (the device clock ran fast) continues after it', () => {
    const c = new FrameClock();
    c.beginSegment(0, { hostTimeMs: startMs, deviceTimeUs: 0 }, start);
    const before = placeRun(c, 0, 100); // up to start + 4.95 s
    // SIGKILL, restart: the new session's anchor says device 5.0 s was host start + 3 s
    c.beginSegment(5_000_000, { hostTimeMs: startMs + 3000, deviceTimeUs: 5_000_000 }, start + 4000n * MS);
    const after = placeRun(c, 5_000_000, 100);
    expect(after[0]).toBe(before.at(-1)! + 50n * MS);
    // the segment keeps its own device-clock spacing from there
    expect(after[99] - after[0]).toBe(99n * 50n * MS);
    expect(new Set([...before, ...after].map(String)).size).toBe(200);
  });

  it('a header anchor after the last frame is taken as it is (no clamp when there is nothing to clamp)', () => {
    const c = new FrameClock();
    c.beginSegment(0, { hostTimeMs: startMs, deviceTimeUs: 0 }, start);
    placeRun(c, 0, 10);
    c.beginSegment(600_000, { hostTimeMs: startMs + 60_000, deviceTimeUs: 600_000 }, start + 60_000n * MS);
    expect(c.place(600_000)).toBe(start + 60_000n * MS);
  });

  it('a device power cycle (clock back at 0) with a fresh header anchor before the last frame continues one interval on', () => {
    const c = new FrameClock();
    c.beginSegment(0, { hostTimeMs: startMs, deviceTimeUs: 0 }, start);
    const before = placeRun(c, 0, 40);
    c.beginSegment(0, { hostTimeMs: startMs + 1000, deviceTimeUs: 0 }, start);
    expect(c.place(0)).toBe(before.at(-1)! + 50n * MS);
  });

  it('a restarted device whose clock is already past the previous segment\'s last device time, anchored before it, continues on', () => {
    const c = new FrameClock();
    c.beginSegment(0, { hostTimeMs: startMs, deviceTimeUs: 0 }, start);
    const before = placeRun(c, 0, 5); // device 0–0.2 s, placed up to start + 0.2 s
    c.beginSegment(300_000, { hostTimeMs: startMs + 100, deviceTimeUs: 300_000 }, start);
    const t = c.place(300_000);
    expect(t).toBe(before.at(-1)! + 50n * MS);
  });

  it('a resume after a long downtime does not take the downtime as the frame interval of the next restart', () => {
    const c = new FrameClock();
    c.beginSegment(0, { hostTimeMs: startMs, deviceTimeUs: 0 }, start);
    placeRun(c, 0, 10);
    c.beginSegment(500_000, { hostTimeMs: startMs + 3_600_000, deviceTimeUs: 500_000 }, start + 3_600_000n * MS);
    const resumed = c.place(500_000);
    // the device restarts: the next frame one 50 ms interval after the last, not an hour
    expect(c.place(0)).toBe(resumed + 50n * MS);
  });

  it('a segment without an anchor after a resume document earlier than the last frame, and a repeated frame, never go back', () => {
    const c = new FrameClock();
    c.beginSegment(0, null, start);
    const before = placeRun(c, 0, 20);
    c.beginSegment(1_000_000, null, start + 100n * MS);
    const a = c.place(1_000_000);
    expect(a).toBe(before.at(-1)! + 50n * MS);
    const dup = c.place(1_000_000); // a duplicate the device sent again
    expect(dup).toBeGreaterThan(a);
    expect(c.place(1_050_000)).toBeGreaterThan(dup);
  });

  it('the clamp survives a round trip of its state through the cursor', () => {
    const c = new FrameClock();
    c.beginSegment(0, { hostTimeMs: startMs, deviceTimeUs: 0 }, start);
    const last = placeRun(c, 0, 10).at(-1)!;
    const d = new FrameClock(JSON.parse(JSON.stringify(c.state())));
    d.beginSegment(500_000, { hostTimeMs: startMs + 100, deviceTimeUs: 500_000 }, start + 100n * MS);
    expect(d.place(500_000)).toBe(last + 50n * MS);
  });
});

/**
 * A device as the soak drives it: a clock in µs and a sequence number that a
 * power cycle restarts at 0, frames 50 ms apart, a clock that runs `speed`
 * times faster than the host's (the accelerated emulator; a real device's
 * clock drifts the same way, slower).
 */
class SoakDevice {
  private seq = 0;
  private us = 0;
  private readonly template: RingFrame = new RingSimulator({ sites: 4, seed: 3 }).frame({ omega: 0.5 });
  last: RingFrame | null = null;
  next(): RingFrame {
    const f = { ...this.template, seq: this.seq++, deviceTimeUs: this.us };
    this.us += 50_000;
    this.last = f;
    return f;
  }
  skip(frames: number): void {
    this.seq += frames;
    this.us += frames * 50_000;
  }
  powerCycle(): void {
    this.seq = 0;
    this.us = 0;
  }
  get deviceUs(): number {
    return this.us;
  }
}

/**
 * Writes a run with a seeded sequence of the soak's faults, as the run record
 * writes it: every session (start, resume after SIGKILL) and every power
 * cycle opens a segment whose header anchors the device clock at the host time
 * its first frame was journaled — late after a freeze (SIGSTOP), early against
 * a device clock that runs fast. Returns the number of frames journaled.
 */
function soakRun(w: RunWriter, rng: Rng): number {
  const dev = new SoakDevice();
  const speed = 1 + 4 * rng.uniform();
  let hostMs = startMs;
  let index = 1;
  let journaled = 0;
  const open = (kind: 'calibration' | 'frames', lagMs: number, withAnchor = true): void => {
    const name = `${kind}-${String(index).padStart(6, '0')}.jsonl`;
    w.segment(name, withAnchor ? { hostTimeMs: hostMs + lagMs, deviceTimeUs: dev.deviceUs } : undefined);
  };
  const frames = (n: number): void => {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      lines.push(frameToJson(dev.next()));
      hostMs += 50 / speed;
    }
    w.raw(lines.map((l) => l + '\n').join(''));
    journaled += n;
  };
  open('calibration', 0);
  frames(20);
  open('frames', 0);
  frames(50);
  for (let f = 0; f < 40; f++) {
    const kind = Math.floor(rng.uniform() * 7);
    if (kind === 0) {
      // unplug or stall: the device goes on counting, the daemon hears nothing
      const lost = 1 + Math.floor(rng.uniform() * 100);
      dev.skip(lost);
      hostMs += (lost * 50) / speed;
    } else if (kind === 1) {
      // power cycle: seq and clock restart at 0, a new segment with a fresh anchor
      dev.powerCycle();
      hostMs += 2000 * rng.uniform();
      index++;
      open('frames', 0);
    } else if (kind === 2) {
      // daemon SIGKILL + restart: a resume document, new segments, a fresh anchor for the running device clock
      const down = 500 + 5000 * rng.uniform();
      dev.skip(Math.floor(down / 50));
      hostMs += down / speed;
      w.doc({ type: 'resume', time: new Date(hostMs).toISOString(), downtimeMs: down });
      index++;
      if (rng.uniform() < 0.3) {
        open('calibration', 0);
        frames(5);
      }
      open('frames', 0);
    } else if (kind === 3) {
      // SIGSTOP across a power cycle: the frames wait in the link; the new anchor is taken late
      dev.powerCycle();
      index++;
      open('frames', 3000 * rng.uniform());
    } else if (kind === 4 && dev.last) {
      // a frame the device sent again (a duplicate is journaled)
      w.raw(frameToJson(dev.last) + '\n');
      journaled++;
    } else if (kind === 5) {
      // size rotation: same session, same anchor
      index++;
      open('frames', 0, rng.uniform() < 0.5);
    }
    frames(1 + Math.floor(rng.uniform() * 60));
  }
  return journaled;
}

describe('frame clock: a run with the fault sequence of a soak', () => {
  it('every journaled frame yields a distinct (series, time), strictly increasing in acquisition order (20 seeds)', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const w = runWriter(mkdtempSync(join(tmpdir(), 'holoring-clock-')), `R${seed}`, { startTime: new Date(startMs).toISOString() });
      const journaled = soakRun(w, new Rng(seed));
      let cursor = emptyCursor();
      const times: bigint[] = [];
      const keys = new Set<string>();
      for (let i = 0; i < 10_000; i++) {
        // small batches: the clock's state goes through the cursor between them
        const b = await readBatch(w.dir, cursor, 37);
        if (b.points.length === 0 && b.next.segment === cursor.segment && b.next.offset === cursor.offset) break;
        for (const p of b.points) {
          times.push(BigInt(p.timestamp as string));
          keys.add(`${p.measurement},${Object.entries(p.tags!).sort().join(',')} ${String(p.timestamp)}`);
        }
        cursor = b.next;
      }
      expect(times.length, `seed ${seed}`).toBe(journaled);
      expect(keys.size, `seed ${seed}: distinct (series, time)`).toBe(journaled);
      for (let i = 1; i < times.length; i++) expect(times[i] > times[i - 1], `seed ${seed}, frame ${i}`).toBe(true);
    }
  });
});
