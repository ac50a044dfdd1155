import type { RingFrame } from '../contracts/frame.ts';

/**
 * Plausibility of a frame's raw lock-in readings, checked before a frame is
 * used (the live pipeline, `holoring recalibrate`, the calibration procedure).
 * An implausible frame is skipped and counted by reason; the frames around it
 * are kept.
 *
 * * `non-finite-reading`: a reading that is NaN or ±∞.
 * * `implausible-reading`: a reading whose magnitude |x_j + i·y_j| is more than
 *   IMPLAUSIBLE_DYNAMIC_RANGE times the median magnitude of the same frame's
 *   sites, or above IMPLAUSIBLE_READING_MAX. All sites of one frame are read
 *   by lock-in channels of the same range at the same instant: a lock-in's
 *   dynamic range (full scale over noise floor) is at most ~10⁷ (140 dB), so a
 *   reading 10⁸ times the frame's median cannot be a measurement (an overflow,
 *   a corrupted value); a reading above 10¹⁰⁰ is none in any unit, and its
 *   square would overflow the scatter of the points it enters. The ratio needs
 *   no unit and holds for any Δ: the ideal ring's largest-to-median site
 *   response stays within a few decades (the smeared source, σ = 0.15 rad,
 *   bounds the peak at the source site).
 */
export const IMPLAUSIBLE_DYNAMIC_RANGE = 1e8;
export const IMPLAUSIBLE_READING_MAX = 1e100;

export type ImplausibleReason = 'non-finite-reading' | 'implausible-reading';

/** Why a frame's readings are implausible, with the first offending site; null when they are plausible. */
export function implausibleReading(frame: Pick<RingFrame, 'x' | 'y'>): { reason: ImplausibleReason; site: number } | null {
  const n = Math.min(frame.x.length, frame.y.length);
  const mag = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(frame.x[j]) || !Number.isFinite(frame.y[j])) return { reason: 'non-finite-reading', site: j };
    mag[j] = Math.hypot(frame.x[j], frame.y[j]);
    if (mag[j] > IMPLAUSIBLE_READING_MAX) return { reason: 'implausible-reading', site: j };
  }
  const median = Float64Array.from(mag).sort()[n >> 1];
  if (median > 0) {
    for (let j = 0; j < n; j++) if (mag[j] > IMPLAUSIBLE_DYNAMIC_RANGE * median) return { reason: 'implausible-reading', site: j };
  }
  return null;
}
