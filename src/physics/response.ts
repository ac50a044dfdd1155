import type { ResponsePoint } from '../contracts/response.ts';
import type { Complex } from './complex.ts';
import { GridSolver } from './gridSolver.ts';
import type { Metric } from './metric.ts';
import { Rng } from '../util/random.ts';
import { ErrorCodes, HoloringError } from '../errors.ts';

/**
 * At γ = 0 a grid point is taken to sit on a real pole (a normal mode of a lossless
 * ring, physics.md §5: Ω = ±(Δ + |k| + 2n) for pure AdS) when |χ| there exceeds
 * POLE_RATIO times |χ| at ω(1 ± POLE_PROBE): a simple pole at distance d gives a
 * ratio ≈ d/(d − ω·POLE_PROBE), above 100 only within ~10⁻⁶ω of the pole, where the
 * solver's finite number is rounding, not the response.
 */
export const POLE_PROBE = 1e-6;
export const POLE_RATIO = 100;

export interface ResponseGridOptions {
  metric: Metric;
  delta: number;
  omegas: readonly number[];
  gamma: number;
  kMax: number;
  /** Relative complex noise ε: each component gets N(0, (ε|χ|)²/2); σ = ε|χ|/√2. */
  noise?: number;
  seed?: number;
  /** Called after each ω with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** The response table χ(ω + iγ, k), k = 0..kMax, from the mode solver, with optional noise. */
export function simulateResponseTable(o: ResponseGridOptions): ResponsePoint[] {
  const solver = new GridSolver(o.metric, o.delta);
  return responseTableOf((W, k) => solver.chi(W, k), o);
}

/**
 * The response table of any χ(Ω, k) on the grid ω ∈ omegas, Ω = ω + iγ,
 * k = 0..kMax, with relative complex noise ε: each component gets
 * N(0, σ²), σ = ε·max(|χ|, 1e-6·max|χ|)/√2 (the floor keeps σ > 0 where χ
 * vanishes, e.g. diffusion at k = 0).
 * @throws RING_ERR_ARG_INVALID (context ω, k) at γ = 0 for a grid point on a real
 *   pole of χ (POLE_RATIO): the response is infinite there.
 */
export function responseTableOf(chi: (W: Complex, k: number) => Complex, o: Omit<ResponseGridOptions, 'metric' | 'delta'>): ResponsePoint[] {
  const rng = new Rng(o.seed ?? 1);
  const eps = o.noise ?? 0;
  const exact: { omega: number; k: number; c: Complex }[] = [];
  const mag = (c: Complex): number => Math.hypot(c.re, c.im);
  o.omegas.forEach((omega, i) => {
    for (let k = 0; k <= o.kMax; k++) {
      const c = chi({ re: omega, im: o.gamma }, k);
      if (o.gamma === 0 && omega !== 0) {
        const side = Math.max(mag(chi({ re: omega * (1 - POLE_PROBE), im: 0 }, k)), mag(chi({ re: omega * (1 + POLE_PROBE), im: 0 }, k)));
        if (!Number.isFinite(mag(c)) || mag(c) > POLE_RATIO * side) {
          throw new HoloringError(
            ErrorCodes.ARG_INVALID,
            `Ω = ${omega} (k = ${k}) is a normal mode of this ring: without damping (γ = 0) its response is infinite there; use γ > 0 (a real material's damping, default 0.25) or a grid of ω that avoids the modes (pure AdS: Ω = Δ + |k| + 2n)`,
            { omega, k },
          );
        }
      }
      exact.push({ omega, k, c });
    }
    o.onProgress?.(i + 1, o.omegas.length);
  });
  const floor = 1e-6 * Math.max(...exact.map((e) => Math.hypot(e.c.re, e.c.im)));
  return exact.map(({ omega, k, c }) => {
    const sigma = (eps * Math.max(Math.hypot(c.re, c.im), floor)) / Math.SQRT2;
    const chiRe = eps > 0 ? c.re + sigma * rng.normal() : c.re;
    const chiIm = eps > 0 ? c.im + sigma * rng.normal() : c.im;
    return { omega, gamma: o.gamma, k, chiRe, chiIm, sigma };
  });
}
