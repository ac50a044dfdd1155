import { Observable, type OperatorFunction, isObservable, of } from 'rxjs';
import type { CalibratedFrame, CalibrationRecord, CalibrationStatus } from '../contracts/calibration.ts';
import type { DeviceIdentity } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';

/**
 * Pipeline stage: raw frames in, calibrated frames out, each stamped with the
 * calibration version used. The raw frame rides along untouched (`raw`), so any
 * run can be re-calibrated later. A frame is left raw and flagged (never
 * silently calibrated) when the device identity (model, serial) differs from the
 * record's, when the record does not fit (site count), or when no record is active.
 */
export interface CalibrateOptions {
  /** The record to apply; an Observable switches records while running (null: none active). */
  record: CalibrationRecord | null | Observable<CalibrationRecord | null>;
  /** Identity of the device the frames come from (from RingDevice.identify()). */
  identity: DeviceIdentity | Observable<DeviceIdentity>;
}

export function identityMatches(record: CalibrationRecord, identity: DeviceIdentity | null | undefined): boolean {
  return !!identity && identity.model === record.device.model && identity.serial === record.device.serial;
}

/**
 * Calibrates one frame: c_j⁻¹ (z_j − o_j). Per-site σ (per real component) combines
 * the record's noise model, the offset σ and the gain σ without its reference part:
 * the overall constant's error is the same at every site, not independent per site,
 * and ringTransform adds it once, coherently (referenceSigma).
 */
export function applyCalibration(frame: RingFrame, record: CalibrationRecord | null, identity: DeviceIdentity | null | undefined): CalibratedFrame {
  const left = (status: CalibrationStatus): CalibratedFrame => ({ ...frame, raw: frame, status, calibrationVersion: null });
  if (!record) return left('uncalibrated');
  if (!identityMatches(record, identity)) return left('identity-mismatch');
  const n = frame.x.length;
  if (n !== record.sites || frame.y.length !== n) return left('record-mismatch');
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const siteSigma = new Float64Array(n);
  const siteSigmaSystematic = new Float64Array(n);
  const { relative, floor } = record.noise;
  const lam = record.reference.factor, lamAbs = Math.hypot(lam.re, lam.im), refSigma = record.reference.sigma;
  for (let j = 0; j < n; j++) {
    const zr = frame.x[j] - record.offsets[j].re;
    const zi = frame.y[j] - record.offsets[j].im;
    const g = record.gains[j];
    const g2 = g.re * g.re + g.im * g.im;
    const cr = (zr * g.re + zi * g.im) / g2;
    const ci = (zi * g.re - zr * g.im) / g2;
    x[j] = cr;
    y[j] = ci;
    // per-component variances: reading noise and offset error scale by 1/|c|², the gain error by |z_cal|²/|c|²
    const readVar = (relative * relative * (zr * zr + zi * zi) + floor * floor) / 2;
    const offVar = record.offsetSigma[j] * record.offsetSigma[j];
    // the gain's σ holds the reference's |ĝ_j|σ_ref (ĝ_j = c_j/λ, calibration/solve.ts): left out here
    const gainRef = (Math.sqrt(g2) / lamAbs) * refSigma;
    const gainVar = (cr * cr + ci * ci) * Math.max(0, record.gainSigma[j] * record.gainSigma[j] - gainRef * gainRef);
    siteSigma[j] = Math.sqrt((readVar + offVar + gainVar) / g2);
    siteSigmaSystematic[j] = Math.sqrt((offVar + gainVar) / g2);
  }
  return { ...frame, x, y, raw: frame, status: 'calibrated', calibrationVersion: record.version, siteSigma, siteSigmaSystematic, referenceSigma: record.reference.sigma };
}

export function calibrate(opts: CalibrateOptions): OperatorFunction<RingFrame, CalibratedFrame> {
  const record$ = isObservable(opts.record) ? opts.record : of(opts.record);
  const identity$ = isObservable(opts.identity) ? opts.identity : of(opts.identity);
  return (source) =>
    new Observable<CalibratedFrame>((subscriber) => {
      let record: CalibrationRecord | null = null;
      let identity: DeviceIdentity | null = null;
      const subs = [
        record$.subscribe({ next: (r) => (record = r), error: (e) => subscriber.error(e) }),
        identity$.subscribe({ next: (i) => (identity = i), error: (e) => subscriber.error(e) }),
      ];
      subs.push(
        source.subscribe({
          next: (f) => subscriber.next(applyCalibration(f, record, identity)),
          error: (e) => subscriber.error(e),
          complete: () => subscriber.complete(),
        }),
      );
      return () => subs.forEach((s) => s.unsubscribe());
    });
}
