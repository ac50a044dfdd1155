/**
 * Black-hole targets of the horizon network (physics.md §11) and how a fit is
 * scored against them: BTZ r_h = 1.5 and two deformed black holes (a 30% bump of
 * f outside r_h = 1.5; a 20% dip of g outside r_h = 1.2), simulated by the
 * physics core's mode solver with its own horizon start.
 */
import type { ResponsePoint } from '../../src/contracts/response.ts';
import type { HorizonEstimate } from '../../src/model/horizon/estimate.ts';
import { type HorizonCentre, type Metric, blackHoleMetric, btzMetric, hawkingTemperature } from '../../src/physics/metric.ts';
import { defaultTable } from './targets.ts';

export const horizonTargets = {
  btz: (): Metric => btzMetric(1.5),
  /** f = (r² − r_h²)(1 + 0.3 e^{−((r−2.4)/0.7)²}), g = r² − r_h², r_h = 1.5. */
  bumpF: (): Metric => blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7),
  /** f = r² − r_h², g = (r² − r_h²)(1 − 0.2 e^{−((r−2)/0.6)²}), r_h = 1.2. */
  dipG: (): Metric => blackHoleMetric(1.2, 0, -0.2, 2.0, 0.6),
} as const;

export type HorizonTarget = keyof typeof horizonTargets;

/** The default response grid at 1% noise for a target. */
export const horizonTable = (name: HorizonTarget, seed: number, noise = 0.01): ResponsePoint[] => defaultTable(horizonTargets[name](), noise, seed);

/**
 * Issue 13 §2 at 1% noise: r_h within 2% and 2.5σ, T within 3σ, f and g within 2%
 * on [1.5 r_h, 3], 2σ coverage ≥ 90% on [1.1 r_h, 3].
 */
export const HORIZON_GOALS = { rhRel: 0.02, rhZ: 2.5, tZ: 3, fg: 0.02, fgFrom: 1.5, coverage: 0.9, coverageFrom: 1.1, rOuter: 3 } as const;

export interface HorizonScore {
  /** (r_h − truth)/truth and (r_h − truth)/σ. */
  rhRel: number;
  rhZ: number;
  /** (T − truth)/truth and (T − truth)/σ. */
  tRel: number;
  tZ: number;
  /** Max relative error of f and g on [1.5 r_h, 3]. */
  fg: number;
  /** Fraction of f, g values on [1.1 r_h, 3] within 2σ of the truth. */
  coverage: number;
}

export function scoreHorizon(metric: Metric, est: HorizonEstimate): HorizonScore {
  const c = metric.centre as HorizonCentre;
  const T = hawkingTemperature(c);
  let fg = 0, cov = 0, n = 0;
  est.r.forEach((r, i) => {
    const ft = metric.f(r), gt = metric.g(r);
    if (r >= HORIZON_GOALS.fgFrom * c.rh && r <= HORIZON_GOALS.rOuter) fg = Math.max(fg, Math.abs(est.f[i] / ft - 1), Math.abs(est.g[i] / gt - 1));
    if (r >= HORIZON_GOALS.coverageFrom * c.rh && r <= HORIZON_GOALS.rOuter) {
      n += 2;
      if (Math.abs(est.f[i] - ft) <= 2 * est.f_err[i]) cov++;
      if (Math.abs(est.g[i] - gt) <= 2 * est.g_err[i]) cov++;
    }
  });
  return {
    rhRel: est.rh / c.rh - 1,
    rhZ: (est.rh - c.rh) / est.rh_err,
    tRel: est.temperature / T - 1,
    tZ: (est.temperature - T) / est.temperature_err,
    fg,
    coverage: cov / n,
  };
}

/** Whether a scored fit meets every target of HORIZON_GOALS. */
export function meetsHorizonGoals(s: HorizonScore): boolean {
  const G = HORIZON_GOALS;
  return Math.abs(s.rhRel) < G.rhRel && Math.abs(s.rhZ) < G.rhZ && Math.abs(s.tZ) < G.tZ && s.fg < G.fg && s.coverage >= G.coverage;
}
