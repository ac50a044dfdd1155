import { buildRecord } from '../../../calibration/record.ts';
import type { RingSimulator } from '../../../drivers/sim/simulator.ts';
import type { CalibrationRecord } from '../../../src/contracts/calibration.ts';

/** A record holding the simulator's injected errors exactly (σ tiny), for testing the apply path independently of the solver. */
export function truthRecord(sim: RingSimulator, device = { model: 'HR-SIM', serial: 'SIM-0001' }): CalibrationRecord {
  const t = sim.truth();
  const n = sim.sites;
  return buildRecord(
    {
      sites: n, offsets: t.offsets, offsetSigma: new Array(n).fill(0), gains: t.gains, gainSigma: new Array(n).fill(0),
      noise: { relative: sim.noise, floor: sim.noiseFloor },
      reference: { kind: 'unit-mean', factor: { re: 1, im: 0 }, sigma: 0 },
      residuals: { chi2: 0, dof: 1, reducedChi2: 0, maxNormalized: 0, condition: 1, perSite: new Array(n).fill(0), iterations: 0 },
      data: { offFrames: 0, framesUsed: 0, framesRejected: 0, sourceWidth: sim.width, sourceSites: [], omegas: [], amplitudes: [], framesPerSetting: 1, simulated: true },
    },
    { device, note: 'injected truth', createdAt: new Date('2026-01-01T00:00:00Z') },
  );
}
