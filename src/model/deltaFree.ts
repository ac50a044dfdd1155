/**
 * Δ as a weight of the metric network (physics.md §10): where a fit of Δ starts,
 * the interval it may move in, and the refusal of an estimate that approaches an
 * integer (integer Δ needs logarithmic boundary terms the network does not have).
 */
import { ErrorCodes, HoloringError } from '../errors.ts';
import { validateDelta } from '../physics/params.ts';
import type { TrainingData } from './data.ts';
import type { NetworkGrid } from './grid.ts';
import { FusedKernel, type KernelMode } from './kernel.ts';
import type { FitQuality } from './quality.ts';
import { leastSquaresScale } from './scaledKernel.ts';

/**
 * Start of a Δ fit from pure AdS in the daemon when none is configured: 1.5, the
 * middle of (1, 2) and the default Δ of the simulated ring (physics.md §9). A start
 * in (n, n + 1) finds Δ in (n, n + 1). `holoring reconstruct` without a start scans
 * the intervals of DELTA_SCAN_INTERVALS instead (profileDelta with 'scan').
 */
export const DELTA_START = 1.5;

/**
 * Upper end of the Δ a fit searches and a start may name: 1 < Δ < DELTA_FIT_MAX.
 * Δ > 1 is the standard quantisation the response χ = (2Δ − 2)B/A assumes
 * (physics.md §3, §4; at Δ = 1, m² = −1, the Breitenlohner–Freedman bound, the two
 * falloffs merge; below it Δ would be the other root 2 − Δ of m² = Δ(Δ − 2)). Above,
 * the response at r_max = 12 is dominated by the source falloff r^{Δ−2} by
 * 12^{2Δ−2} ≥ 10^{8.6} at Δ = 5: measured on the deformed disk at 1% noise, a fit at
 * the true Δ = 4.5 has reduced χ² 1.02, at 5.5 it fails (4.0).
 */
export const DELTA_FIT_MAX = 5;

/** The integer intervals a Δ fit without a start scans: (1, 2), (2, 3), (3, 4), (4, 5). */
export const DELTA_SCAN_INTERVALS: readonly number[] = Array.from({ length: DELTA_FIT_MAX - 1 }, (_, i) => i + 1);

/**
 * Validates the start of a Δ fit (`--delta-start`, `physics.deltaStart`): a
 * non-integer Δ in (1, DELTA_FIT_MAX).
 * @throws RING_ERR_DELTA_INVALID / RING_ERR_DELTA_INTEGER
 */
export function validateDeltaStart(start: number): number {
  validateDelta(start);
  if (!(start < DELTA_FIT_MAX)) {
    throw new HoloringError(
      ErrorCodes.DELTA_INVALID,
      `a Δ fit searches 1 < Δ < ${DELTA_FIT_MAX} (got ${start}): above, the network cannot read the response under the source's falloff; start in the integer interval of the sample's Δ, e.g. 2.5 for Δ in (2, 3), or give no start to scan (1, 2) … (${DELTA_FIT_MAX - 1}, ${DELTA_FIT_MAX})`,
      { delta: start, max: DELTA_FIT_MAX },
    );
  }
  return start;
}

/**
 * An estimate closer than this to an integer is refused: there the boundary
 * series' coefficients grow like 1/(Δ − n) and the missing log terms dominate.
 * Trial steps of the fit stay half this far from the integers.
 */
export const DELTA_INTEGER_MARGIN = 0.01;

/**
 * Validates a Δ given for a fit (`reconstruct --delta`): validateDelta, and not
 * within DELTA_INTEGER_MARGIN of an integer, where a fitted Δ is refused too.
 * @throws RING_ERR_DELTA_INVALID / RING_ERR_DELTA_INTEGER
 */
export function validateFitDelta(delta: number): number {
  const n = Math.round(delta);
  if (delta > 1 && Math.abs(delta - n) < DELTA_INTEGER_MARGIN) {
    throw new HoloringError(
      ErrorCodes.DELTA_INTEGER,
      `Δ = ${delta} is within ${DELTA_INTEGER_MARGIN} of the integer ${n}: integer Δ needs logarithmic boundary terms the network does not have, and this close to one the fit cannot resolve the metric; ` +
        `give Δ inside an integer interval, such as ${[n - 0.5, n + 0.5].filter((v) => v > 1).join(' or ')}, or --delta auto to fit Δ from the data`,
      { delta, integer: n },
    );
  }
  return validateDelta(delta);
}

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

/**
 * Within this distance of an integer n a fit's metric is flagged (nearIntegerVerdict).
 * Near n the two boundary falloffs r^{Δ−2}, r^{−Δ} meet the log terms of the
 * integer: the response gains a contact term growing as 1/|Δ − n| (max |χ| on the
 * default grid 32 at Δ = 1.5, 1.3·10³ at 1.95, 7·10³ at 1.99), which carries no
 * metric, so at a given relative noise the data fix fewer of the metric's weights
 * (ν = 18.5 at 1.5, 12.6 at 1.95, 6.9 at 1.99) and the smoothness prior fills in.
 * Measured on the deformed disk (default grid, 1% noise, Δ given, seeds 1–3):
 * worst f, g error on [0, 3] 1.0–1.4% at Δ = 2.5, 2.4–5.0% at |Δ − 2| = 0.05,
 * 3.8–6.6% at 0.03, 5.4–10% at 0.015–0.02 and 7.9–12% at 0.01 (near 3: 3.3–8.0% at
 * 0.05, 5.4–9.2% at 0.015), with 2σ coverage down to 81% at 1.985 and 76% at 1.99
 * (100% beyond 0.1, and near 3) — docs/model.md "Δ near an integer"; noiseless
 * tables at 1.99 and 2.01 are fitted within 0.6%, so the forward pass (RK4, the
 * boundary match) is not the cause, the information in the data is.
 */
export const DELTA_NEAR_INTEGER_BAND = 0.05;

/**
 * A fit's verdict with Δ's distance to the nearest integer taken into account:
 * within DELTA_NEAR_INTEGER_BAND a warning naming the distance and what it costs,
 * and the verdict at best `poor` (a `failed` one stays failed). Unchanged elsewhere.
 */
export function nearIntegerVerdict<Q extends FitQuality>(q: Q, delta: number): Q {
  const n = Math.round(delta), d = Math.abs(delta - n);
  if (!(d < DELTA_NEAR_INTEGER_BAND)) return q;
  const warning =
    `Δ = ${+delta.toPrecision(6)} is within ${+d.toPrecision(2)} of the integer ${n}: near an integer the response is dominated by a contact term growing as 1/|Δ − ${n}| ` +
    `that carries no metric, so the data fix the metric less well (on the deformed disk at 1% noise, f and g off by 2–8% within ${DELTA_NEAR_INTEGER_BAND} of an integer and up to 12% within 0.01, ` +
    'their 2σ bands covering the truth down to 76%): treat f, g and their bands as rough; lower noise, or a sample with Δ further from the integer, resolves them';
  return { ...q, quality: q.quality === 'good' ? 'poor' : q.quality, warnings: [...q.warnings, warning] };
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

/** One integer interval of a Δ start scan: its best Δ (grid point) and χ² there. */
export interface DeltaIntervalScan {
  interval: [number, number];
  delta: number;
  chi2: number;
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
  /** The integer intervals searched (one when a start was given), best first is not implied: ascending. */
  intervals: DeltaIntervalScan[];
}

/** The grid of a coarse Δ profile: every DELTA_PROFILE_STEP inside each interval (n, n + 1), clear of the integers. */
export function profileGrid(intervals: readonly number[]): number[] {
  const out: number[] = [];
  for (const n of intervals) {
    const [lo, hi] = deltaInterval(n + 0.5);
    for (let j = 1; n + j * DELTA_PROFILE_STEP < hi; j++) if (n + j * DELTA_PROFILE_STEP > lo) out.push(n + j * DELTA_PROFILE_STEP);
  }
  return out;
}

/** The integer intervals a search from `start` covers: its own, or with 'scan' DELTA_SCAN_INTERVALS. */
export function searchedIntervals(start: number | 'scan'): number[] {
  return start === 'scan' ? [...DELTA_SCAN_INTERVALS] : [Math.floor(start)];
}

/**
 * The minimum of a profile sampled on profileGrid: the best grid point, refined by
 * the parabola through it and its neighbours in the same interval, and the best
 * point of every interval.
 */
export function profileMinimum(deltas: readonly number[], chi2: readonly number[]): { delta: number; best: number; intervals: DeltaIntervalScan[] } {
  let b = 0;
  chi2.forEach((c, i) => {
    if (c < chi2[b]) b = i;
  });
  let delta = deltas[b];
  const same = (i: number): boolean => i >= 0 && i < deltas.length && Math.floor(deltas[i]) === Math.floor(deltas[b]);
  if (same(b - 1) && same(b + 1)) {
    const [c0, c1, c2] = [chi2[b - 1], chi2[b], chi2[b + 1]];
    const den = c0 - 2 * c1 + c2;
    if (den > 0) delta += (0.5 * DELTA_PROFILE_STEP * (c0 - c2)) / den;
  }
  const intervals: DeltaIntervalScan[] = [];
  deltas.forEach((d, i) => {
    const n = Math.floor(d);
    let s = intervals.find((x) => x.interval[0] === n);
    if (!s) intervals.push((s = { interval: [n, n + 1], delta: d, chi2: chi2[i] }));
    else if (chi2[i] < s.chi2) Object.assign(s, { delta: d, chi2: chi2[i] });
  });
  return { delta, best: b, intervals };
}

/**
 * Coarse profile of χ² over Δ at pure AdS on the UV modes (isUvMode), every
 * DELTA_PROFILE_STEP across the integer interval of `start`, or with 'scan' across
 * every interval of DELTA_SCAN_INTERVALS: one forward pass of those modes per Δ. Its
 * minimum starts the joint fit, whose basin is a few tenths wide (a start 0.5 away
 * can end in a spurious minimum). With `freeScale` the χ² at each Δ is minimised
 * over a complex scale κ of the model (weighted least squares).
 */
export function profileDelta(grid: NetworkGrid, data: TrainingData, start: number | 'scan', freeScale = false): DeltaProfile {
  let idx = data.modes.map((_, p) => p).filter((p) => isUvMode(data.modes[p]));
  if (idx.length < 8) {
    // a small table: its most UV quarter (largest |k|/|Ω|, at least 8 modes)
    const ratio = (p: number): number => Math.abs(data.modes[p].k) / Math.hypot(data.modes[p].omegaRe, data.modes[p].omegaIm);
    idx = data.modes.map((_, p) => p).sort((a, b) => ratio(b) - ratio(a)).slice(0, Math.max(8, Math.ceil(data.modes.length / 4))).sort((a, b) => a - b);
  }
  const deltas = profileGrid(searchedIntervals(start));
  const kernel = new FusedKernel(grid, deltas[0], idx.map((p) => data.modes[p]), { freeDelta: true });
  const theta = new Float64Array(kernel.nt);
  const chi = new Float64Array(2 * idx.length);
  const chi2: number[] = [], scales: { re: number; im: number }[] = [];
  for (const d of deltas) {
    theta[grid.nw] = d;
    kernel.forward(theta, chi);
    let kr = 1, ki = 0;
    if (freeScale) ({ re: kr, im: ki } = leastSquaresScale(chi, data, idx));
    let c = 0;
    idx.forEach((p, q) => {
      const w = data.invSigma[p], xr = chi[2 * q], xi = chi[2 * q + 1];
      c += ((kr * xr - ki * xi - data.chi[2 * p]) * w) ** 2 + ((kr * xi + ki * xr - data.chi[2 * p + 1]) * w) ** 2;
    });
    scales.push({ re: kr, im: ki });
    chi2.push(Number.isFinite(c) ? c : Infinity);
  }
  const m = profileMinimum(deltas, chi2);
  return { delta: m.delta, deltas, chi2, modes: idx.length, scale: scales[m.best], intervals: m.intervals };
}
