import { type Observable, lastValueFrom, tap } from 'rxjs';
import type { AccumulatedResponse, CalibrationRecord, CalibrationStatus } from '../src/contracts/calibration.ts';
import type { DeviceIdentity } from '../src/contracts/device.ts';
import type { RingFrame } from '../src/contracts/frame.ts';
import { calibrate } from '../src/pipeline/calibrate.ts';
import { accumulateResponse } from '../src/pipeline/responseAccumulator.ts';
import { ringTransform } from '../src/pipeline/ringTransform.ts';

/**
 * Re-calibration of recorded raw frames with a given record: raw frames →
 * calibrate → ring transform → response table, the same stages the live
 * pipeline uses, so a run can be recomputed with any record later.
 */
export interface RecalibrateOptions {
  kMax: number;
  gamma: number;
  minFrames?: number;
}

export interface RecalibrateResult {
  table: AccumulatedResponse;
  /** Frames by calibration status. */
  status: Partial<Record<CalibrationStatus, number>>;
  /** Frames the ring transform skipped, by reason. */
  skipped: Record<string, number>;
}

export async function recalibrate(frames$: Observable<RingFrame>, record: CalibrationRecord, identity: DeviceIdentity, opts: RecalibrateOptions): Promise<RecalibrateResult> {
  const status: Partial<Record<CalibrationStatus, number>> = {};
  const skipped: Record<string, number> = {};
  const empty: AccumulatedResponse = { points: [], noiseless: false, calibrationVersion: record.version, frames: 0, dropped: {} };
  const table = await lastValueFrom(
    frames$.pipe(
      calibrate({ record, identity }),
      tap((f) => (status[f.status] = (status[f.status] ?? 0) + 1)),
      ringTransform({ kMax: opts.kMax, gamma: opts.gamma, counters: skipped }),
      accumulateResponse({ minFrames: opts.minFrames }),
    ),
    { defaultValue: empty },
  );
  return { table, status, skipped };
}
