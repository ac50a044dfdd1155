/**
 * Δ from the data for the horizon network (physics.md §10, §11): a profile of the
 * horizon fit over Δ. The horizon kernel has no ∂χ/∂Δ, so Δ is the variable of an
 * outer one-dimensional minimisation of the profile loss
 *
 *     L(Δ) = min over the weights of χ²(θ; Δ) + θᵀRθ
 *
 * (each point a Levenberg–Marquardt fit warm-started from its neighbours), by
 * successive parabolic interpolation inside a bracket (Brent's parabolic step,
 * safeguarded by golden sections). Its curvature gives σ_Δ: near the minimum
 * L ≈ L̂ + (Δ − Δ̂)²/σ_Δ², so σ_Δ² = 2/L''(Δ̂) — the marginal σ of Δ over the
 * weights, the same quantity as the disk's √C_ΔΔ (not scaled by the reduced χ²,
 * as the disk's is not). σ_Δ is carried into r_h, T, f and g by the derivatives
 * d(·)/dΔ of the fits at Δ̂ ± 2σ_Δ, added in quadrature to their bands at fixed Δ.
 */
import type { ResponsePoint, ResponseTable } from '../../contracts/response.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { ModelErrorCodes, prepareData } from '../data.ts';
import { type DeltaProfile, deltaInterval, profileGrid, profileMinimum, refuseNearInteger, searchedIntervals } from '../deltaFree.ts';
import type { LmIteration, LmOptions } from '../lm.ts';
import { choleskySolve } from '../../util/linalg.ts';
import { leastSquaresScale } from '../scaledKernel.ts';
import { DEFAULT_HORIZON_SHAPE, HorizonGrid, type HorizonShape } from './grid.ts';
import { HorizonKernel } from './kernel.ts';
import { type HorizonFitOptions, type HorizonFitResult, type HorizonNetwork, RH_SCAN, createHorizonNetwork } from './network.ts';

/** First step of the bracket around the start: the UV start lands within ~0.01 of the truth on black holes (docs/model.md). */
export const HORIZON_DELTA_STEP = 0.01;
/** The search stops when the parabola's next step is below this fraction of σ_Δ. */
export const HORIZON_DELTA_TOLERANCE = 0.05;
/** Newton steps of the search at most. */
const MAX_NEWTON = 8;
/** Step in Δ of the central difference ∂χ/∂Δ (the error, O(step²), is ~10⁻⁸ relative). */
const PROFILE_FD_STEP = 1e-4;

/** Modes of the start's scan: every stride-th row, at least this many. */
const START_MODES = 120;

/**
 * Start of the Δ search from a table: coarse scans of the BTZ χ² (α = β = 0) on
 * every stride-th row (≥ 120 rows), alternating between r_h (log-uniform over
 * RH_SCAN) and Δ (every 0.05 across the integer interval of `deltaStart`, or without
 * one across each interval of DELTA_SCAN_INTERVALS): r_h at the interval's middle, Δ
 * at that r_h, r_h at the best Δ, Δ again; then the parabola through the best Δ and
 * its neighbours, in the interval whose scan reached the lowest χ². A black hole's
 * whole response (not only its UV modes, which see AdS only up to O(r_h²/k²)) weighs
 * in, so the start is close enough for the profile's Newton steps also on small
 * tables. Returns the start Δ and r_h with the profile of χ²_min(Δ) (`modes` used,
 * `scale` 1, the `intervals` searched). With `freeScale` each χ² is minimised over
 * a complex scale κ of the model.
 */
export function horizonDeltaStart(table: ResponseTable | readonly ResponsePoint[], o: { deltaStart?: number; shape?: Partial<HorizonShape>; freeScale?: boolean }): DeltaProfile & { rh: number } {
  const grid = new HorizonGrid({ ...DEFAULT_HORIZON_SHAPE, ...o.shape });
  const data = prepareData(table, grid.nw, { nodes: grid.K, freeScale: o.freeScale });
  const stride = Math.max(1, Math.floor(data.modes.length / START_MODES));
  const idx = data.modes.map((_, i) => i).filter((i) => i % stride === 0);
  const theta = new Float64Array(grid.nw), chi = new Float64Array(2 * idx.length);
  const kernels = new Map<number, HorizonKernel>();
  const chi2At = (d: number, rh: number): number => {
    let kernel = kernels.get(d);
    if (!kernel) kernels.set(d, (kernel = new HorizonKernel(grid, d, idx.map((i) => data.modes[i]))));
    theta[grid.iq] = Math.log(rh);
    kernel.forward(theta, chi);
    // with a free scale, χ² minimised over κ at each point (weighted least squares)
    const k = o.freeScale ? leastSquaresScale(chi, data, idx) : { re: 1, im: 0 };
    let c2 = 0;
    idx.forEach((i, p) => {
      const w = data.invSigma[i], xr = chi[2 * p], xi = chi[2 * p + 1];
      c2 += ((k.re * xr - k.im * xi - data.chi[2 * i]) * w) ** 2 + ((k.re * xi + k.im * xr - data.chi[2 * i + 1]) * w) ** 2;
    });
    return Number.isFinite(c2) ? c2 : Infinity;
  };
  const rhs = Array.from({ length: RH_SCAN.points }, (_, j) => RH_SCAN.min * (RH_SCAN.max / RH_SCAN.min) ** (j / (RH_SCAN.points - 1)));
  const argmin = (xs: number[], f: (x: number) => number): { i: number; values: number[] } => {
    const values = xs.map(f);
    return { i: values.reduce((m, v, i) => (v < values[m] ? i : m), 0), values };
  };
  const all: { deltas: number[]; chi2: number[]; rh: number }[] = searchedIntervals(o.deltaStart ?? 'scan').map((n) => {
    const deltas = profileGrid([n]);
    const start = o.deltaStart !== undefined ? o.deltaStart : n + 0.5;
    const near = deltas.reduce((m, d) => (Math.abs(d - start) < Math.abs(m - start) ? d : m));
    // alternate: r_h at the start, Δ at that r_h, r_h at that Δ, Δ again
    let rh = rhs[argmin(rhs, (r) => chi2At(near, r)).i];
    let prof = argmin(deltas, (d) => chi2At(d, rh));
    rh = rhs[argmin(rhs, (r) => chi2At(deltas[prof.i], r)).i];
    prof = argmin(deltas, (d) => chi2At(d, rh));
    return { deltas, chi2: prof.values, rh };
  });
  const deltas = all.flatMap((a) => a.deltas), chi2 = all.flatMap((a) => a.chi2);
  const m = profileMinimum(deltas, chi2);
  const rh = all.find((a) => a.deltas.includes(deltas[m.best]))!.rh;
  return { delta: m.delta, deltas, chi2, modes: idx.length, scale: { re: 1, im: 0 }, intervals: m.intervals, rh };
}

export interface HorizonDeltaOptions {
  /** Options of every fit of the profile; `maxEvaluations` there bounds each fit. */
  lm?: Omit<LmOptions, 'onIteration' | 'maxEvaluations'>;
  /**
   * Fused passes of the whole profile at most (default: unbounded). When they run
   * out the search stops at its best point so far, `converged: false`, with σ_Δ from
   * the Gauss–Newton curvature and the bands at fixed Δ; continue by calling
   * profileHorizonDelta again from that point.
   */
  maxEvaluations?: number;
  onIteration?: (info: LmIteration) => void;
  /** Called after each point of the profile (Δ, its minimum loss). */
  onPoint?: (delta: number, loss: number) => void;
}

/** The horizon fit at the profile's minimum, with Δ ± σ and the bands widened by σ_Δ. */
export type HorizonDeltaFit = HorizonFitResult & {
  delta_err: number;
  delta_auto: true;
  /** The evaluated points of the profile (ascending Δ) and their minimum loss χ² + prior. */
  delta_search: { deltas: number[]; loss: number[] };
};

interface ProfilePoint {
  delta: number;
  loss: number;
  net: HorizonNetwork;
  fit: HorizonFitResult;
}

/** f and g of horizon weights θ at r (r² − r_h² as (r − r_h)(r + r_h); α = β = 0 beyond r_c). */
export function horizonMetricAt(grid: HorizonGrid, theta: ArrayLike<number>, r: number): { f: number; g: number } {
  const rh = Math.exp(theta[grid.iq]), K = grid.K;
  const { c } = grid.basisAt(Math.atan(r / rh));
  let al = 0, be = 0;
  for (let j = 0; j < K; j++) {
    al += c[j] * theta[j];
    be += c[j] * theta[K + j];
  }
  const z = (r - rh) * (r + rh);
  return { f: z * Math.exp(al), g: z * Math.exp(be) };
}

/** Vertex and curvature L'' of the parabola through three points. */
function parabola(a: ProfilePoint, b: ProfilePoint, c: ProfilePoint): { vertex: number; curvature: number } {
  const d1 = (b.loss - a.loss) / (b.delta - a.delta), d2 = (c.loss - b.loss) / (c.delta - b.delta);
  const curvature = (2 * (d2 - d1)) / (c.delta - a.delta);
  return { vertex: 0.5 * (a.delta + b.delta) - d1 / curvature, curvature };
}

/**
 * The Gauss–Newton step of the profile at a point: with J_w the kernel's exact
 * Jacobian, ∂χ/∂Δ by central differences of the forward pass (±PROFILE_FD_STEP),
 * H = J_wᵀJ_w + R, a = J_wᵀJ_Δ and the Schur complement S = J_ΔᵀJ_Δ − aᵀH⁻¹a
 * (½L'' of the profile), the step is δΔ = −(J_Δᵀr − aᵀH⁻¹∇_w)/S (at a converged
 * point ∇_w = J_wᵀr + Rθ = 0 and J_Δᵀr = ½L′, the envelope theorem), with the
 * weights following as δθ = −H⁻¹(∇_w + a δΔ), and dθ/dΔ = −H⁻¹a along the
 * profile. Null when H or S is not positive.
 */
function newtonStep(table: ResponseTable | readonly ResponsePoint[], p: ProfilePoint): { dDelta: number; dTheta: Float64Array; thetaSlope: Float64Array; sigma: number } | null {
  const { data, fitKernel } = p.net.prepare(table);
  const n = p.net.nt, P2 = 2 * fitKernel.P, theta = p.net.weights(), prior = p.net.fitPrior;
  const chi = new Float64Array(P2), cp = new Float64Array(P2), cm = new Float64Array(P2);
  const J = fitKernel.jacobian(theta, chi);
  const inner = theta.subarray(0, p.net.grid.nw);
  new HorizonKernel(p.net.grid, p.delta + PROFILE_FD_STEP, data.modes).forward(inner, cp);
  new HorizonKernel(p.net.grid, p.delta - PROFILE_FD_STEP, data.modes).forward(inner, cm);
  // ∂(κχ)/∂Δ = κ ∂χ/∂Δ
  const { re: kr, im: ki } = p.net.scale;
  const H = Float64Array.from(prior), a = new Float64Array(n), gw = new Float64Array(n);
  let c = 0, gd = 0;
  for (let row = 0; row < P2; row++) {
    const q = row & ~1, dr = (cp[q] - cm[q]) / (2 * PROFILE_FD_STEP), di = (cp[q + 1] - cm[q + 1]) / (2 * PROFILE_FD_STEP);
    const w = data.invSigma[row >> 1], jd = ((row & 1) === 0 ? kr * dr - ki * di : kr * di + ki * dr) * w, r = (chi[row] - data.chi[row]) * w;
    c += jd * jd;
    gd += jd * r;
    const off = row * n;
    for (let i = 0; i < n; i++) {
      const ji = J[off + i] * w;
      if (ji === 0) continue;
      a[i] += ji * jd;
      gw[i] += ji * r;
      for (let j = i; j < n; j++) H[i * n + j] += ji * J[off + j] * w;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i];
    for (let j = 0; j < n; j++) gw[i] += prior[i * n + j] * theta[j];
  }
  const ha = choleskySolve(H, a, n), hg = choleskySolve(H, gw, n);
  if (!ha || !hg) return null;
  let S = c, num = gd;
  for (let i = 0; i < n; i++) {
    S -= a[i] * ha[i];
    num -= a[i] * hg[i];
  }
  if (!(S > 0)) return null;
  const dDelta = -num / S;
  return { dDelta, dTheta: Float64Array.from(hg, (v, i) => -(v + ha[i] * dDelta)), thetaSlope: ha.map((v) => -v), sigma: 1 / Math.sqrt(S) };
}

/**
 * Fits Δ with the horizon metric: the profile over Δ from a fit at its start
 * (`first`, e.g. at horizonDeltaStart's Δ; converged or not), within the integer
 * interval of that start. Newton steps on the profile (newtonStep, each a fit
 * warm-started at the predicted weights, halved while the loss does not fall)
 * until a step is below HORIZON_DELTA_TOLERANCE·σ; then fits at Δ̂ ± 2σ give the
 * curvature, σ_Δ² = 2/L'', and the parabola's vertex (refitted once when it lies
 * more than σ_Δ/2 away). Returns the network at Δ̂ holding the fitted weights
 * (dispose it) and its result with `delta_err`, widened `rh_err`,
 * `temperature_err`, `f_err`, `g_err`, the reduced χ² over one degree of freedom
 * fewer, and iterations, passes and time summed over the profile's fits (not
 * counting `first`'s).
 * @throws RING_ERR_DELTA_INTEGER when Δ̂ lies within 0.01 of an integer, or the
 *   profile still falls (by > 3σ) towards an end of the interval at the end of the search.
 * A trial fit that diverges is a rejected step (RING_ERR_MODEL_DIVERGED only from `first`).
 */
export function profileHorizonDelta(
  table: ResponseTable | readonly ResponsePoint[],
  first: { net: HorizonNetwork; fit: HorizonFitResult },
  o: HorizonDeltaOptions = {},
): { net: HorizonNetwork; fit: HorizonDeltaFit } {
  const [lo, hi] = deltaInterval(first.net.delta);
  const clamp = (d: number): number => Math.min(hi, Math.max(lo, d));
  const points: ProfilePoint[] = [];
  const add = (p: ProfilePoint): ProfilePoint => {
    points.push(p);
    o.onPoint?.(p.delta, p.loss);
    return p;
  };
  let left = o.maxEvaluations ?? Infinity;
  /** A fit at Δ; null when it diverges (a trial step the search then rejects). */
  const evaluate = (delta: number, theta: Float64Array): ProfilePoint | null => {
    const net = createHorizonNetwork({ ...first.net.shape, delta, lambda: first.net.lambda, freeScale: first.net.freeScale });
    try {
      const fit = net.fit(table, { init: theta, lm: { ...o.lm, ...(Number.isFinite(left) ? { maxEvaluations: Math.max(2, left) } : {}) }, onIteration: o.onIteration });
      left -= fit.evaluations;
      return add({ delta, loss: fit.loss, net, fit });
    } catch (e) {
      if (e instanceof HoloringError && e.code === ModelErrorCodes.DIVERGED) return null;
      throw e;
    }
  };
  /** Out of passes: the best point so far, not converged, σ_Δ from the Gauss–Newton curvature. */
  const stop = (best: ProfilePoint, sigma: number): { net: HorizonNetwork; fit: HorizonDeltaFit } => {
    const fit = widen(best, best, best, sigma, points);
    return { net: best.net, fit: { ...fit, delta_err: sigma, converged: false } };
  };
  /** A fit at Δ warm-started along the step from p (weights θ_p + t·δθ for Δ = Δ_p + t·δΔ). */
  const along = (p: ProfilePoint, step: { dDelta: number; dTheta: Float64Array }, delta: number): ProfilePoint | null => {
    const t = (delta - p.delta) / step.dDelta, theta = p.net.weights();
    step.dTheta.forEach((v, i) => (theta[i] += t * v));
    return evaluate(delta, theta);
  };
  let best = add({ delta: first.net.delta, loss: first.fit.loss, net: first.net, fit: first.fit });
  let sigma = HORIZON_DELTA_STEP;
  let step = newtonStep(table, best);
  for (let i = 0; i < MAX_NEWTON && step; i++) {
    sigma = step.sigma;
    if (left <= 0) return stop(best, sigma);
    if (best.fit.converged && Math.abs(step.dDelta) < HORIZON_DELTA_TOLERANCE * sigma) break;
    let next: ProfilePoint | null = null;
    for (let t = 1; t >= 1 / 8 && !next; t /= 2) {
      const delta = clamp(best.delta + t * step.dDelta);
      if (delta === best.delta) break;
      const q = along(best, step, delta);
      if (q && q.loss < best.loss) next = q;
    }
    if (!next) break;
    best = next;
    step = newtonStep(table, best);
  }
  if (step) sigma = step.sigma;
  if (left <= 0) return stop(best, sigma);
  if (step && Math.abs(step.dDelta) > 3 * sigma && (best.delta + step.dDelta <= lo || best.delta + step.dDelta >= hi)) {
    // the profile falls on towards an end of the interval: Δ is at or beyond an integer
    throw new HoloringError(
      ErrorCodes.DELTA_INTEGER,
      `the profile of the horizon fit over Δ keeps falling past the end of the interval (${Math.floor(lo)}, ${Math.ceil(hi)}) it may search (Δ = ${best.delta.toFixed(4)}, the next step ${step.dDelta.toExponential(1)}): ` +
        'the data want Δ at or beyond an integer; give --delta-start in the interval of the sample\'s Δ, or Δ explicitly with --delta',
      { delta: best.delta, step: step.dDelta, interval: [lo, hi] },
    );
  }
  // the curvature of the profile at Δ̂ ± 2σ; once more around the parabola's vertex if Δ̂ was not yet at it
  for (let round = 0; ; round++) {
    const s = Math.min(2 * sigma, HORIZON_DELTA_STEP);
    const toward = { dDelta: 1, dTheta: newtonStep(table, best)?.thetaSlope ?? new Float64Array(best.net.nt) };
    // a side whose fit diverged is replaced by Δ̂ itself (one-sided differences, σ from Gauss–Newton)
    const minus = along(best, toward, clamp(best.delta - s)) ?? best, plus = along(best, toward, clamp(best.delta + s)) ?? best;
    const { vertex, curvature } = parabola(minus, best, plus);
    const sigmaDelta = curvature > 0 ? Math.sqrt(2 / curvature) : sigma;
    const lowest = [minus, best, plus].reduce((m, p) => (p.loss < m.loss ? p : m));
    if (round === 0 && (lowest !== best || Math.abs(vertex - best.delta) > 0.5 * sigmaDelta)) {
      best = (curvature > 0 && vertex > minus.delta && vertex < plus.delta ? along(best, toward, vertex) : null) ?? lowest;
      sigma = sigmaDelta;
      continue;
    }
    refuseNearInteger(best.delta, sigmaDelta);
    return { net: best.net, fit: widen(best, minus, plus, sigmaDelta, points) };
  }
}
/** The fit at Δ̂ with σ_Δ carried into its bands (central differences between `minus` and `plus`). */
function widen(b: ProfilePoint, minus: ProfilePoint, plus: ProfilePoint, sigmaDelta: number, points: ProfilePoint[]): HorizonDeltaFit {
  const span = plus.delta - minus.delta;
  const slope = (m: number, p: number): number => (span > 0 ? ((p - m) / span) * sigmaDelta : 0);
  const quad = (err: number, m: number, p: number): number => Math.hypot(err, slope(m, p));
  const grid = b.net.grid, tm = minus.net.weights(), tp = plus.net.weights();
  const fit = b.fit;
  const f_err: number[] = [], g_err: number[] = [];
  fit.r.forEach((r, i) => {
    const m = horizonMetricAt(grid, tm, r), p = horizonMetricAt(grid, tp, r);
    f_err.push(quad(fit.f_err[i], m.f, p.f));
    g_err.push(quad(fit.g_err[i], m.g, p.g));
  });
  const sorted = [...points].sort((p, q) => p.delta - q.delta);
  const dof = Math.max(1, fit.dof - 1);
  // the first point's fit is the caller's (counted there)
  const sum = (key: 'iterations' | 'evaluations' | 'elapsedMs'): number => points.slice(1).reduce((t, p) => t + p.fit[key], 0);
  return {
    ...fit,
    f_err,
    g_err,
    rh_err: quad(fit.rh_err, minus.fit.rh, plus.fit.rh),
    temperature_err: quad(fit.temperature_err, minus.fit.temperature, plus.fit.temperature),
    dof,
    chi2: fit.chi2_total / dof,
    iterations: sum('iterations'),
    evaluations: sum('evaluations'),
    elapsedMs: sum('elapsedMs'),
    delta_err: sigmaDelta,
    delta_auto: true,
    delta_search: { deltas: sorted.map((p) => p.delta), loss: sorted.map((p) => p.loss) },
  };
}

/** Passes of the fit at the start before the profile's Newton steps take over (they need no converged start). */
export const HORIZON_DELTA_FIRST_PASSES = 4;

/**
 * Δ and the horizon metric from a table: a fit at `start` (HORIZON_DELTA_FIRST_PASSES
 * passes from `init`: the r_h scan, a checkpoint fitted at `start`, or weights), then
 * profileHorizonDelta. `maxEvaluations` bounds the passes of both together.
 * @throws as profileHorizonDelta, and RING_ERR_MODEL_* for a table the network cannot fit.
 */
export function fitHorizonDelta(
  table: ResponseTable | readonly ResponsePoint[],
  o: HorizonDeltaOptions & { start: number; shape?: Partial<HorizonShape>; lambda?: number; freeScale?: boolean; init?: HorizonFitOptions['init']; rhGuess?: number },
): { net: HorizonNetwork; fit: HorizonDeltaFit } {
  const net = createHorizonNetwork({ ...o.shape, delta: o.start, lambda: o.lambda, freeScale: o.freeScale });
  const budget = o.maxEvaluations ?? Infinity;
  const fit = net.fit(table, { init: o.init, rhGuess: o.rhGuess, lm: { ...o.lm, maxEvaluations: Math.min(HORIZON_DELTA_FIRST_PASSES, budget) }, onIteration: o.onIteration });
  const res = profileHorizonDelta(table, { net, fit }, { ...o, maxEvaluations: budget - fit.evaluations });
  const r = res.fit;
  return { net: res.net, fit: { ...r, iterations: r.iterations + fit.iterations, evaluations: r.evaluations + fit.evaluations, elapsedMs: r.elapsedMs + fit.elapsedMs } };
}
