/**
 * The network's fixed geometry (physics.md §8): the RK4 layer grid uniform in
 * s = ln r, the K weight nodes uniform in ρ = arctan r over [0, arctan r_c], the
 * clamped cubic spline that joins them (in Hermite form: four weights per grid
 * point) and the smoothness operator of the loss.
 *
 * Weight vector θ (length 2K − 3): θ[0..K−2] = α at nodes 0..K−2 (α = 0 at the
 * last node, ρ_c), θ[K−1..2K−4] = β at nodes 1..K−2 (β(0) = 0, β(ρ_c) = 0).
 */

export interface NetworkShape {
  /** RK4 layers N (≥ 200). */
  layers: number;
  /** Weight nodes K per function (≥ 4). */
  nodes: number;
  /** Frobenius start radius r₀. */
  r0: number;
  /** Matching radius r_max (> r_c). */
  rMax: number;
  /** Radius r_c beyond which α = β = 0. */
  rC: number;
}

/** Default smoothness weight λ of the prior (physics.md §8), for 1 < Δ < 2. */
export const DEFAULT_LAMBDA = 1;

/**
 * λ above Δ = 2. The data constrain the metric less there (the 1σ of g on [0, 3]
 * at 1% noise: 0.47% at Δ = 1.5, 0.78% at 2.2, 1.03% at 2.8 on the deformed
 * disk), so at λ = 1 the prior's pull (the bias of the smoothed estimate, which
 * the posterior bands do not hold) grew to 1.4σ at Δ = 2.8 and 2σ coverage fell to
 * 65% on some seeds; at 0.3 it is ≤ 0.52σ, as at Δ = 1.5 with λ = 1 (0.42σ).
 */
export const DEFAULT_LAMBDA_ABOVE_2 = 0.3;

/** The default λ for a fit at (or, with Δ fitted, starting at) Δ. */
export function defaultLambda(delta: number): number {
  return delta > 2 ? DEFAULT_LAMBDA_ABOVE_2 : DEFAULT_LAMBDA;
}

export const DEFAULT_SHAPE: NetworkShape = { layers: 400, nodes: 32, r0: 1e-3, rMax: 12, rC: 6 };

/**
 * Weight nodes K per function for a table when none are given: DEFAULT_SHAPE.nodes
 * (32) for the default grid (ω ≤ 12, 624 points), fewer for a smaller table — K
 * follows the radial resolution of the highest frequency (physics.md §8: ~12
 * independent degrees of freedom per function at ω_max = 12, half at 6), K ≤
 * ⌈32·ω_max/12⌉, and the table holds at least two points per weight, 2K − 3 ≤ P/2.
 * Never below 4. E.g. ω ≤ 6 and |k| ≤ 4 (60 points): K = 16.
 */
export function nodesForTable(points: number, omegaMax: number): number {
  const byResolution = Math.ceil((DEFAULT_SHAPE.nodes * omegaMax) / 12 - 1e-9);
  const byPoints = Math.floor(points / 4 + 1.5);
  return Math.max(4, Math.min(DEFAULT_SHAPE.nodes, byResolution, byPoints));
}

export class NetworkGrid {
  readonly shape: NetworkShape;
  readonly N: number;
  readonly K: number;
  /** Number of free weights 2K − 3. */
  readonly nw: number;
  /** RK4 step in s = ln r. */
  readonly h: number;
  /** Node spacing in ρ. */
  readonly H: number;
  readonly rhoC: number;
  /** Radii of the 2N + 1 half-step points. */
  readonly r: Float64Array;
  /** Number of leading half-step points with ρ < ρ_c (the only ones that depend on the weights). */
  readonly nIn: number;
  /** Spline segment of each inner half-step point, and its Hermite weights (y_i, H m_i, y_{i+1}, H m_{i+1}). */
  readonly seg: Int32Array;
  readonly hw: Float64Array;
  /** Clamped-spline slopes m = D y (K × K, row-major), for node values y with y_{K−1} = 0. */
  readonly D: Float64Array;

  constructor(shape: NetworkShape) {
    this.shape = shape;
    const N = (this.N = shape.layers);
    const K = (this.K = shape.nodes);
    this.nw = 2 * K - 3;
    const s0 = Math.log(shape.r0);
    this.h = (Math.log(shape.rMax) - s0) / N;
    this.rhoC = Math.atan(shape.rC);
    this.H = this.rhoC / (K - 1);
    const n = 2 * N + 1;
    this.r = new Float64Array(n);
    for (let i = 0; i < n; i++) this.r[i] = Math.exp(s0 + (i * this.h) / 2);
    let nIn = 0;
    while (nIn < n && Math.atan(this.r[nIn]) < this.rhoC) nIn++;
    this.nIn = nIn;
    this.seg = new Int32Array(nIn);
    this.hw = new Float64Array(4 * nIn);
    for (let i = 0; i < nIn; i++) {
      const x = Math.atan(this.r[i]) / this.H;
      const j = Math.min(K - 2, Math.floor(x));
      const t = x - j;
      this.seg[i] = j;
      const w = hermite(t);
      for (let q = 0; q < 4; q++) this.hw[4 * i + q] = w[q];
    }
    this.D = clampedSlopeMatrix(K, this.H);
  }

  /** Node radii r_i = tan(ρ_i). */
  nodeRadii(): number[] {
    return Array.from({ length: this.K }, (_, i) => (i === this.K - 1 ? this.shape.rC : Math.tan(i * this.H)));
  }

  /** Full node values (α, β) of length K each from θ. */
  nodeValues(theta: ArrayLike<number>): { alpha: Float64Array; beta: Float64Array } {
    const K = this.K;
    const alpha = new Float64Array(K);
    const beta = new Float64Array(K);
    for (let i = 0; i < K - 1; i++) alpha[i] = theta[i];
    for (let i = 1; i < K - 1; i++) beta[i] = theta[K - 2 + i];
    return { alpha, beta };
  }

  /** θ from full node values (the fixed entries are ignored). */
  thetaFrom(alpha: ArrayLike<number>, beta: ArrayLike<number>): Float64Array {
    const K = this.K;
    const theta = new Float64Array(this.nw);
    for (let i = 0; i < K - 1; i++) theta[i] = alpha[i];
    for (let i = 1; i < K - 1; i++) theta[K - 2 + i] = beta[i];
    return theta;
  }

  /** Slopes m = D y of the clamped spline. */
  slopes(y: ArrayLike<number>, out: Float64Array): Float64Array {
    const K = this.K, D = this.D;
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += D[i * K + j] * y[j];
      out[i] = s;
    }
    return out;
  }

  /**
   * Basis rows of the spline at radius r: value(r) = Σ_i b[i] θ[i] for α (first K−1
   * entries) and for β (last K−2 entries); zero for r ≥ r_c. Returns [bAlpha, bBeta] over θ.
   */
  basisAt(r: number): { a: Float64Array; b: Float64Array } {
    const K = this.K;
    const a = new Float64Array(this.nw);
    const b = new Float64Array(this.nw);
    const rho = Math.atan(r);
    if (rho >= this.rhoC) return { a, b };
    const x = rho / this.H;
    const j = Math.min(K - 2, Math.floor(x));
    const w = hermite(x - j);
    // value = w0 y_j + w1 m_j + w2 y_{j+1} + w3 m_{j+1} with m = D y (w1, w3 already carry H)
    const cy = new Float64Array(K);
    cy[j] += w[0];
    cy[j + 1] += w[2];
    for (let n = 0; n < K; n++) cy[n] += w[1] * this.D[j * K + n] + w[3] * this.D[(j + 1) * K + n];
    for (let i = 0; i < K - 1; i++) a[i] = cy[i];
    for (let i = 1; i < K - 1; i++) b[K - 2 + i] = cy[i];
    return { a, b };
  }

  /**
   * Smoothness operator: rows √(1/H³)·Δ²y_i at every node i = 0..K−1, for α then β,
   * as a dense (2K) × nw matrix. The ends use the spline's clamped slopes as mirror
   * ghosts (y_{−1} = y_1, y_K = y_{K−2}), so Σ(Δ²y)²/H³ ≈ ∫y''² dρ including the
   * curvature next to the centre and to ρ_c. Fixed entries (α_{K−1}, β_0, β_{K−1}) are 0.
   */
  smoothness(): Float64Array {
    const K = this.K, nw = this.nw;
    const L = new Float64Array(2 * K * nw);
    const s = 1 / Math.sqrt(this.H * this.H * this.H);
    const colA = (i: number): number => (i <= K - 2 ? i : -1);
    const colB = (i: number): number => (i >= 1 && i <= K - 2 ? K - 2 + i : -1);
    const mirror = (i: number): number => (i < 0 ? -i : i > K - 1 ? 2 * (K - 1) - i : i);
    for (let i = 0; i < K; i++) {
      for (const [fn, row] of [[colA, i], [colB, K + i]] as const) {
        for (const [off, c] of [[-1, 1], [0, -2], [1, 1]] as const) {
          const col = fn(mirror(i + off));
          if (col >= 0) L[row * nw + col] += s * c;
        }
      }
    }
    return L;
  }
}

/** Cubic Hermite basis at t ∈ [0, 1] for (y0, H m0, y1, H m1). */
export function hermite(t: number): [number, number, number, number] {
  const t2 = t * t, t3 = t2 * t;
  return [2 * t3 - 3 * t2 + 1, t3 - 2 * t2 + t, -2 * t3 + 3 * t2, t3 - t2];
}

/**
 * Slopes of the cubic spline through uniform nodes (spacing H) with zero slope at
 * both ends: m_{i−1} + 4m_i + m_{i+1} = 3(y_{i+1} − y_{i−1})/H, m_0 = m_{K−1} = 0.
 * Returned as the K × K matrix D with m = D y, each entry pre-multiplied by H (so
 * the Hermite weights can use H·m directly).
 */
function clampedSlopeMatrix(K: number, H: number): Float64Array {
  const D = new Float64Array(K * K);
  const n = K - 2; // interior unknowns
  for (let col = 0; col < K; col++) {
    const rhs = new Float64Array(n);
    for (let i = 1; i <= n; i++) {
      const yp = i + 1 === col ? 1 : 0;
      const ym = i - 1 === col ? 1 : 0;
      rhs[i - 1] = 3 * (yp - ym); // × H/H: slopes times H
    }
    // Thomas algorithm for the (1, 4, 1) system
    const cp = new Float64Array(n);
    const dp = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const den = 4 - (i > 0 ? cp[i - 1] : 0);
      cp[i] = 1 / den;
      dp[i] = (rhs[i] - (i > 0 ? dp[i - 1] : 0)) / den;
    }
    for (let i = n - 1; i >= 0; i--) {
      const m = dp[i] - (i < n - 1 ? cp[i] * D[(i + 2) * K + col] : 0);
      D[(i + 1) * K + col] = m;
    }
  }
  void H;
  return D;
}
