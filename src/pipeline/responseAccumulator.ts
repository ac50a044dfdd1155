import { type OperatorFunction, defer, map, scan } from 'rxjs';
import type { AccumulatedResponse, ChiFrame } from '../contracts/calibration.ts';
import type { ResponsePoint } from '../contracts/response.ts';
import { type StepState, addStep, correlation, effectiveComponents, stepLoadings } from './stepCorrelation.ts';

/**
 * Pipeline stage: running means of χ per (ω, k) over repeated frames, with σ
 * (per real component, of the mean) from the scatter of the frames (Welford)
 * combined with the calibration's own uncertainty, which is the same in every
 * frame and so does not average down; of that, the reference's overall-constant
 * error, common to every row too, also on its own (sigmaCommon).
 *
 * The scatter of a few frames is a poor variance: with ν = 2(n − 1) degrees of
 * freedom, s² ~ σ²χ²_ν/ν and E[σ²/s²] = ν/(ν − 2), so a χ² built on it is
 * biased high (×2 at n = 3, ×1.25 at n = 5) and heavy-tailed. Two standard
 * remedies are applied (scaled-inverse-χ² / empirical-Bayes variance shrinkage,
 * e.g. Gelman et al., Bayesian Data Analysis, 3rd ed., §2.6 and §5.5):
 * - where the frames carry their noise model's σ (propagated per k), the ratio
 *   scatter / noise model of a cell is shrunk towards that of the other k at the
 *   same ω (whose noise comes from the same sites), with at most
 *   {@link PRIOR_DOF} degrees of freedom, so the model gives the shape across k
 *   and the data the scale, and a cell's own scatter wins as frames accumulate;
 *   the k share their noise (the same sites: ChiFrame.kCovariance), so the pool
 *   of all cells counts for K_eff = K²/Σρ² of its K (stepCorrelation.ts), and the
 *   prior lends at most ν·K_eff/K less the cell's own ν;
 * - the result is scaled by ν_e/(ν_e − 2) (ν_e: the degrees of freedom behind
 *   it), which makes E[σ²/σ̂²] = 1, so the reduced χ² of a correct model is 1.
 * Each row also gets its share of the error common to the rows of its ω
 * (sigmaStep, stepCorrelation.ts). Emits the current table after every frame
 * (only the ω of the new frame is recomputed). A table never mixes calibrations:
 * a frame with a different calibration version starts a new table. Bounded: at
 * most `maxOmegas` distinct drive frequencies (frames at further ω are counted
 * and dropped).
 */
export interface AccumulatorOptions {
  /** Fewest frames for a point to enter the table (default 2: σ needs a scatter). With 1, σ is the propagated one. */
  minFrames?: number;
  maxOmegas?: number;
}

/** Most degrees of freedom the other k at the same ω lend a cell's variance (about 8 frames' worth). */
export const PRIOR_DOF = 16;

interface Cell {
  n: number;
  re: number;
  im: number;
  /** Σ |z − mean|² (both components). */
  m2: number;
  /** Σ propagated random σ² (for minFrames = 1). */
  prop: number;
  /** Largest calibration (systematic) σ² seen: common to every frame, never averaged down. */
  sys2: number;
  /** Largest σ² of the reference's overall constant seen (part of sys2; common to every row too). */
  common2: number;
}

interface State {
  version: string | null | undefined;
  cells: Map<number, Map<number, Cell>>;
  steps: Map<number, StepState>;
  /** The rows of each ω as last computed, and the ω whose frames came since. */
  rows: Map<number, ResponsePoint[]>;
  dirty: Set<number>;
  gamma: Map<number, number>;
  frames: number;
  dropped: Record<string, number>;
}

export function accumulateResponse(opts: AccumulatorOptions = {}): OperatorFunction<ChiFrame, AccumulatedResponse> {
  const minFrames = Math.max(1, opts.minFrames ?? 2);
  const maxOmegas = opts.maxOmegas ?? 10_000;
  const fresh = (version: string | null | undefined, dropped: Record<string, number> = {}): State => ({ version, cells: new Map(), steps: new Map(), rows: new Map(), dirty: new Set(), gamma: new Map(), frames: 0, dropped });
  // defer: every subscription gets its own state
  return (source) =>
    defer(() => source.pipe(
      scan((st: State, f: ChiFrame) => {
        if (st.version !== undefined && st.version !== f.calibrationVersion) st = fresh(f.calibrationVersion, { ...st.dropped, 'calibration-change': (st.dropped['calibration-change'] ?? 0) + st.frames });
        st.version = f.calibrationVersion;
        let byK = st.cells.get(f.omega);
        if (!byK) {
          if (st.cells.size >= maxOmegas) {
            st.dropped['too-many-omegas'] = (st.dropped['too-many-omegas'] ?? 0) + 1;
            return st;
          }
          st.cells.set(f.omega, (byK = new Map()));
          st.gamma.set(f.omega, f.gamma);
        }
        for (const s of f.chi) {
          let c = byK.get(s.k);
          if (!c) byK.set(s.k, (c = { n: 0, re: 0, im: 0, m2: 0, prop: 0, sys2: 0, common2: 0 }));
          c.n++;
          const dr = s.re - c.re;
          const di = s.im - c.im;
          c.re += dr / c.n;
          c.im += di / c.n;
          c.m2 += dr * (s.re - c.re) + di * (s.im - c.im);
          const sys2 = (s.sigmaSystematic ?? 0) ** 2;
          c.prop += Math.max(0, s.sigma * s.sigma - sys2);
          if (sys2 > c.sys2) c.sys2 = sys2;
          const common2 = (s.sigmaCommon ?? 0) ** 2;
          if (common2 > c.common2) c.common2 = common2;
        }
        addStep(st.steps, f);
        st.dirty.add(f.omega);
        st.frames++;
        return st;
      }, fresh(undefined)),
      map((st) => snapshot(st, minFrames)),
    ));
}

function snapshot(st: State, minFrames: number): AccumulatedResponse {
  for (const omega of st.dirty) st.rows.set(omega, rowsAt(st, omega, minFrames));
  st.dirty.clear();
  const points = [...st.rows.keys()].sort((a, b) => a - b).flatMap((omega) => st.rows.get(omega)!);
  return { points, noiseless: points.length > 0 && points.every((p) => p.sigma === 0), calibrationVersion: st.version ?? null, frames: st.frames, dropped: { ...st.dropped } };
}

/** The table's rows at one ω, with each row's share of the error common to the step (stepCorrelation.ts). */
function rowsAt(st: State, omega: number, minFrames: number): ResponsePoint[] {
  const byK = st.cells.get(omega)!;
  const step = st.steps.get(omega);
  const shaped = step && !step.broken && step.frames > 0 && [...byK.keys()].every((k) => k < step.K) ? step : null;
  const rhoRandom = shaped ? correlation(shaped.random, shaped.K) : null;
  // pooled scatter / noise-model ratio over the k at this ω: Σ m2/p̄ and Σ ν
  let ratioSum = 0;
  let dofSum = 0;
  let cells = 0;
  for (const c of byK.values()) {
    const p = modelVariance(c);
    if (c.n >= 2 && p > 0) {
      ratioSum += c.m2 / p;
      dofSum += 2 * (c.n - 1);
      cells++;
    }
  }
  // the k share their noise (the same sites): the pool is worth K_eff of its K cells
  const independent = rhoRandom && cells > 0 ? Math.min(1, effectiveComponents(rhoRandom, shaped!.K) / shaped!.K) : 1;
  const rows: ResponsePoint[] = [];
  const random2: number[] = [];
  const own2: number[] = [];
  for (const k of [...byK.keys()].sort((a, b) => a - b)) {
    const c = byK.get(k)!;
    if (c.n < minFrames) continue;
    // random part of the mean (scatter, or propagated for a single frame) plus the calibration's own error
    const r2 = (c.n >= 2 ? frameVariance(c, ratioSum, dofSum, independent) : c.prop / c.n) / c.n;
    const sigma = Math.sqrt(r2 + c.sys2);
    if (!Number.isFinite(sigma)) continue;
    rows.push({ omega, gamma: st.gamma.get(omega)!, k, chiRe: c.re, chiIm: c.im, sigma, ...(c.common2 > 0 ? { sigmaCommon: Math.min(sigma, Math.sqrt(c.common2)) } : {}) });
    random2.push(r2);
    own2.push(Math.max(0, c.sys2 - c.common2));
  }
  if (shaped && rhoRandom && rows.length >= 2) {
    const { loadings, direction } = stepLoadings(rows.map((r) => r.k), shaped.K, rhoRandom, random2, correlation(shaped.systematic, shaped.K), own2, shaped.direction);
    shaped.direction = direction;
    rows.forEach((r, i) => (r.sigmaStep = loadings[i]));
  }
  return rows;
}

/** Mean propagated random variance of one frame of the cell (per component); 0 when the frames carry no noise model. */
function modelVariance(c: Cell): number {
  const p = c.prop / c.n;
  return Number.isFinite(p) && p > 0 ? p : 0;
}

/**
 * Variance of one frame (per component) of a cell with n ≥ 2 frames: its own
 * scatter, shrunk towards the pooled scatter/model ratio of the other k (when
 * the frames carry a noise model), then made unbiased in 1/σ² (see above).
 */
function frameVariance(c: Cell, ratioSum: number, dofSum: number, independent: number): number {
  const dof = 2 * (c.n - 1);
  const own = c.m2 / dof;
  const p = modelVariance(c);
  let v = own;
  let dofEff = dof;
  if (p > 0) {
    const otherDof = dofSum - dof;
    // the other k share this cell's noise (the same sites): all the cells together are worth ν·K_eff/K
    const prior = Math.min(PRIOR_DOF, otherDof, Math.max(0, dofSum * independent - dof));
    if (prior > 0) {
      const otherRatio = (ratioSum - c.m2 / p) / otherDof;
      v = (p * (dof * (own / p) + prior * otherRatio)) / (dof + prior);
      dofEff = dof + prior;
    }
  }
  return dofEff > 2 ? (v * dofEff) / (dofEff - 2) : v;
}
