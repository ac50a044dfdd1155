import { describe, expect, it } from 'vitest';
import { from, lastValueFrom } from 'rxjs';
import { runCalibration } from '../../calibration/procedure.ts';
import { scoreCalibration } from '../../calibration/score.ts';
import { RingSimulator, frequencyGrid } from '../../drivers/sim/simulator.ts';
import type { CalibrationRecord } from '../../src/contracts/calibration.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { btzMetric, deformedMetric } from '../../src/physics/metric.ts';
import { defaultSourceSites } from '../../calibration/procedure.ts';
import { solveCalibration } from '../../calibration/solve.ts';
import { buildRecord } from '../../calibration/record.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { codeOf } from './support/codeOf.ts';
import { calibrate } from '../../src/pipeline/calibrate.ts';
import { accumulateResponse } from '../../src/pipeline/responseAccumulator.ts';
import { ringTransform } from '../../src/pipeline/ringTransform.ts';
import { SimRingDevice } from '../../drivers/sim/device.ts';
import { chi2Window } from './support/chi2Window.ts';

/**
 * Accuracy at the simulator defaults (1% noise, gains 1%, phases 1°, offsets 1e-3),
 * scored against the injected truth up to the documented overall reference
 * (docs/calibration.md): the relative gains per site, and the overall constant
 * against the record's own reference σ.
 */
const GAMMA = 0.25;

/** Reduced χ² of the table made from `frames` against the disk closed form, each frame calibrated with `record`. */
async function chiReducedChi2(sim: RingSimulator, record: CalibrationRecord | null, perOmega: number): Promise<{ red: number; points: number }> {
  const frames = [];
  for (const omega of frequencyGrid(0.5, 12, 0.5)) for (let r = 0; r < perOmega; r++) frames.push(sim.frame({ omega, sourceSite: 5 }));
  const ident = { model: 'HOLORING-RING', serial: 'SIM-0001', firmware: '1.0.0', protocolVersion: '1.0' };
  const table = await lastValueFrom(
    from(frames).pipe(calibrate({ record, identity: ident }), ringTransform({ kMax: 12, gamma: GAMMA, allowUncalibrated: record === null }), accumulateResponse()),
  );
  let chi2 = 0;
  for (const p of table.points) {
    const cf = diskChi(1.5, { re: p.omega, im: p.gamma }, p.k);
    chi2 += ((p.chiRe - cf.re) ** 2 + (p.chiIm - cf.im) ** 2) / (p.sigma * p.sigma);
  }
  return { red: chi2 / (2 * table.points.length), points: table.points.length };
}

describe('calibration accuracy against the injected errors', () => {
  for (const seed of [1, 2]) {
    it(`recovers gains ≤ 0.5%, phases ≤ 0.5°, offsets within noise, and χ matches the closed form (seed ${seed})`, async () => {
      const sim = new RingSimulator({ seed });
      const device = new SimRingDevice({ sim, speed: 2000 });
      await device.connect();
      const { record } = await runCalibration(device, { note: 'accuracy test' });
      const s = scoreCalibration(record, sim.truth());
      expect(s.gainMaxRel).toBeLessThan(0.005);
      expect(s.phaseMaxDeg).toBeLessThan(0.5);
      // offsets: z-scores look like unit normals (128 of them)
      expect(s.offsetMaxZ).toBeLessThan(4.5);
      expect(s.offsetRmsZ).toBeGreaterThan(0.7);
      expect(s.offsetRmsZ).toBeLessThan(1.3);
      // the overall constant from the uv-ads reference: 1 within its stated σ
      expect(s.overallZ).toBeLessThan(4);
      expect(record.reference.sigma).toBeLessThan(0.002);
      expect(record.residuals.reducedChi2).toBeGreaterThan(0.8);
      expect(record.residuals.reducedChi2).toBeLessThan(1.25);
      // χ from calibrated frames vs the closed form. 3 frames per ω, σ from their scatter (made
      // unbiased in 1/σ² by the accumulator): the random part dominates σ, so the reduced χ² follows
      // the χ² distribution. With many frames per ω the calibration's own error (common to every
      // frame and correlated across ω and k through 64 site constants) dominates, and the reduced χ²
      // of one calibration scatters far more widely than the distribution of independent points.
      const cal = await chiReducedChi2(sim, record, 3);
      expect(cal.points).toBe(24 * 13);
      // bounded by the χ² distribution for 2 real values per point (≈ 0.77–1.23 over 624)
      const [lo, hi] = chi2Window(2 * cal.points);
      expect(cal.red).toBeGreaterThan(lo);
      expect(cal.red).toBeLessThan(hi);
      await device.close();
    });
  }

  it('the χ check can fail: raw (uncalibrated) frames are far off the closed form', async () => {
    const sim = new RingSimulator({ seed: 3 });
    const raw = await chiReducedChi2(sim, null, 8);
    expect(raw.red).toBeGreaterThan(20);
  });

  it('the uv-ads reference holds for a deformed interior (the UV is universal)', async () => {
    const sim = new RingSimulator({ seed: 4, metric: deformedMetric() });
    const device = new SimRingDevice({ sim, speed: 2000 });
      await device.connect();
    const { record } = await runCalibration(device);
    const s = scoreCalibration(record, sim.truth());
    expect(s.gainMaxRel).toBeLessThan(0.005);
    expect(s.phaseMaxDeg).toBeLessThan(0.5);
    expect(s.overallZ).toBeLessThan(4);
    await device.close();
  });

  it('above T_HP the btz reference geometry calibrates a BTZ sample; the disk reference is refused there', () => {
    const sim = new RingSimulator({ seed: 1, metric: btzMetric(1.5) });
    const frames: RingFrame[] = [];
    for (let i = 0; i < 16; i++) frames.push(sim.frame({ omega: 1, amplitude: 0 }));
    for (const omega of [0.5, 1, 2]) for (const s of defaultSourceSites(64)) for (let r = 0; r < 4; r++) frames.push(sim.frame({ omega, sourceSite: s }));
    const record = buildRecord(solveCalibration(frames, { reference: { geometry: 'btz:1.5' } }), { device: { model: 'M', serial: 'S' } });
    const s = scoreCalibration(record, sim.truth());
    expect(s.gainMaxRel).toBeLessThan(0.005);
    expect(s.phaseMaxDeg).toBeLessThan(0.5);
    expect(s.overallZ).toBeLessThan(4);
    expect(codeOf(() => solveCalibration(frames, { reference: { geometry: 'ads' } }))).toBe('RING_ERR_CALIB_REFERENCE');
  });

  it('exact (noiseless) data give the injected gains and offsets exactly, the overall constant included', () => {
    const sim = new RingSimulator({ seed: 12, noise: 0, noiseFloor: 0 });
    const frames: RingFrame[] = [];
    for (let i = 0; i < 4; i++) frames.push(sim.frame({ omega: 1, amplitude: 0 }));
    for (const omega of [0.5, 2]) for (const s of [0, 1, 30]) for (let r = 0; r < 2; r++) frames.push(sim.frame({ omega, sourceSite: s }));
    const sol = solveCalibration(frames);
    const t = sim.truth();
    sol.gains.forEach((g, j) => expect(Math.hypot(g.re - t.gains[j].re, g.im - t.gains[j].im)).toBeLessThan(1e-9));
    sol.offsets.forEach((o, j) => expect(Math.hypot(o.re - t.offsets[j].re, o.im - t.offsets[j].im)).toBeLessThan(1e-15));
  });
});
