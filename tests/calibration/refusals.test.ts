import { describe, expect, it } from 'vitest';
import { solveCalibration } from '../../calibration/solve.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { FrameFlags } from '../../src/contracts/frame.ts';
import { codeOf } from './support/codeOf.ts';

/** The solver refuses, with a stable code, data that cannot determine the calibration. */
function frames(opts: { sites?: number[]; omegas?: number[]; reps?: number; off?: number; seed?: number; mutate?: (f: RingFrame) => RingFrame } = {}): RingFrame[] {
  const sim = new RingSimulator({ seed: opts.seed ?? 11 });
  const out: RingFrame[] = [];
  for (let i = 0; i < (opts.off ?? 8); i++) out.push(sim.frame({ omega: 1, amplitude: 0 }));
  for (const omega of opts.omegas ?? [0.5, 1, 2]) {
    for (const s of opts.sites ?? [0, 1, 8, 17, 25, 33, 41, 50, 58]) {
      for (let r = 0; r < (opts.reps ?? 3); r++) out.push((opts.mutate ?? ((f) => f))(sim.frame({ omega, sourceSite: s })));
    }
  }
  return out;
}


describe('calibration refusals', () => {
  it('accepts the well-posed baseline (so the refusals below are about the data)', () => {
    expect(() => solveCalibration(frames())).not.toThrow();
  });
  it('source at one site only → RING_ERR_CALIB_UNDETERMINED', () => {
    expect(codeOf(() => solveCalibration(frames({ sites: [5] })))).toBe('RING_ERR_CALIB_UNDETERMINED');
  });
  it('source sites that differ only by multiples of a divisor of N → RING_ERR_CALIB_UNDETERMINED', () => {
    expect(codeOf(() => solveCalibration(frames({ sites: [0, 16, 32, 48] })))).toBe('RING_ERR_CALIB_UNDETERMINED');
  });
  it('source off only → RING_ERR_CALIB_NO_SOURCE', () => {
    expect(codeOf(() => solveCalibration(frames({ sites: [] })))).toBe('RING_ERR_CALIB_NO_SOURCE');
  });
  it('too few source-off frames → RING_ERR_CALIB_NO_OFFSETS', () => {
    expect(codeOf(() => solveCalibration(frames({ off: 2 })))).toBe('RING_ERR_CALIB_NO_OFFSETS');
  });
  it('one frame per setting (no scatter) → RING_ERR_CALIB_TOO_FEW_FRAMES', () => {
    expect(codeOf(() => solveCalibration(frames({ reps: 1 })))).toBe('RING_ERR_CALIB_TOO_FEW_FRAMES');
  });
  it('no frames at all → RING_ERR_CALIB_DATA', () => {
    expect(codeOf(() => solveCalibration([]))).toBe('RING_ERR_CALIB_DATA');
  });
  it('flagged frames are not used (overload), and counted', () => {
    let i = 0;
    const fs = frames({ reps: 4, mutate: (f) => (i++ % 4 === 0 ? { ...f, flags: f.flags | FrameFlags.OVERLOAD } : f) });
    const sol = solveCalibration(fs);
    expect(sol.data.framesRejected).toBe(27);
  });
  it('a wrongly reported source site breaks rotational symmetry → RING_ERR_CALIB_RESIDUAL', () => {
    const fs = frames({ mutate: (f) => (f.sourceSite === 17 ? { ...f, sourceSite: 18 } : f) });
    expect(codeOf(() => solveCalibration(fs))).toBe('RING_ERR_CALIB_RESIDUAL');
  });
  it('a wrong source width is caught by the reference consistency check → RING_ERR_CALIB_REFERENCE', () => {
    const fs = frames({ mutate: (f) => ({ ...f, sourceWidth: 0.17 }) });
    expect(codeOf(() => solveCalibration(fs))).toBe('RING_ERR_CALIB_REFERENCE');
  });
  it('a ring too small for the reference k range → RING_ERR_CALIB_REFERENCE, unit-mean works', () => {
    const sim = new RingSimulator({ seed: 3, sites: 16 });
    const fs: RingFrame[] = [];
    for (let i = 0; i < 8; i++) fs.push(sim.frame({ omega: 1, amplitude: 0 }));
    for (const omega of [0.5, 1]) for (const s of [0, 1, 5, 9]) for (let r = 0; r < 3; r++) fs.push(sim.frame({ omega, sourceSite: s }));
    expect(codeOf(() => solveCalibration(fs))).toBe('RING_ERR_CALIB_REFERENCE');
    const sol = solveCalibration(fs, { reference: { kind: 'unit-mean' } });
    expect(sol.reference.kind).toBe('unit-mean');
    const mean = sol.gains.reduce((a, g) => ({ re: a.re + g.re / 16, im: a.im + g.im / 16 }), { re: 0, im: 0 });
    expect(mean.re).toBeCloseTo(1, 12);
    expect(mean.im).toBeCloseTo(0, 12);
  });
});
