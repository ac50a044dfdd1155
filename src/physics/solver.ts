import { ErrorCodes, HoloringError, assertFinite } from '../errors.ts';
import type { Complex } from './complex.ts';
import { boundarySeries, matchBoverA } from './boundary.ts';
import { horizonStart, regularStart } from './centre.ts';
import { horizonCoefficients, horizonData, infallingStart } from './horizon.ts';
import type { Metric } from './metric.ts';
import { massSquared, validateDelta } from './params.ts';

export interface SolverOptions {
  /** Frobenius start radius at a regular centre (default 1e-3). */
  r0?: number;
  /** Matching radius (default 12, raised to the metric's exact-AdS radius if larger). */
  rMax?: number;
  /** Relative tolerance of the adaptive Dormand–Prince integrator (default 1e-12). */
  rtol?: number;
  /** Infalling start x₀ = r₀ − r_h of a deformed horizon, relative to r_h (default 1e-6). */
  x0?: number;
}

export const SOLVER_DEFAULTS = { r0: 1e-3, rMax: 12, rtol: 1e-12, x0: 1e-6 } as const;

export interface ModeSolution {
  /** B/A at the boundary. */
  bOverA: Complex;
  /** χ = (2Δ − 2) B/A. */
  chi: Complex;
  /** Integrator steps taken. */
  steps: number;
}

// Dormand–Prince 5(4) tableau
const C2 = 1 / 5, C3 = 3 / 10, C4 = 4 / 5, C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
const A71 = 35 / 384, A73 = 500 / 1113, A74 = 125 / 192, A75 = -2187 / 6784, A76 = 11 / 84;
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;

/**
 * Solves the radial mode equation for one (Ω, k) and returns B/A and χ.
 * Integrates d(R,Π)/ds = [[0, a],[c, 0]](R,Π) in s = ln r with adaptive
 * Dormand–Prince 5(4), from the centre (or horizon) series to rMax, then
 * matches to the exact boundary series.
 */
export function solveMode(metric: Metric, delta: number, omega: Complex, k: number, opts: SolverOptions = {}): ModeSolution {
  validateDelta(delta);
  assertFinite('omega', omega.re, omega.im);
  assertFinite('k', k);
  const r0 = opts.r0 ?? SOLVER_DEFAULTS.r0;
  const rMax = Math.max(opts.rMax ?? SOLVER_DEFAULTS.rMax, metric.rExact * 1.0001);
  const rtol = opts.rtol ?? SOLVER_DEFAULTS.rtol;
  const m2 = massSquared(delta);
  const k2 = k * k;
  const o2re = omega.re * omega.re - omega.im * omega.im;
  const o2im = 2 * omega.re * omega.im;
  const f = metric.f;
  const g = metric.g;

  const centre = metric.centre;
  // a deformed horizon is integrated in s = ln(r − r_h) from the infalling start (physics.md §11)
  const lnX = centre.type === 'horizon' && centre.alpha && centre.beta ? { rh: centre.rh, alpha: centre.alpha, beta: centre.beta } : null;

  // coefficient buffer: a, cre, cim at a given s
  let ca = 0, ccre = 0, ccim = 0;
  const coeff = lnX
    ? (s: number): void => {
      const x = Math.exp(s), r = lnX.rh + x;
      const h = horizonCoefficients(lnX.rh, x, lnX.alpha(r), lnX.beta(r));
      ca = h.a;
      ccre = h.kc * k2 + h.mc * m2 - h.oc * o2re;
      ccim = -h.oc * o2im;
    }
    : (s: number): void => {
      const r = Math.exp(s);
      const fr = f(r);
      const gr = g(r);
      const r2 = r * r;
      ca = 1 / Math.sqrt(fr * gr);
      const v = Math.sqrt(fr / gr);
      ccre = v * (m2 * r2 + k2 - (o2re * r2) / fr);
      ccim = v * (-(o2im * r2) / fr);
    };

  let start: { s: number; y: [number, number, number, number] };
  if (lnX) {
    const x0 = (opts.x0 ?? SOLVER_DEFAULTS.x0) * lnX.rh;
    coeff(Math.log(x0));
    start = { s: Math.log(x0), y: infallingStart(horizonData(lnX.rh, lnX.alpha, lnX.beta), omega.re, omega.im, k, m2, x0, ca) };
  } else {
    const st = centre.type === 'regular' ? regularStart(centre, omega, k, m2, r0, Math.sqrt(f(r0) * g(r0))) : horizonStart(centre, omega, k, m2);
    start = { s: Math.log(st.r), y: st.y };
  }

  let s = start.s;
  const s1 = Math.log(lnX ? rMax - lnX.rh : rMax);
  let [y0, y1, y2, y3] = start.y;
  let h = Math.min(0.02, (s1 - s) / 10);
  // k1 (FSAL)
  coeff(s);
  let k10 = ca * y2, k11 = ca * y3, k12 = ccre * y0 - ccim * y1, k13 = ccre * y1 + ccim * y0;
  let steps = 0;
  let rejects = 0;
  while (s < s1) {
    if (s + h > s1) h = s1 - s;
    // stage 2
    let t0 = y0 + h * A21 * k10, t1 = y1 + h * A21 * k11, t2 = y2 + h * A21 * k12, t3 = y3 + h * A21 * k13;
    coeff(s + C2 * h);
    const k20 = ca * t2, k21 = ca * t3, k22 = ccre * t0 - ccim * t1, k23 = ccre * t1 + ccim * t0;
    t0 = y0 + h * (A31 * k10 + A32 * k20); t1 = y1 + h * (A31 * k11 + A32 * k21);
    t2 = y2 + h * (A31 * k12 + A32 * k22); t3 = y3 + h * (A31 * k13 + A32 * k23);
    coeff(s + C3 * h);
    const k30 = ca * t2, k31 = ca * t3, k32 = ccre * t0 - ccim * t1, k33 = ccre * t1 + ccim * t0;
    t0 = y0 + h * (A41 * k10 + A42 * k20 + A43 * k30); t1 = y1 + h * (A41 * k11 + A42 * k21 + A43 * k31);
    t2 = y2 + h * (A41 * k12 + A42 * k22 + A43 * k32); t3 = y3 + h * (A41 * k13 + A42 * k23 + A43 * k33);
    coeff(s + C4 * h);
    const k40 = ca * t2, k41 = ca * t3, k42 = ccre * t0 - ccim * t1, k43 = ccre * t1 + ccim * t0;
    t0 = y0 + h * (A51 * k10 + A52 * k20 + A53 * k30 + A54 * k40);
    t1 = y1 + h * (A51 * k11 + A52 * k21 + A53 * k31 + A54 * k41);
    t2 = y2 + h * (A51 * k12 + A52 * k22 + A53 * k32 + A54 * k42);
    t3 = y3 + h * (A51 * k13 + A52 * k23 + A53 * k33 + A54 * k43);
    coeff(s + C5 * h);
    const k50 = ca * t2, k51 = ca * t3, k52 = ccre * t0 - ccim * t1, k53 = ccre * t1 + ccim * t0;
    t0 = y0 + h * (A61 * k10 + A62 * k20 + A63 * k30 + A64 * k40 + A65 * k50);
    t1 = y1 + h * (A61 * k11 + A62 * k21 + A63 * k31 + A64 * k41 + A65 * k51);
    t2 = y2 + h * (A61 * k12 + A62 * k22 + A63 * k32 + A64 * k42 + A65 * k52);
    t3 = y3 + h * (A61 * k13 + A62 * k23 + A63 * k33 + A64 * k43 + A65 * k53);
    coeff(s + h);
    const k60 = ca * t2, k61 = ca * t3, k62 = ccre * t0 - ccim * t1, k63 = ccre * t1 + ccim * t0;
    // 5th-order solution
    const n0 = y0 + h * (A71 * k10 + A73 * k30 + A74 * k40 + A75 * k50 + A76 * k60);
    const n1 = y1 + h * (A71 * k11 + A73 * k31 + A74 * k41 + A75 * k51 + A76 * k61);
    const n2 = y2 + h * (A71 * k12 + A73 * k32 + A74 * k42 + A75 * k52 + A76 * k62);
    const n3 = y3 + h * (A71 * k13 + A73 * k33 + A74 * k43 + A75 * k53 + A76 * k63);
    // k7 at the new point (FSAL); coefficients at s+h are still loaded
    const k70 = ca * n2, k71 = ca * n3, k72 = ccre * n0 - ccim * n1, k73 = ccre * n1 + ccim * n0;
    const e0 = h * (E1 * k10 + E3 * k30 + E4 * k40 + E5 * k50 + E6 * k60 + E7 * k70);
    const e1 = h * (E1 * k11 + E3 * k31 + E4 * k41 + E5 * k51 + E6 * k61 + E7 * k71);
    const e2 = h * (E1 * k12 + E3 * k32 + E4 * k42 + E5 * k52 + E6 * k62 + E7 * k72);
    const e3 = h * (E1 * k13 + E3 * k33 + E4 * k43 + E5 * k53 + E6 * k63 + E7 * k73);
    // error relative to the size of each complex component (R and Π scale differently)
    const sR = rtol * Math.max(Math.hypot(y0, y1), Math.hypot(n0, n1), 1e-300);
    const sP = rtol * Math.max(Math.hypot(y2, y3), Math.hypot(n2, n3), 1e-300);
    const err = Math.sqrt(((e0 / sR) ** 2 + (e1 / sR) ** 2 + (e2 / sP) ** 2 + (e3 / sP) ** 2) / 4);
    if (!Number.isFinite(err)) {
      throw new HoloringError(ErrorCodes.SOLVER_FAILED, `mode solver diverged at r = ${Math.exp(s).toPrecision(4)} for Ω = ${omega.re}+${omega.im}i, k = ${k}`, { omega, k });
    }
    if (err <= 1) {
      s += h;
      y0 = n0; y1 = n1; y2 = n2; y3 = n3;
      k10 = k70; k11 = k71; k12 = k72; k13 = k73;
      steps++;
      h *= Math.min(5, 0.9 * Math.pow(Math.max(err, 1e-10), -0.2));
    } else {
      rejects++;
      h *= Math.max(0.2, 0.9 * Math.pow(err, -0.2));
      if (rejects > 100000) {
        throw new HoloringError(ErrorCodes.SOLVER_FAILED, `mode solver step size underflow for Ω = ${omega.re}+${omega.im}i, k = ${k}`, { omega, k });
      }
    }
  }
  // at rMax: f = g = r² − M exactly, so √(fg) = r² − M
  const M = metric.M;
  const sqrtFg = rMax * rMax - M;
  const dRre = y2 / (rMax * sqrtFg);
  const dRim = y3 / (rMax * sqrtFg);
  const uA = boundarySeries(2 - delta, omega, k, m2, M, rMax);
  const uB = boundarySeries(delta, omega, k, m2, M, rMax);
  const bOverA = matchBoverA(y0, y1, dRre, dRim, uA, uB);
  const scale = 2 * delta - 2;
  return { bOverA, chi: { re: scale * bOverA.re, im: scale * bOverA.im }, steps };
}
