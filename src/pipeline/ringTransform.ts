import { type OperatorFunction, filter, map } from 'rxjs';
import type { CalibratedFrame, ChiFrame, ChiSample } from '../contracts/calibration.ts';
import { FrameFlags, type RingFrame } from '../contracts/frame.ts';
import { chiFromSites } from '../physics/ring.ts';
import { implausibleReading } from './plausibility.ts';

/**
 * Pipeline stage: frame → χ(Ω = ω + iγ, k) for k = 0..kMax by the DFT over the
 * sites (physics.md §6), with σ per real component propagated from the frame's
 * per-site σ (NaN when the frame has none) plus the calibration's overall-scale
 * error, the calibration (systematic) part of σ on its own, and within it the
 * overall-scale error (common to every row, sigmaCommon). Frames that carry no response are
 * counted and skipped: source off, overload, unlocked, settling, implausible
 * readings (plausibility.ts), and (unless allowed) frames that were not calibrated.
 */
export interface RingTransformOptions {
  kMax: number;
  /** Material damping γ of the sample (Ω = ω + iγ). */
  gamma: number;
  /** Pass frames whose calibration status is not "calibrated" (default false). */
  allowUncalibrated?: boolean;
  /** Skip counts by reason, updated in place (for the dashboard). */
  counters?: Record<string, number>;
}

const SKIP_FLAGS: [number, string][] = [
  [FrameFlags.SOURCE_OFF, 'source-off'],
  [FrameFlags.OVERLOAD, 'overload'],
  [FrameFlags.UNLOCKED, 'unlocked'],
  [FrameFlags.SETTLING, 'settling'],
];

export function skipReason(frame: RingFrame | CalibratedFrame, allowUncalibrated = false): string | null {
  if (frame.amplitude === 0) return 'source-off';
  for (const [bit, why] of SKIP_FLAGS) if ((frame.flags & bit) !== 0) return why;
  const bad = implausibleReading('raw' in frame ? frame.raw : frame);
  if (bad) return bad.reason;
  const status = 'status' in frame ? frame.status : 'uncalibrated';
  if (status !== 'calibrated' && !allowUncalibrated) return status;
  return null;
}

/** χ of one frame for k = 0..min(kMax, ⌊(N−1)/2⌋). */
export function frameToChi(frame: RingFrame | CalibratedFrame, kMax: number, gamma: number): ChiFrame {
  const n = frame.x.length;
  const kTop = Math.min(kMax, Math.floor((n - 1) / 2));
  const chi = chiFromSites(frame.x, frame.y, frame.sourceSite, frame.sourceWidth, frame.amplitude, kTop);
  const siteSigma = 'siteSigma' in frame ? frame.siteSigma : undefined;
  const siteSys = 'siteSigmaSystematic' in frame ? frame.siteSigmaSystematic : undefined;
  const refSigma = 'referenceSigma' in frame ? (frame.referenceSigma ?? 0) : 0;
  const w2 = (frame.sourceWidth * frame.sourceWidth) / 2;
  // σ of χ_k from independent per-site σ_j: (2π/|J₀|) e^{k²σ²/2} √(Σ cos² σ_j²) / N;
  // the cos² weights are computed once per k and serve both the total and the systematic σ
  const cos2 = new Float64Array(n);
  const propagate = (sj: Float64Array, k: number): number => {
    let v = 0;
    for (let j = 0; j < n; j++) v += cos2[j] * sj[j] * sj[j];
    return (((2 * Math.PI) / Math.abs(frame.amplitude)) * Math.exp(k * k * w2) * Math.sqrt(v)) / n;
  };
  const samples: ChiSample[] = chi.map((c, k) => {
    if (siteSigma || siteSys) {
      for (let j = 0; j < n; j++) cos2[j] = Math.cos((2 * Math.PI * k * (j - frame.sourceSite)) / n) ** 2;
    }
    const common = refSigma * Math.hypot(c.re, c.im);
    const sigma = siteSigma ? Math.hypot(propagate(siteSigma, k), common) : NaN;
    // per-site calibration errors are independent across sites; the overall constant's error is common to all of them
    const sigmaSystematic = siteSys ? Math.hypot(propagate(siteSys, k), common) : 0;
    return { k, re: c.re, im: c.im, sigma, sigmaSystematic, ...(common > 0 ? { sigmaCommon: common } : {}) };
  });
  return {
    seq: frame.seq, deviceTimeUs: frame.deviceTimeUs, omega: frame.omega, gamma, sourceSite: frame.sourceSite, flags: frame.flags,
    calibrationVersion: 'calibrationVersion' in frame ? frame.calibrationVersion : null,
    chi: samples,
  };
}

export function ringTransform(opts: RingTransformOptions): OperatorFunction<RingFrame | CalibratedFrame, ChiFrame> {
  const counters = opts.counters ?? {};
  return (source) =>
    source.pipe(
      filter((f) => {
        const why = skipReason(f, opts.allowUncalibrated);
        if (why) counters[why] = (counters[why] ?? 0) + 1;
        return why === null;
      }),
      map((f) => frameToChi(f, opts.kMax, opts.gamma)),
    );
}
