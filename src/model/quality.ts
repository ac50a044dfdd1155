/**
 * What a fit's numbers say about it, in words: whether the table's σ can be
 * honoured by the network at all (before fitting), and after fitting whether
 * the reduced χ² is what the χ² distribution allows, with the rows that
 * dominate χ² named (by their line in the table when it came from a file).
 */
import type { ResponsePoint } from '../contracts/response.ts';
import { HoloringError } from '../errors.ts';

/**
 * The network's own relative error on χ at N RK4 layers: ≈ 5·10⁻⁵ (max over the
 * default 624 modes) at N = 400, falling 16× per halving of the step
 * (physics.md §8: RK4; docs/model.md), so ε(N) = 5·10⁻⁵·(400/N)⁴.
 */
export function modelRelativeError(layers: number): number {
  return 5e-5 * (400 / layers) ** 4;
}

/** Reduced χ² above this is a failed fit whatever the degrees of freedom (README: the daemon warns above 3). */
export const FAILED_FIT_CHI2 = 3;
/** A row whose χ² contribution (2 real components) exceeds this is named: P(χ²₂ > 25) = e^−12.5 ≈ 4·10⁻⁶. */
export const DOMINANT_ROW_CHI2 = 25;

export type FitVerdict = 'good' | 'poor' | 'failed';

export interface DominantRow {
  /** 1-based row of the table, and its line in the file when known. */
  row: number;
  line?: number;
  omega: number;
  k: number;
  /** χ² contribution of the row (re and im). */
  chi2: number;
}

export interface FitQuality {
  /**
   * `good`: converged, and the reduced χ² within 4σ of 1 for its degrees of
   * freedom (σ = √(2/dof)); `poor`: converged with reduced χ² beyond that but
   * ≤ 3 — the metric describes the data only roughly, its error bands are too
   * small by about √(reduced χ²); `failed`: not converged, or reduced χ² > 3 —
   * the metric does not describe the data.
   */
  quality: FitVerdict;
  /** Sentences for people (stderr, logs); empty for a good fit. */
  warnings: string[];
  /**
   * The rows that dominate χ²: the fewest rows beyond 5σ (χ² contribution >
   * DOMINANT_ROW_CHI2) that carry half of it, largest first; when more than 8
   * would be needed, the worst 8 (the misfit is spread over the table).
   */
  dominantRows: DominantRow[];
}

/** "line 5 (ω = 0.5, k = 3)" or "row 5 (…)" when the table has no lines. */
export function describeRow(points: readonly ResponsePoint[], i: number, lines?: readonly number[]): string {
  const p = points[i];
  return `${lines ? `line ${lines[i]}` : `row ${i + 1}`} (ω = ${p.omega}, k = ${p.k})`;
}

/**
 * Refuses (RING_ERR_MODEL_SIGMA_BELOW_PRECISION) a noisy table with rows whose
 * σ is below the network's own precision, σ < ε(N)·|χ|, and more than 100×
 * below the table's median relative σ (so an outlier among its neighbours, not
 * a table measured more precisely than the lean network resolves). Such a σ cannot be
 * honoured — the model cannot reproduce χ that closely, so the row would weigh
 * (ε|χ|/σ)² times more than its data justify and decide the fit alone (or
 * make the normal equations singular). The refusal names the rows and the
 * smallest σ the network can honour for each.
 */
/** A σ this many times below the table's median relative σ (and below the network's precision) is an outlier. */
export const OUTLIER_FACTOR = 0.01;

/** Indices of the rows checkSigmaPrecision refuses (σ below ε(N)·|χ| and an outlier of the table's relative σ); none for a noiseless table. */
export function belowPrecisionRows(points: readonly ResponsePoint[], layers: number): number[] {
  if (points.every((p) => p.sigma === 0)) return []; // noiseless tables get the relative σ floor
  const eps = modelRelativeError(layers);
  // a row is refused when its σ is below the network's precision AND far below the
  // table's own typical relative σ (an outlier, e.g. a unit or copy error): a whole
  // table measured more precisely than ε is data to fit, not an error
  const rel = points.map((p) => p.sigma / Math.max(Math.hypot(p.chiRe, p.chiIm), Number.MIN_VALUE)).filter((r) => r > 0).sort((a, b) => a - b);
  const typical = rel.length ? rel[Math.floor(rel.length / 2)] : 0;
  const bad: number[] = [];
  points.forEach((p, i) => {
    const mag = Math.hypot(p.chiRe, p.chiIm);
    if (p.sigma < eps * mag && p.sigma < OUTLIER_FACTOR * typical * mag) bad.push(i);
  });
  return bad;
}

export function checkSigmaPrecision(points: readonly ResponsePoint[], layers: number, lines?: readonly number[]): void {
  const bad = belowPrecisionRows(points, layers);
  if (bad.length === 0) return;
  const eps = modelRelativeError(layers);
  const shown = bad.slice(0, 6).map((i) => `${describeRow(points, i, lines)}: σ = ${points[i].sigma}, needs ≥ ${(eps * Math.hypot(points[i].chiRe, points[i].chiIm)).toExponential(2)}`);
  throw new HoloringError(
    'RING_ERR_MODEL_SIGMA_BELOW_PRECISION',
    `${bad.length} row(s) have σ below the network's own precision (${eps.toExponential(1)}·|χ| at ${layers} layers), which no fit can honour: ${shown.join('; ')}${bad.length > 6 ? `; and ${bad.length - 6} more` : ''}. Check these σ (a unit or a copy error?); the network's precision improves as layers⁴ (--layers)`,
    { rows: bad.map((i) => i + 1), lines: lines ? bad.map((i) => lines[i]) : undefined, modelRelativeError: eps },
  );
}

/**
 * For the daemon's own tables (σ from the scatter of the frames, not typed in): the
 * rows checkSigmaPrecision would refuse get σ = ε(N)·|χ|, the smallest the network
 * can honour, instead of ending the fit. A live table at large Δ (|χ| growing as
 * |k|^{2Δ−2}) or near a normal mode has rows whose relative σ is far below the
 * table's median, and a long run shrinks every σ as 1/√frames: the fit then weighs
 * them as the model's precision allows. Returns the points (the same array when
 * none is floored) and the floored rows' indices; `warning` says so for people.
 */
export function floorSigmaToPrecision(points: readonly ResponsePoint[], layers: number): { points: readonly ResponsePoint[]; floored: number[]; warning?: string } {
  const floored = belowPrecisionRows(points, layers);
  if (floored.length === 0) return { points, floored };
  const eps = modelRelativeError(layers);
  const out = points.slice();
  for (const i of floored) out[i] = { ...points[i], sigma: eps * Math.hypot(points[i].chiRe, points[i].chiIm) };
  const shown = floored.slice(0, 3).map((i) => `ω = ${points[i].omega}, k = ${points[i].k}`).join('; ');
  return {
    points: out,
    floored,
    warning: `${floored.length} row(s) measured more precisely than the network resolves at ${layers} layers (${shown}${floored.length > 3 ? '; …' : ''}) are fitted with σ = ${eps.toExponential(1)}·|χ|, the network's own precision (model.layers raises it as layers⁴)`,
  };
}

/** What a reduced χ² beyond FAILED_FIT_CHI2 suggests, by the geometry of the network that was fitted. */
const DOES_NOT_DESCRIBE = {
  disk: 'the metric does not describe the data (check Δ, γ, the calibration and σ; a sample above the Hawking–Page temperature has a horizon, which the disk network cannot represent: --geometry horizon; --geometry auto fits both and keeps the better)',
  horizon: 'the metric does not describe the data (check Δ, γ, the calibration and σ; a sample below the Hawking–Page temperature has no horizon: --geometry disk; --geometry auto fits both and keeps the better, so a failed fit under auto means neither describes the data)',
} as const;

/**
 * The verdict on a finished fit from its reduced χ², degrees of freedom,
 * convergence and per-row residuals (chiPred: re, im interleaved; invSigma per
 * row). The same rules for both geometries; `geometry` only words the advice.
 */
export function assessFit(
  fit: { chi2: number; dof: number; converged: boolean; evaluations: number; noiseless: boolean },
  points: readonly ResponsePoint[],
  chiPred: Float64Array,
  invSigma: Float64Array,
  lines?: readonly number[],
  geometry: 'disk' | 'horizon' = 'disk',
): FitQuality {
  const contrib = points.map((p, i) => ((chiPred[2 * i] - p.chiRe) ** 2 + (chiPred[2 * i + 1] - p.chiIm) ** 2) * invSigma[i] ** 2);
  const total = contrib.reduce((a, b) => a + b, 0);
  // the fewest worst rows (beyond 5σ) that carry half of χ², at most 8; else the worst 8 (the misfit is spread)
  const worst = contrib.map((c, i) => ({ c, i })).filter((x) => x.c > DOMINANT_ROW_CHI2).sort((a, b) => b.c - a.c).slice(0, 8);
  let carried = 0;
  const upToHalf = worst.findIndex((x) => (carried += x.c) >= 0.5 * total);
  const chosen = upToHalf >= 0 ? worst.slice(0, upToHalf + 1) : worst;
  const dominantRows = chosen.map(({ c, i }) => ({ row: i + 1, ...(lines ? { line: lines[i] } : {}), omega: points[i].omega, k: points[i].k, chi2: c }));
  const spread = Math.sqrt(2 / Math.max(1, fit.dof));
  const z = (fit.chi2 - 1) / spread;
  const quality: FitVerdict = !fit.converged || fit.chi2 > FAILED_FIT_CHI2 ? 'failed' : !fit.noiseless && z > 4 ? 'poor' : 'good';
  const warnings: string[] = [];
  if (!fit.converged) warnings.push(`the fit stopped after ${fit.evaluations} passes without converging: rerun with --init from this output`);
  if (!fit.noiseless && z > 4) {
    const what = fit.chi2 > FAILED_FIT_CHI2
      ? DOES_NOT_DESCRIBE[geometry]
      : `the metric describes the data only roughly; its error bands are too small by about ×${Math.sqrt(fit.chi2).toFixed(2)}`;
    warnings.push(`reduced χ² ${fit.chi2.toPrecision(4)} where 1 ± ${spread.toPrecision(2)} is expected for ${Math.round(fit.dof)} degrees of freedom: ${what}`);
    if (dominantRows.length > 0) {
      const share = dominantRows.reduce((a, r) => a + r.chi2, 0) / total;
      const rows = dominantRows.map((r) => `${describeRow(points, r.row - 1, lines)} ${Math.sqrt(r.chi2).toFixed(0)}σ`).join(', ');
      warnings.push(share >= 0.5
        ? `χ² is dominated by ${dominantRows.length} row(s) (${(100 * share).toFixed(0)}%): ${rows}`
        : `the misfit is spread over the table; the worst rows (${(100 * share).toFixed(0)}% of χ²): ${rows}`);
    }
  }
  return { quality, warnings, dominantRows };
}
