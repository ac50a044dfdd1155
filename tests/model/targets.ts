/**
 * Target metrics for the accuracy tests: the physics.md deformed family, two
 * more smooth deformations of 10–40%, and two narrow features. Tabulated ones
 * go through the physics core's tableMetric, whose f(r), g(r) are the truth.
 */
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { type Metric, deformedMetric, tableMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';

const gauss = (r: number, c: number, s: number): number => Math.exp(-((r - c) ** 2) / (2 * s * s)) + Math.exp(-((r + c) ** 2) / (2 * s * s));

/** Tabulated metric f = (1+r²)e^{α}, g = (1+r²)e^{β} on r ∈ [0, 6]. */
function tabulated(label: string, alpha: (r: number) => number, beta: (r: number) => number): Metric {
  const r: number[] = [], f: number[] = [], g: number[] = [];
  for (let i = 0; i <= 600; i++) {
    const x = i * 0.01;
    r.push(x);
    f.push((1 + x * x) * Math.exp(alpha(x)));
    g.push((1 + x * x) * Math.exp(beta(x)));
  }
  return tableMetric({ r, f, g }, label);
}

export const targets = {
  /** physics.md's deformed family (0.3, −0.2, 1.5). */
  deformed: (): Metric => deformedMetric(0.3, -0.2, 1.5),
  /** f lowered by 25% at the centre, g raised by up to 30% around r ≈ 1. */
  deformedB: (): Metric => deformedMetric(-0.25, 0.3, 1.0),
  /** A 20% shell in f around r ≈ 1.2 (FWHM 1.4) and a 15% dip of g around r ≈ 1.4. */
  shell: (): Metric =>
    tabulated(
      'shell',
      (r) => Math.log(1 + 0.2 * gauss(r, 1.2, 0.6)),
      (r) => Math.log(1 - 0.35 * (r * r / (1 + r * r)) * Math.exp(-(r * r) / 4)),
    ),
  /** A 30% bump in f of FWHM 0.6 at r = 1. */
  bumpF: (): Metric => tabulated('bump-f', (r) => Math.log(1 + 0.3 * gauss(r, 1, 0.6 / 2.3548)), () => 0),
  /** A 30% dip in g of FWHM 0.4 at r = 0.5 (shifted so that g(0) = 1 exactly). */
  dipG: (): Metric => {
    const s = 0.4 / 2.3548;
    const d0 = gauss(0, 0.5, s);
    return tabulated('dip-g', () => 0, (r) => Math.log(1 - 0.3 * (gauss(r, 0.5, s) - d0 * Math.exp(-(r * r) / (2 * s * s)))));
  },
} as const;

export const DEFAULT_OMEGAS = Array.from({ length: 48 }, (_, i) => 0.25 * (i + 1));

/** The default response grid (ω = 0.25…12, |k| ≤ 12, Δ = 1.5, γ = 0.25). */
export function defaultTable(metric: Metric, noise: number, seed: number, kMax = 12): ResponsePoint[] {
  return defaultTableAt(metric, 1.5, noise, seed, kMax);
}

/** The default response grid at another Δ. */
export function defaultTableAt(metric: Metric, delta: number, noise: number, seed: number, kMax = 12): ResponsePoint[] {
  return simulateResponseTable({ metric, delta, omegas: DEFAULT_OMEGAS, gamma: 0.25, kMax, noise, seed });
}

export interface Errors {
  f: number;
  g: number;
  max: number;
  /** Fraction of (f, g) values on r ∈ [0, 3] within 2σ of the truth. */
  coverage: number;
}

/** Max relative errors and 2σ coverage on r ∈ [0, rMax] against the Metric's own f, g. */
export function errorsAgainst(metric: Metric, est: { r: number[]; f: number[]; g: number[]; f_err: number[]; g_err: number[] }, rMax = 3): Errors {
  let ef = 0, eg = 0, cov = 0, n = 0;
  est.r.forEach((r, i) => {
    if (r > rMax + 1e-12) return;
    const ft = metric.f(r), gt = metric.g(r);
    ef = Math.max(ef, Math.abs(est.f[i] / ft - 1));
    eg = Math.max(eg, Math.abs(est.g[i] / gt - 1));
    if (Math.abs(est.f[i] - ft) <= 2 * est.f_err[i]) cov++;
    if (Math.abs(est.g[i] - gt) <= 2 * est.g_err[i]) cov++;
    n += 2;
  });
  return { f: ef, g: eg, max: Math.max(ef, eg), coverage: cov / n };
}
