/**
 * Δ as a weight of the metric network (physics.md §10): where a fit of Δ starts,
 * the interval it may move in, and the refusal of an estimate that approaches an
 * integer (integer Δ needs logarithmic boundary terms the network does not have).
 */
import { ErrorCodes, HoloringError } from '../errors.ts';
import type { TrainingData } from './data.ts';
import type { NetworkGrid } from './grid.ts';
import { FusedKernel, type KernelMode } from './kernel.ts';
import { leastSquaresScale } from './scaledKernel.ts';

/**
 * Start of a Δ fit from pure AdS when none is given: 1.5, the middle of (1, 2)
 * and the default Δ of the simulated ring (physics.md §9). A start in (1, 2)
 * finds Δ in (1, 2); for Δ in (n, n + 1) give a start there.
 */
export const DELTA_START = 1.5;

/**
 * An estimate closer than this to an integer is refused: there the boundary
 * series' coefficients grow like 1/(Δ − n) and the missing log terms dominate.
 * Trial steps of the fit stay half this far from the integers.
 */
export const DELTA_INTEGER_MARGIN = 0.01;

/** The open interval a fit started at Δ may move in: (n + margin/2, n + 1 − margin/2), n = ⌊Δ⌋. */
export function deltaInterval(start: number): [number, number] {
  const n = Math.floor(start);
  return [n + DELTA_INTEGER_MARGIN / 2, n + 1 - DELTA_INTEGER_MARGIN / 2];
}

/** Throws RING_ERR_DELTA_INTEGER when the estimate Δ ± σ lies within DELTA_INTEGER_MARGIN of an integer. */
export function refuseNearInteger(delta: number, sigma: number): void {
  const n = Math.round(delta);
  if (Math.abs(delta - n) >= DELTA_INTEGER_MARGIN) return;
  throw new HoloringError(
    ErrorCodes.DELTA_INTEGER,
    `the fitted conformal dimension Δ = ${delta.toFixed(4)} ± ${sigma.toExponential(1)} approaches the integer ${n}: integer Δ needs logarithmic boundary terms and is not supported; ` +
      `a fit searches only the integer interval of its start (${Math.floor(delta)}, ${Math.floor(delta) + 1}): for Δ in another interval start there (--delta-start ${[Math.floor(delta) - 0.5, Math.floor(delta) + 1.5].filter((v) => v > 1).join(' or ')}; physics.deltaStart in the daemon); ` +
      'else check the table (calibration, γ) or give Δ explicitly with --delta',
    { delta, sigma, integer: n },
  );
}

/** Step of the coarse Δ profile. */
export const DELTA_PROFILE_STEP = 0.05;

/**
 * Modes whose profile fixes Δ without the metric: |k| ≥ 3|Ω|. Such a mode is
 * evanescent inside r ≈ |k|/|Ω| ≥ 3, so it sees only the near-boundary geometry,
 * which is AdS for every admissible sample (the argument of the uv-ads
 * calibration reference); its response there depends on Δ alone.
 */
export function isUvMode(m: KernelMode): boolean {
  return Math.abs(m.k) >= 3 * Math.hypot(m.omegaRe, m.omegaIm);
}

export interface DeltaProfile {
  /** Δ at the minimum (parabola through the best grid point and its neighbours). */
  delta: number;
  /** The profile: Δ values and χ² of the modes used at pure AdS. */
  deltas: number[];
  chi2: number[];
  /** Modes used (the UV modes, or all when fewer than 8 of them). */
  modes: number;
  /** With a free scale: κ at the best grid point (1 otherwise). */
  scale: { re: number; im: number };
}

/**
 * Coarse profile of χ² over Δ at pure AdS on the UV modes (isUvMode), every
 * DELTA_PROFILE_STEP across the integer interval of `start`: one forward pass of
 * those modes per Δ. Its minimum starts the joint fit, whose basin is a few tenths
 * wide (a start 0.5 away can end in a spurious minimum). With `freeScale` the χ² at
 * each Δ is minimised over a complex scale κ of the model (weighted least squares).
 */
export function profileDelta(grid: NetworkGrid, data: TrainingData, start: number, freeScale = false): DeltaProfile {
  let idx = data.modes.map((_, p) => p).filter((p) => isUvMode(data.modes[p]));
  if (idx.length < 8) idx = data.modes.map((_, p) => p);
  const [lo, hi] = deltaInterval(start);
  const kernel = new FusedKernel(grid, start, idx.map((p) => data.modes[p]), { freeDelta: true });
  const theta = new Float64Array(kernel.nt);
  const chi = new Float64Array(2 * idx.length);
  const deltas: number[] = [], chi2: number[] = [], scales: { re: number; im: number }[] = [];
  for (let d = Math.floor(start) + DELTA_PROFILE_STEP; d < hi; d += DELTA_PROFILE_STEP) {
    if (d <= lo) continue;
    theta[grid.nw] = d;
    kernel.forward(theta, chi);
    let kr = 1, ki = 0;
    if (freeScale) ({ re: kr, im: ki } = leastSquaresScale(chi, data, idx));
    let c = 0;
    idx.forEach((p, q) => {
      const w = data.invSigma[p], xr = chi[2 * q], xi = chi[2 * q + 1];
      c += ((kr * xr - ki * xi - data.chi[2 * p]) * w) ** 2 + ((kr * xi + ki * xr - data.chi[2 * p + 1]) * w) ** 2;
    });
    deltas.push(d);
    scales.push({ re: kr, im: ki });
    chi2.push(Number.isFinite(c) ? c : Infinity);
  }
  let b = 0;
  chi2.forEach((c, i) => {
    if (c < chi2[b]) b = i;
  });
  let delta = deltas[b];
  if (b > 0 && b < deltas.length - 1) {
    const [c0, c1, c2] = [chi2[b - 1], chi2[b], chi2[b + 1]];
    const den = c0 - 2 * c1 + c2;
    if (den > 0) delta += (0.5 * DELTA_PROFILE_STEP * (c0 - c2)) / den;
  }
  return { delta, deltas, chi2, modes: idx.length, scale: scales[b] };
}
