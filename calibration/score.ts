import type { CalibrationRecord, ComplexValue } from '../src/contracts/calibration.ts';
import { HoloringError } from '../src/errors.ts';
import { CalibrationErrorCodes as E } from './errors.ts';

/**
 * Scores a record against the injected calibration errors (the simulator's
 * truth(), or the emulator's `--truth FILE`: arrays indexed by site of {re, im}).
 *
 * Gains are scored up to the documented overall reference: `overall` is the
 * mean of c_measured/c_true over the sites — for the uv-ads reference it should
 * be 1 within the record's reference σ; the per-site errors are those of
 * (c_measured/c_true)/overall, i.e. of the relative calibration.
 */
export interface CalibrationScore {
  /** Mean of c_measured / c_true (the reference's overall constant error). */
  overall: ComplexValue;
  /** |overall − 1| in units of the record's reference σ (per component, larger one). */
  overallZ: number;
  /** Largest relative gain magnitude error after removing `overall`. */
  gainMaxRel: number;
  /** Largest gain phase error in degrees after removing `overall`. */
  phaseMaxDeg: number;
  /** Largest |offset error| per real component in units of the record's offset σ. */
  offsetMaxZ: number;
  /** RMS of the offset errors' z-scores (≈ 1 when the σ are right). */
  offsetRmsZ: number;
}

export interface TruthLike {
  gains: ComplexValue[];
  offsets: ComplexValue[];
}

export function scoreCalibration(record: CalibrationRecord, truth: TruthLike): CalibrationScore {
  const n = record.sites;
  if (truth.gains.length !== n || truth.offsets.length !== n) {
    throw new HoloringError(E.MISMATCH, `truth has ${truth.gains.length} sites, the record ${n}`, { sites: n });
  }
  const ratio = record.gains.map((g, j) => {
    const t = truth.gains[j];
    const d = t.re * t.re + t.im * t.im;
    return { re: (g.re * t.re + g.im * t.im) / d, im: (g.im * t.re - g.re * t.im) / d };
  });
  const overall = { re: ratio.reduce((a, r) => a + r.re, 0) / n, im: ratio.reduce((a, r) => a + r.im, 0) / n };
  const od = overall.re * overall.re + overall.im * overall.im;
  let gainMaxRel = 0;
  let phaseMaxDeg = 0;
  for (const r of ratio) {
    const q = { re: (r.re * overall.re + r.im * overall.im) / od, im: (r.im * overall.re - r.re * overall.im) / od };
    gainMaxRel = Math.max(gainMaxRel, Math.abs(Math.hypot(q.re, q.im) - 1));
    phaseMaxDeg = Math.max(phaseMaxDeg, Math.abs((Math.atan2(q.im, q.re) * 180) / Math.PI));
  }
  const refSigma = record.reference.sigma;
  const overallZ = refSigma > 0 ? Math.max(Math.abs(overall.re - 1), Math.abs(overall.im)) / refSigma : NaN;
  let offsetMaxZ = 0;
  let sumZ2 = 0;
  record.offsets.forEach((o, j) => {
    const s = record.offsetSigma[j];
    const zr = (o.re - truth.offsets[j].re) / s;
    const zi = (o.im - truth.offsets[j].im) / s;
    offsetMaxZ = Math.max(offsetMaxZ, Math.abs(zr), Math.abs(zi));
    sumZ2 += zr * zr + zi * zi;
  });
  return { overall, overallZ, gainMaxRel, phaseMaxDeg, offsetMaxZ, offsetRmsZ: Math.sqrt(sumZ2 / (2 * n)) };
}
