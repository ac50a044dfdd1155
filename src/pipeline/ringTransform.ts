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

/**
 * χ of one frame for k = 0..min(kMax, ⌊(N−1)/2⌋), with σ per k and (when the frame
 * carries per-site σ) the covariance of the χ errors across k: the DFT
 *   χ_k = C_k Σ_j cos(k(θ_j − θ_s)) z_j,  C_k = (2π/|J₀|) e^{k²σ²/2} / N
 * of independent per-site errors σ_j has Cov(χ_k, χ_k') = C_k C_k' Σ_j cos_jk cos_jk' σ_j²
 * (per real component; the noise of a site is circular, so re and im alike and
 * uncorrelated). The readings near the source (and, near a normal mode, the
 * antipode) are the largest, and so are their errors: they enter every k, which
 * correlates the χ_k of one frame (~0.5 on the default ring).
 */
export function frameToChi(frame: RingFrame | CalibratedFrame, kMax: number, gamma: number): ChiFrame {
  const n = frame.x.length;
  const kTop = Math.min(kMax, Math.floor((n - 1) / 2));
  const K = kTop + 1;
  const chi = chiFromSites(frame.x, frame.y, frame.sourceSite, frame.sourceWidth, frame.amplitude, kTop);
  const siteSigma = 'siteSigma' in frame ? frame.siteSigma : undefined;
  const siteSys = 'siteSigmaSystematic' in frame ? frame.siteSigmaSystematic : undefined;
  const refSigma = 'referenceSigma' in frame ? (frame.referenceSigma ?? 0) : 0;
  const w2 = (frame.sourceWidth * frame.sourceWidth) / 2;
  const scale = Array.from({ length: K }, (_, k) => ((2 * Math.PI) / Math.abs(frame.amplitude)) * Math.exp(k * k * w2) / n);
  // cos(k(θ_j − θ_s)) once per (k, j): it serves σ and the covariance, random and systematic
  const cosTab = new Float64Array(K * n);
  if (siteSigma || siteSys) {
    for (let k = 0; k < K; k++) for (let j = 0; j < n; j++) cosTab[k * n + j] = Math.cos((2 * Math.PI * k * (j - frame.sourceSite)) / n);
  }
  const sysVar = new Float64Array(n);
  const randVar = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    sysVar[j] = siteSys ? siteSys[j] * siteSys[j] : 0;
    randVar[j] = siteSigma ? Math.max(0, siteSigma[j] * siteSigma[j] - sysVar[j]) : 0;
  }
  // both covariances in one pass over the (k, k') pairs
  const systematic = new Float64Array(K * K);
  const random = siteSigma ? new Float64Array(K * K) : null;
  for (let a = 0; a < K; a++) {
    for (let b = a; b < K; b++) {
      let sr = 0, ss = 0;
      for (let j = 0; j < n; j++) {
        const c = cosTab[a * n + j] * cosTab[b * n + j];
        sr += c * randVar[j];
        ss += c * sysVar[j];
      }
      const ab = scale[a] * scale[b];
      systematic[a * K + b] = systematic[b * K + a] = ss * ab;
      if (random) random[a * K + b] = random[b * K + a] = sr * ab;
    }
  }
  const samples: ChiSample[] = chi.map((c, k) => {
    const common = refSigma * Math.hypot(c.re, c.im);
    const sys2 = systematic[k * K + k];
    const sigma = random ? Math.sqrt(random[k * K + k] + sys2 + common * common) : NaN;
    // per-site calibration errors are independent across sites; the overall constant's error is common to all of them
    const sigmaSystematic = Math.sqrt(sys2 + common * common);
    return { k, re: c.re, im: c.im, sigma, sigmaSystematic, ...(common > 0 ? { sigmaCommon: common } : {}) };
  });
  return {
    seq: frame.seq, deviceTimeUs: frame.deviceTimeUs, omega: frame.omega, gamma, sourceSite: frame.sourceSite, flags: frame.flags,
    calibrationVersion: 'calibrationVersion' in frame ? frame.calibrationVersion : null,
    chi: samples,
    ...(random ? { kCovariance: { random, systematic } } : {}),
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
