import type { CalibrationReference, CalibrationResiduals, ComplexValue } from '../src/contracts/calibration.ts';
import { FrameFlags, type RingFrame } from '../src/contracts/frame.ts';
import { HoloringError } from '../src/errors.ts';
import { type DataOptions, type PreparedData, prepareCalibrationData } from './data.ts';
import { CalibrationErrorCodes as E } from './errors.ts';
import { solveRedundant } from './redundant.ts';
import { type ReferenceOptions, fixReference } from './reference.ts';

/**
 * The whole calibration computation from frames: offsets, relative gains by
 * redundant calibration, the overall constant by the reference, and the checks
 * that refuse a result the data cannot support.
 */
export interface SolveOptions extends DataOptions {
  reference?: ReferenceOptions;
  /** Largest accepted condition number of the gain problem (default 1e6). */
  maxCondition?: number;
  /** Largest accepted reduced χ² of the redundant fit (default 3). */
  maxReducedChi2?: number;
}

export interface CalibrationSolution {
  sites: number;
  offsets: ComplexValue[];
  offsetSigma: number[];
  gains: ComplexValue[];
  gainSigma: number[];
  noise: { relative: number; floor: number };
  reference: CalibrationReference;
  residuals: CalibrationResiduals;
  data: Pick<PreparedData, 'offFrames' | 'framesUsed' | 'framesRejected' | 'sourceWidth'> & {
    sourceSites: number[];
    omegas: number[];
    amplitudes: number[];
    framesPerSetting: number;
    simulated: boolean;
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

export function solveCalibration(frames: readonly RingFrame[], opts: SolveOptions = {}): CalibrationSolution {
  const data = prepareCalibrationData(frames, opts);
  const n = data.sites;
  const sourceSites = [...new Set(data.settings.map((s) => s.sourceSite))].sort((a, b) => a - b);
  if (sourceSites.length < 2) {
    throw new HoloringError(E.UNDETERMINED, `the source was at one site only (${sourceSites[0]}): the gains and the response profile cannot be separated; move the source over several sites, including two adjacent ones`, { sourceSites });
  }
  let g = n;
  for (const s of sourceSites) g = gcd(g, s - sourceSites[0]);
  if (g > 1) {
    throw new HoloringError(E.UNDETERMINED, `all source sites differ by multiples of ${g}: the gains are only determined up to a pattern repeating every ${g} sites; include two source sites whose distance shares no factor with ${n} (e.g. adjacent sites)`, { sourceSites, period: g });
  }
  const maxCondition = opts.maxCondition ?? 1e6;
  const maxReduced = opts.maxReducedChi2 ?? 3;
  const sol = solveRedundant(data);
  if (!(sol.condition <= maxCondition)) {
    throw new HoloringError(E.UNDETERMINED, `the gains are ill-determined by these data (condition number ${sol.condition.toExponential(2)} > ${maxCondition.toExponential(0)}); use more source sites or more frames`, { condition: sol.condition });
  }
  const reducedChi2 = sol.dof > 0 ? sol.chi2 / sol.dof : NaN;
  if (!(sol.dof > 0)) {
    throw new HoloringError(E.UNDETERMINED, `too few measurements for the number of unknowns (${sol.dof} degrees of freedom); add source sites or drive frequencies`, { dof: sol.dof });
  }
  if (!(reducedChi2 <= maxReducedChi2Safe(maxReduced))) {
    throw new HoloringError(E.RESIDUAL, `the redundant fit does not describe the data (reduced χ² ${reducedChi2.toFixed(2)} > ${maxReduced}): the response is not rotation-symmetric within the noise — check the reported source sites, linearity (amplitude) and drifting channels`, { reducedChi2, worstSite: argMax(sol.perSite) });
  }
  const reference = fixReference(sol, data.sourceWidth, opts.reference);
  const lam = reference.factor;
  const lamAbs = Math.hypot(lam.re, lam.im);
  const gains = sol.gains.map((c) => ({ re: c.re * lam.re - c.im * lam.im, im: c.re * lam.im + c.im * lam.re }));
  const gainSigma = sol.gainSigma.map((s, j) => Math.hypot(lamAbs * s, Math.hypot(sol.gains[j].re, sol.gains[j].im) * reference.sigma));
  const amplitudes = [...new Set(data.settings.map((s) => s.amplitude))].sort((a, b) => a - b);
  return {
    sites: n,
    offsets: data.offsets,
    offsetSigma: data.offsetSigma,
    gains,
    gainSigma,
    noise: data.noise,
    reference,
    residuals: {
      chi2: sol.chi2, dof: sol.dof, reducedChi2, maxNormalized: sol.maxNormalized, condition: sol.condition, perSite: sol.perSite, iterations: sol.iterations,
    },
    data: {
      offFrames: data.offFrames, framesUsed: data.framesUsed, framesRejected: data.framesRejected, sourceWidth: data.sourceWidth,
      sourceSites, omegas: sol.omegas, amplitudes, framesPerSetting: Math.min(...data.settings.map((s) => s.frames)),
      simulated: frames.some((f) => (f.flags & FrameFlags.SIMULATED) !== 0),
    },
  };
}

const maxReducedChi2Safe = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 3);
const argMax = (a: readonly number[]): number => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);
