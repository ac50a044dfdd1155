import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { ChiFrame } from '../../src/contracts/calibration.ts';
import { accumulateResponse } from '../../src/pipeline/responseAccumulator.ts';
import { Rng } from '../../src/util/random.ts';

const chiFrame = (omega: number, values: [number, number][], version: string | null = 'cal-0000000000000001', sigma = 0.1): ChiFrame => ({
  seq: 0, deviceTimeUs: 0, omega, gamma: 0.25, sourceSite: 0, flags: 0, calibrationVersion: version,
  chi: values.map(([re, im], k) => ({ k, re, im, sigma })),
});

describe('response accumulator', () => {
  it('running means and σ of the mean from the scatter equal the direct two-pass values', async () => {
    const rng = new Rng(3);
    const samples = Array.from({ length: 25 }, () => [[1 + 0.1 * rng.normal(), -2 + 0.1 * rng.normal()], [5 + rng.normal(), rng.normal()]] as [number, number][]);
    const frames = samples.map((v) => chiFrame(2, v));
    const last = await lastValueFrom(from(frames).pipe(accumulateResponse()));
    expect(last.frames).toBe(25);
    expect(last.points).toHaveLength(2);
    for (const k of [0, 1]) {
      const re = samples.map((s) => s[k][0]);
      const im = samples.map((s) => s[k][1]);
      const mr = re.reduce((a, b) => a + b) / 25;
      const mi = im.reduce((a, b) => a + b) / 25;
      const v = (re.reduce((a, b) => a + (b - mr) ** 2, 0) + im.reduce((a, b) => a + (b - mi) ** 2, 0)) / (2 * 24);
      const p = last.points[k];
      expect(p.chiRe).toBeCloseTo(mr, 12);
      expect(p.chiIm).toBeCloseTo(mi, 12);
      expect(p.sigma).toBeCloseTo(Math.sqrt(v / 25), 12);
      expect(p.gamma).toBe(0.25);
    }
  });

  it('needs two frames per point by default; with minFrames 1 uses the propagated σ', async () => {
    const frames = [chiFrame(1, [[1, 1]]), chiFrame(2, [[2, 2]]), chiFrame(2, [[4, 2]])];
    const tables = await lastValueFrom(from(frames).pipe(accumulateResponse(), toArray()));
    expect(tables.map((t) => t.points.length)).toEqual([0, 0, 1]);
    expect(tables[2].points[0]).toMatchObject({ omega: 2, k: 0, chiRe: 3, chiIm: 2 });
    const one = await lastValueFrom(from(frames.slice(0, 1)).pipe(accumulateResponse({ minFrames: 1 })));
    expect(one.points[0].sigma).toBeCloseTo(0.1, 15);
  });

  it('never mixes calibrations: a new version starts a new table', async () => {
    const frames = [chiFrame(1, [[1, 0]], 'cal-000000000000000a'), chiFrame(1, [[3, 0]], 'cal-000000000000000a'), chiFrame(1, [[10, 0]], 'cal-000000000000000b'), chiFrame(1, [[12, 0]], 'cal-000000000000000b')];
    const last = await lastValueFrom(from(frames).pipe(accumulateResponse()));
    expect(last.calibrationVersion).toBe('cal-000000000000000b');
    expect(last.frames).toBe(2);
    expect(last.points[0].chiRe).toBe(11);
    expect(last.dropped['calibration-change']).toBe(2);
  });

  it('is bounded in drive frequencies, and each subscription has its own state', async () => {
    const frames = [1, 2, 3, 3].map((w) => chiFrame(w, [[w, 0]]));
    const acc$ = from(frames).pipe(accumulateResponse({ maxOmegas: 2, minFrames: 1 }));
    const a = await lastValueFrom(acc$);
    const b = await lastValueFrom(acc$);
    expect(a.points.map((p) => p.omega)).toEqual([1, 2]);
    expect(a.dropped['too-many-omegas']).toBe(2);
    expect(b).toEqual(a);
  });
});
