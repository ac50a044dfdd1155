import { lastValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { runCalibration } from '../../calibration/procedure.ts';
import { SimRingDevice } from '../../drivers/sim/device.ts';
import { RingSimulator, frequencyGrid } from '../../drivers/sim/simulator.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { calibrate } from '../../src/pipeline/calibrate.ts';
import { accumulateResponse } from '../../src/pipeline/responseAccumulator.ts';
import { ringTransform } from '../../src/pipeline/ringTransform.ts';
import { chi2Window } from './support/chi2Window.ts';

/**
 * An overnight run averages thousands of frames: the random error of χ shrinks as
 * 1/√n but the calibration's own error does not. The table's σ must keep both, so
 * the reduced χ² against the truth stays near 1 however long the run.
 */
describe('long runs keep honest error bars', () => {
  it('reduced χ² against the closed form stays within the χ² distribution\'s 4σ with 96 frames per ω', async () => {
    const sim = new RingSimulator({ seed: 4 });
    const device = new SimRingDevice({ sim, speed: 2000 });
    const identity = await device.connect();
    const { record } = await runCalibration(device, { note: 'long run test' });
    await device.close();
    const frames = [];
    for (const omega of frequencyGrid(1, 12, 1)) for (let r = 0; r < 96; r++) frames.push(sim.frame({ omega, sourceSite: 9 }));
    const table = await lastValueFrom(from(frames).pipe(calibrate({ record, identity }), ringTransform({ kMax: 12, gamma: 0.25 }), accumulateResponse()));
    let chi2 = 0;
    for (const p of table.points) {
      const cf = diskChi(1.5, { re: p.omega, im: p.gamma }, p.k);
      chi2 += ((p.chiRe - cf.re) ** 2 + (p.chiIm - cf.im) ** 2) / (p.sigma * p.sigma);
    }
    const red = chi2 / (2 * table.points.length);
    expect(table.points).toHaveLength(12 * 13);
    process.stderr.write(`long run: reduced χ² ${red.toFixed(3)} over ${table.points.length} points\n`);
    const [lo, hi] = chi2Window(2 * table.points.length);
    expect(red).toBeGreaterThan(lo);
    expect(red).toBeLessThan(hi);
  });
});
