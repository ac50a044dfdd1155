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
  it('running means and σ of the mean from the scatter equal the direct two-pass values (without a noise model: own scatter, made unbiased in 1/σ²)', async () => {
    const rng = new Rng(3);
    const samples = Array.from({ length: 25 }, () => [[1 + 0.1 * rng.normal(), -2 + 0.1 * rng.normal()], [5 + rng.normal(), rng.normal()]] as [number, number][]);
    const frames = samples.map((v) => chiFrame(2, v, 'cal-0000000000000001', NaN));
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
      const dof = 2 * 24;
      expect(p.sigma).toBeCloseTo(Math.sqrt((v * dof) / (dof - 2) / 25), 12);
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

describe('σ from few frames (the χ² of a correct model is 1)', () => {
  // χ_k noise as the ring transform propagates it: the same sites for every k, scaled by e^{k²w²/2}
  const K = 13;
  const model = Array.from({ length: K }, (_, k) => 0.01 * Math.exp((k * k * 0.3 * 0.3) / 2));
  /** Mean of ((mean − truth)/σ̂)² per component over many tables of `frames` frames, with the true noise `scale`× the model's. */
  async function meanChi2(frames: number, seed: number, opts: { modelKnown: boolean; scale?: number[] }): Promise<number> {
    const rng = new Rng(seed);
    let sum = 0;
    let count = 0;
    for (let rep = 0; rep < 300; rep++) {
      const truth = Array.from({ length: K }, () => [rng.normal(), rng.normal()] as const);
      const fs: ChiFrame[] = [];
      for (let i = 0; i < frames; i++) {
        fs.push({
          seq: i, deviceTimeUs: 0, omega: 3, gamma: 0.25, sourceSite: 0, flags: 0, calibrationVersion: 'cal-0000000000000001',
          chi: truth.map(([re, im], k) => {
            const s = model[k] * (opts.scale?.[k] ?? 1);
            return { k, re: re + s * rng.normal(), im: im + s * rng.normal(), sigma: opts.modelKnown ? model[k] : NaN };
          }),
        });
      }
      const t = await lastValueFrom(from(fs).pipe(accumulateResponse()));
      for (const p of t.points) {
        sum += ((p.chiRe - truth[p.k][0]) / p.sigma) ** 2 + ((p.chiIm - truth[p.k][1]) / p.sigma) ** 2;
        count += 2;
      }
    }
    return sum / count;
  }

  it('with the noise model: ≈ 1 already at 3 frames per point (a plain scatter σ gives ≈ 2)', async () => {
    for (const n of [3, 5]) expect(Math.abs((await meanChi2(n, 11 + n, { modelKnown: true })) - 1)).toBeLessThan(0.08);
  });

  it('without it: ≈ 1 from 5 frames per point on (own scatter made unbiased)', async () => {
    expect(Math.abs((await meanChi2(5, 21, { modelKnown: false })) - 1)).toBeLessThan(0.1);
  });

  it('a point noisier than the model says (common-mode noise at k = 0) gets its own σ as frames accumulate', async () => {
    const scale = Array.from({ length: K }, (_, k) => (k === 0 ? 3 : 1));
    const rng = new Rng(5);
    const fs: ChiFrame[] = Array.from({ length: 200 }, (_, i) => ({
      seq: i, deviceTimeUs: 0, omega: 3, gamma: 0.25, sourceSite: 0, flags: 0, calibrationVersion: 'cal-0000000000000001',
      chi: model.map((m, k) => ({ k, re: m * scale[k] * rng.normal(), im: m * scale[k] * rng.normal(), sigma: m })),
    }));
    const t = await lastValueFrom(from(fs).pipe(accumulateResponse()));
    const ratio = t.points[0].sigma / (model[0] * 3 / Math.sqrt(200));
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.1);
    // the others stay at their own level
    expect(t.points[5].sigma / (model[5] / Math.sqrt(200))).toBeLessThan(1.15);
  });
});
