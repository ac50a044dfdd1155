import { from, lastValueFrom, map } from 'rxjs';
import { RingSimulator, frequencyGrid } from '../../drivers/sim/simulator.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { calibrate } from '../../src/pipeline/calibrate.ts';
import { accumulateResponse } from '../../src/pipeline/responseAccumulator.ts';
import { ringTransform } from '../../src/pipeline/ringTransform.ts';
import { truthRecord } from '../../tests/calibration/support/truthRecord.ts';
import type { BenchSuite } from '../run.ts';

/**
 * The live response table from calibrated frames (default ring: 64 sites,
 * |k| ≤ 12, 48 ω, 4 frames per ω, 8 sweeps = 1536 frames): with each row's
 * share of the error common to its ω (the covariance across k propagated per
 * frame, the first principal component per ω after every frame) against the
 * same frames whose covariance is dropped before the accumulator (rows taken as
 * independent).
 */
export const suite: BenchSuite = {
  name: 'response-table',
  cases: async () => {
    const sim = new RingSimulator({ seed: 1 });
    const identity = { model: 'HR-SIM', serial: 'SIM-0001', firmware: '1.0.0', protocolVersion: '1.0' };
    const record = truthRecord(sim, identity);
    const frames: RingFrame[] = [];
    for (let s = 0; s < 8; s++) for (const omega of frequencyGrid(0.25, 12, 0.25)) for (let i = 0; i < 4; i++) frames.push(sim.frame({ omega }));
    const table = (withStep: boolean) => () =>
      lastValueFrom(from(frames).pipe(
        calibrate({ record, identity }),
        ringTransform({ kMax: 12, gamma: 0.25 }),
        map((f) => (withStep ? f : { ...f, kCovariance: undefined })),
        accumulateResponse(),
      ));
    return [{
      name: 'response table of 1536 frames with sigmaStep',
      run: table(true),
      baseline: { name: 'response table of 1536 frames, rows independent', run: table(false) },
      repeats: 5,
      warmup: 1,
      goalRatio: 2,
    }];
  },
};
