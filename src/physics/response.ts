import type { ResponsePoint } from '../contracts/response.ts';
import type { Complex } from './complex.ts';
import { GridSolver } from './gridSolver.ts';
import type { Metric } from './metric.ts';
import { Rng } from '../util/random.ts';

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
 */
export function responseTableOf(chi: (W: Complex, k: number) => Complex, o: Omit<ResponseGridOptions, 'metric' | 'delta'>): ResponsePoint[] {
  const rng = new Rng(o.seed ?? 1);
  const eps = o.noise ?? 0;
  const exact: { omega: number; k: number; c: Complex }[] = [];
  o.omegas.forEach((omega, i) => {
    for (let k = 0; k <= o.kMax; k++) exact.push({ omega, k, c: chi({ re: omega, im: o.gamma }, k) });
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
