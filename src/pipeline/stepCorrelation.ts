import type { ChiFrame } from '../contracts/calibration.ts';

/**
 * The correlation across k of the response table's rows at one drive frequency ω
 * (one sweep step). Every χ_k of a frame is a DFT of the same site readings, and
 * the largest readings (at the source, and near a normal mode at the antipode)
 * carry the largest errors (noise ∝ the local response, the gains' errors ∝ the
 * reading), so the errors of the χ_k at one ω are correlated: ~0.5 between
 * neighbouring k on the default ring, and they do not average out over frames.
 * The frames give that correlation's shape (ChiFrame.kCovariance, propagated from
 * the per-site σ); the table's σ gives its scale. Its dominant part (the first
 * principal component, the error common to the step) is reported per row as
 * `sigmaStep`; model/data.ts carries it into a fit's χ².
 */
export interface StepState {
  K: number;
  /** Σ over frames of the random covariance (K×K row-major, per real component). */
  random: Float64Array;
  /** The latest frame's systematic covariance (the record's per-site errors: the same in every frame). */
  systematic: Float64Array;
  frames: number;
  /** A frame at this ω came without a covariance, or with another K: its rows are taken as independent. */
  broken: boolean;
  /** The latest first principal direction (the next power iteration starts there). */
  direction?: Float64Array;
}

/** Adds one frame's covariance across k to the state of its ω. */
export function addStep(steps: Map<number, StepState>, f: ChiFrame): void {
  const K = f.chi.length;
  let st = steps.get(f.omega);
  if (!st) steps.set(f.omega, (st = { K, random: new Float64Array(K * K), systematic: new Float64Array(K * K), frames: 0, broken: false }));
  const cov = f.kCovariance;
  if (st.broken) return;
  if (!cov || st.K !== K || cov.random.length !== K * K || f.chi.some((c, i) => c.k !== i)) {
    st.broken = true;
    return;
  }
  for (let i = 0; i < K * K; i++) st.random[i] += cov.random[i];
  st.systematic.set(cov.systematic);
  st.frames++;
}

/** Correlation matrix of a K×K covariance (rows with zero variance are uncorrelated). */
export function correlation(cov: Float64Array, K: number): Float64Array {
  const rho = new Float64Array(K * K);
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      const d = cov[a * K + a] * cov[b * K + b];
      rho[a * K + b] = a === b ? 1 : d > 0 ? cov[a * K + b] / Math.sqrt(d) : 0;
    }
  }
  return rho;
}

/**
 * Number of independent components among the k of a correlation matrix,
 * K²/Σ ρ_ab² (the degrees of freedom of a sum of K correlated χ² terms,
 * 2E²/Var, per degree of freedom of one row): K when uncorrelated, 1 when all equal.
 */
export function effectiveComponents(rho: Float64Array, K: number): number {
  let s = 0;
  for (let i = 0; i < K * K; i++) s += rho[i] * rho[i];
  return s > 0 ? (K * K) / s : K;
}

/**
 * The rows' loadings u_k on the error common to the step: the first principal
 * component √λ₁·v₁ of the covariance M_ab = ρʳ_ab √(r_a r_b) + ρˢ_ab √(s_a s_b)
 * (r: the random variance of each row's mean, s: its record part without the
 * reference's; ρ from the frames), signed so that Σ u ≥ 0. `rows` are the indices
 * (k) of the rows in the table. M − uuᵀ stays positive semi-definite, so u_a² ≤ M_aa.
 * Power iteration (at most 200 steps; K ≤ 32).
 */
export function stepLoadings(
  rows: readonly number[], K: number, rhoRandom: Float64Array, random2: readonly number[], rhoSys: Float64Array, sys2: readonly number[], start?: Float64Array,
): { loadings: number[]; direction: Float64Array } {
  const m = rows.length;
  const M = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      const ka = rows[a] * K + rows[b];
      M[a * m + b] = rhoRandom[ka] * Math.sqrt(random2[a] * random2[b]) + rhoSys[ka] * Math.sqrt(sys2[a] * sys2[b]);
    }
  }
  let v = start && start.length === m ? Float64Array.from(start) : new Float64Array(m).fill(1 / Math.sqrt(m));
  let lambda = 0;
  for (let it = 0; it < 200; it++) {
    const w = new Float64Array(m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) w[a] += M[a * m + b] * v[b];
    const norm = Math.hypot(...w);
    if (!(norm > 0)) return { loadings: new Array<number>(m).fill(0), direction: v };
    let change = 0;
    for (let a = 0; a < m; a++) {
      w[a] /= norm;
      change = Math.max(change, Math.abs(w[a] - v[a]));
    }
    v = w;
    lambda = norm;
    if (change < 1e-9) break;
  }
  const sign = v.reduce((a, b) => a + b, 0) < 0 ? -1 : 1;
  // never more than the row's own variance (power iteration stops short of λ₁ only from below)
  const loadings = Array.from(v, (x, a) => {
    const u = sign * Math.sqrt(lambda) * x;
    const cap = Math.sqrt(M[a * m + a]);
    return Math.max(-cap, Math.min(cap, u));
  });
  return { loadings, direction: v };
}
