import { from, lastValueFrom } from 'rxjs';
import { defaultSourceSites } from '../../../calibration/procedure.ts';
import { buildRecord } from '../../../calibration/record.ts';
import { solveCalibration } from '../../../calibration/solve.ts';
import { RingSimulator, frequencyGrid } from '../../../drivers/sim/simulator.ts';
import type { AccumulatedResponse, CalibrationRecord } from '../../../src/contracts/calibration.ts';
import type { RingFrame } from '../../../src/contracts/frame.ts';
import type { Metric } from '../../../src/physics/metric.ts';
import { calibrate } from '../../../src/pipeline/calibrate.ts';
import { accumulateResponse } from '../../../src/pipeline/responseAccumulator.ts';
import { ringTransform } from '../../../src/pipeline/ringTransform.ts';
import { truthRecord } from '../../calibration/support/truthRecord.ts';

/**
 * A live response table as the daemon builds it, in-process and without bytes:
 * the simulated ring calibrated by the default procedure's settings (offsets
 * with the source off, 16 + 1 source sites at ω = 0.5, 1, 2), then `sweeps`
 * sweeps of `framesPerOmega` frames per ω with the source at site 0, through
 * calibrate → ring transform → accumulator. `calibration: 'truth'` applies the
 * injected errors exactly (the reading noise alone). The truth is the
 * simulator's own χ (closed form or mode solver).
 */
export interface LiveTableOptions {
  seed: number;
  metric?: Metric;
  kMax: number;
  omegas: readonly number[];
  framesPerOmega: number;
  sweeps?: number;
  calibration?: 'procedure' | 'truth';
  calibrationFrames?: number;
}

const DEVICE = { model: 'HR-SIM', serial: 'SIM-0001', firmware: '1.0.0', protocolVersion: '1.0' };

export function procedureRecord(sim: RingSimulator, framesPerSetting: number): CalibrationRecord {
  const frames: RingFrame[] = [];
  for (let i = 0; i < 16; i++) frames.push(sim.frame({ omega: 0.5, amplitude: 0 }));
  for (const omega of [0.5, 1, 2]) for (const s of defaultSourceSites(sim.sites)) for (let r = 0; r < framesPerSetting; r++) frames.push(sim.frame({ omega, sourceSite: s }));
  return buildRecord(solveCalibration(frames, { reference: { kind: 'uv-ads', geometry: 'ads', delta: sim.delta, gamma: sim.gamma } }), { device: DEVICE, createdAt: new Date('2026-01-01T00:00:00Z') });
}

export async function liveTable(o: LiveTableOptions): Promise<{ table: AccumulatedResponse; sim: RingSimulator }> {
  const sim = new RingSimulator({ seed: o.seed, ...(o.metric ? { metric: o.metric } : {}) });
  const record = o.calibration === 'truth' ? truthRecord(sim, DEVICE) : procedureRecord(sim, o.calibrationFrames ?? 4);
  const frames: RingFrame[] = [];
  for (let s = 0; s < (o.sweeps ?? 1); s++) for (const omega of o.omegas) for (let i = 0; i < o.framesPerOmega; i++) frames.push(sim.frame({ omega, sourceSite: 0 }));
  const table = await lastValueFrom(from(frames).pipe(calibrate({ record, identity: DEVICE }), ringTransform({ kMax: o.kMax, gamma: sim.gamma }), accumulateResponse()));
  return { table, sim };
}

/** The small accelerated ring of the live tests (tests/support/liveDaemon.ts SMALL_RING): |k| ≤ 4, ω = 0.5…12 in steps of 0.5. */
export const SMALL_RING_OMEGAS = frequencyGrid(0.5, 12, 0.5);
