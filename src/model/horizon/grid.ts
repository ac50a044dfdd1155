/**
 * The fixed geometry of the horizon network (physics.md §11), in units of r_h so
 * that it does not move when r_h (a weight) does: ξ = (r − r_h)/r_h.
 *
 * * RK4 layers: N steps uniform in s = ln ξ over [ln ξ₀, ln(r_max/r_h − 1)]
 *   (ξ₀ = 10⁻³, r_max = 8 r_h by default: 12 at r_h = 1.5).
 * * Weights: α and β at K nodes uniform in ρ = arctan(r/r_h) over
 *   [π/4, arctan(r_c/r_h)] (r_c = 3 r_h by default: 4.5 at r_h = 1.5), joined by a
 *   cubic spline whose slope at the horizon is a free weight and which is clamped
 *   to zero value and slope at r_c; α = β = 0 beyond. ρ is the disk's arctan r in
 *   units of r_h: node spacing in r grows like (r² + r_h²)/r_h, as the data's
 *   resolution does.
 * * Weight vector θ (length 2K + 1): θ[0..K−2] = α at nodes 0..K−2, θ[K−1] = H·α_ρ
 *   at the horizon, θ[K..2K−2] = β at nodes 0..K−2, θ[2K−1] = H·β_ρ at the horizon,
 *   θ[2K] = ln r_h.
 */
import { hermite } from '../grid.ts';

export interface HorizonShape {
  /** RK4 layers N (≥ 200). */
  layers: number;
  /** Weight nodes K per function (≥ 4). */
  nodes: number;
  /** Start ξ₀ = (r₀ − r_h)/r_h of the infalling series. */
  xi0: number;
  /** Matching radius r_max/r_h (> r_c/r_h). */
  rMaxRatio: number;
  /**
   * r_c/r_h beyond which α = β = 0. 3 by default: the Laplace evidence of the
   * default-grid fits is higher at 3 than at 2.5 (deformed targets), 3.5, 4 and 5,
   * and α, β free further out trade against r_h (f ≈ r² − r_h² + α r² far out), which
   * widens σ(r_h) from 0.5% to 0.8% at r_c = 4 r_h (docs/model.md).
   */
  rCRatio: number;
}

export const DEFAULT_HORIZON_SHAPE: HorizonShape = { layers: 400, nodes: 16, xi0: 1e-3, rMaxRatio: 8, rCRatio: 3 };

export class HorizonGrid {
  readonly shape: HorizonShape;
  readonly N: number;
  readonly K: number;
  /** Number of weights 2K + 1; the last is ln r_h. */
  readonly nw: number;
  /** Index of ln r_h in θ. */
  readonly iq: number;
  /** RK4 step in s = ln ξ. */
  readonly h: number;
  /** Node spacing in ρ, and ρ at the horizon (π/4) and at r_c. */
  readonly H: number;
  readonly rho0 = Math.PI / 4;
  readonly rhoC: number;
  /** ξ at the 2N + 1 half-step points. */
  readonly xi: Float64Array;
  /** Number of leading half-step points inside r_c (the only ones that depend on α, β). */
  readonly nIn: number;
  readonly seg: Int32Array;
  /** Hermite weights (y_j, H m_j, y_{j+1}, H m_{j+1}) of each inner point. */
  readonly hw: Float64Array;
  /** H·slopes = D y + e·w (K × K row-major, and K), y_{K−1} = 0, w = H·slope at the horizon. */
  readonly D: Float64Array;
  readonly e: Float64Array;

  constructor(shape: HorizonShape) {
    this.shape = shape;
    const N = (this.N = shape.layers);
    const K = (this.K = shape.nodes);
    this.nw = 2 * K + 1;
    this.iq = 2 * K;
    const s0 = Math.log(shape.xi0);
    this.h = (Math.log(shape.rMaxRatio - 1) - s0) / N;
    this.rhoC = Math.atan(shape.rCRatio);
    this.H = (this.rhoC - this.rho0) / (K - 1);
    const n = 2 * N + 1;
    this.xi = new Float64Array(n);
    for (let i = 0; i < n; i++) this.xi[i] = Math.exp(s0 + (i * this.h) / 2);
    let nIn = 0;
    while (nIn < n && Math.atan(1 + this.xi[nIn]) < this.rhoC) nIn++;
    this.nIn = nIn;
    this.seg = new Int32Array(nIn);
    this.hw = new Float64Array(4 * nIn);
    for (let i = 0; i < nIn; i++) {
      const [j, w] = this.locate(Math.atan(1 + this.xi[i]));
      this.seg[i] = j;
      this.hw.set(w, 4 * i);
    }
    [this.D, this.e] = slopeMatrices(K);
  }

  /** Segment and Hermite weights at ρ (inside [ρ₀, ρ_c]). */
  private locate(rho: number): [number, [number, number, number, number]] {
    const x = Math.max(0, (rho - this.rho0) / this.H);
    const j = Math.min(this.K - 2, Math.floor(x));
    return [j, hermite(x - j)];
  }

  /** Node radii in units of r_h: r_i/r_h = tan ρ_i. */
  nodeRatios(): number[] {
    return Array.from({ length: this.K }, (_, i) => (i === this.K - 1 ? this.shape.rCRatio : Math.tan(this.rho0 + i * this.H)));
  }

  /** H·slopes of one function from its K node values (y_{K−1} = 0) and H·slope w at the horizon. */
  slopes(y: ArrayLike<number>, w: number, out: Float64Array): Float64Array {
    const K = this.K, D = this.D;
    for (let i = 0; i < K; i++) {
      let s = this.e[i] * w;
      for (let j = 0; j < K - 1; j++) s += D[i * K + j] * y[j];
      out[i] = s;
    }
    return out;
  }

  /**
   * Coefficients of one function's value and ρ-derivative at ρ over its K weights
   * (node values 0..K−2, then H·slope at the horizon): value = Σ c_i w_i,
   * d/dρ = Σ d_i w_i. Zero beyond ρ_c.
   */
  basisAt(rho: number): { c: Float64Array; d: Float64Array } {
    const K = this.K;
    const c = new Float64Array(K), d = new Float64Array(K);
    if (rho >= this.rhoC) return { c, d };
    const [j, w] = this.locate(rho);
    const t = Math.max(0, (rho - this.rho0) / this.H) - j;
    // d/dt of the Hermite basis, then /H
    const dw = [6 * t * t - 6 * t, 3 * t * t - 4 * t + 1, -6 * t * t + 6 * t, 3 * t * t - 2 * t].map((v) => v / this.H);
    const add = (out: Float64Array, ww: number[]): void => {
      if (j < K - 1) out[j] += ww[0];
      if (j + 1 < K - 1) out[j + 1] += ww[2];
      for (let n = 0; n < K - 1; n++) out[n] += ww[1] * this.D[j * K + n] + ww[3] * this.D[(j + 1) * K + n];
      out[K - 1] += ww[1] * this.e[j] + ww[3] * this.e[j + 1];
    };
    add(c, w);
    add(d, dw);
    return { c, d };
  }

  /**
   * Smoothness operator: rows √(1/H³)·Δ²y_i at nodes i = 0..K−1 for α, then β, as a
   * dense (2K) × nw matrix. Ghosts: y_{−1} = y_1 − 2w (the free horizon slope) and
   * y_K = y_{K−2} (zero slope at r_c), so Σ(Δ²y)²/H³ ≈ ∫y''² dρ up to the horizon.
   */
  smoothness(): Float64Array {
    const K = this.K, nw = this.nw;
    const L = new Float64Array(2 * K * nw);
    const s = 1 / Math.sqrt(this.H * this.H * this.H);
    for (let fn = 0; fn < 2; fn++) {
      const off = fn * K;
      const put = (row: number, node: number, c: number): void => {
        if (node === -1) {
          put(row, 1, c);
          L[row * nw + off + K - 1] += -2 * s * c;
        } else if (node === K) put(row, K - 2, c);
        else if (node <= K - 2) L[row * nw + off + node] += s * c;
      };
      for (let i = 0; i < K; i++) {
        const row = fn * K + i;
        put(row, i - 1, 1);
        put(row, i, -2);
        put(row, i + 1, 1);
      }
    }
    return L;
  }
}

/**
 * H·slopes of the cubic spline through uniform nodes with a given slope at node 0 and
 * zero slope at node K−1: m_{i−1} + 4m_i + m_{i+1} = 3(y_{i+1} − y_{i−1}) (all slopes
 * times H). Returns D (K × K, acting on y) and e (acting on the start slope).
 */
function slopeMatrices(K: number): [Float64Array, Float64Array] {
  const D = new Float64Array(K * K), e = new Float64Array(K);
  const n = K - 2;
  const solve = (rhs: Float64Array): Float64Array => {
    const cp = new Float64Array(n), dp = new Float64Array(n), m = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const den = 4 - (i > 0 ? cp[i - 1] : 0);
      cp[i] = 1 / den;
      dp[i] = (rhs[i] - (i > 0 ? dp[i - 1] : 0)) / den;
    }
    for (let i = n - 1; i >= 0; i--) m[i] = dp[i] - (i < n - 1 ? cp[i] * m[i + 1] : 0);
    return m;
  };
  for (let col = 0; col < K; col++) {
    const rhs = new Float64Array(n);
    for (let i = 1; i <= n; i++) rhs[i - 1] = 3 * ((i + 1 === col ? 1 : 0) - (i - 1 === col ? 1 : 0));
    solve(rhs).forEach((m, i) => (D[(i + 1) * K + col] = m));
  }
  const rhs = new Float64Array(n);
  rhs[0] = -1; // m_0 = 1 moved to the right-hand side of row 1
  e[0] = 1;
  solve(rhs).forEach((m, i) => (e[i + 1] = m));
  return [D, e];
}
