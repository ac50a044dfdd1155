import type { ResponsePoint } from '../contracts/response.ts';
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
  const rng = new Rng(o.seed ?? 1);
  const eps = o.noise ?? 0;
  const out: ResponsePoint[] = [];
  o.omegas.forEach((omega, i) => {
    for (let k = 0; k <= o.kMax; k++) {
      const c = solver.chi({ re: omega, im: o.gamma }, k);
      const sigma = (eps * Math.hypot(c.re, c.im)) / Math.SQRT2;
      const chiRe = eps > 0 ? c.re + sigma * rng.normal() : c.re;
      const chiIm = eps > 0 ? c.im + sigma * rng.normal() : c.im;
      out.push({ omega, gamma: o.gamma, k, chiRe, chiIm, sigma });
    }
    o.onProgress?.(i + 1, o.omegas.length);
  });
  return out;
}
