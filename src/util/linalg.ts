/**
 * Small dense linear algebra (row-major Float64Array matrices of up to a few
 * hundred rows): Cholesky factorisation and solves, the SPD inverse, the
 * trust-region subproblem of Levenberg–Marquardt (Moré's safeguarded Newton
 * iteration on the multiplier) for the metric network, and the cyclic Jacobi
 * eigen-decomposition with the pseudo-inverse built from it for the
 * calibration solver.
 */

/** Fills the lower triangle of a symmetric matrix from its upper triangle (row-major n × n). */
export function symmetrize(A: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
}

/** Cholesky A + μI = L Lᵀ into L (lower, row-major). Returns false if not positive definite. */
export function cholesky(A: Float64Array, n: number, mu: number, L: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j] + (i === j ? mu : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) return false;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j];
      }
    }
    for (let j = i + 1; j < n; j++) L[i * n + j] = 0;
  }
  return true;
}

/** Solves L y = b (forward) into y. */
export function forwardSub(L: Float64Array, n: number, b: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
}

/** Solves Lᵀ x = y (backward) into x. */
export function backSub(L: Float64Array, n: number, y: ArrayLike<number>, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
}

/** Inverse of a symmetric positive definite matrix (full, row-major), or null. */
export function spdInverse(A: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  if (!cholesky(A, n, 0, L)) return null;
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n), y = new Float64Array(n), x = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    e.fill(0);
    e[c] = 1;
    forwardSub(L, n, e, y);
    backSub(L, n, y, x);
    for (let r = 0; r < n; r++) inv[r * n + c] = x[r];
  }
  return inv;
}

const norm = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
};

/**
 * Minimises the model gᵀp + ½pᵀAp subject to ‖p‖ ≤ radius (A symmetric PSD, full).
 * Returns the step p and the multiplier μ with (A + μI)p = −g (μ = 0 when the
 * Gauss–Newton step is inside the region). Deterministic, a few Cholesky solves.
 */
export function trustRegionStep(A: Float64Array, g: Float64Array, n: number, radius: number): { p: Float64Array; mu: number } {
  const L = new Float64Array(n * n);
  const y = new Float64Array(n);
  const p = new Float64Array(n);
  const negG = g.map((v) => -v);
  const solveAt = (mu: number): boolean => {
    if (!cholesky(A, n, mu, L)) return false;
    forwardSub(L, n, negG, y);
    backSub(L, n, y, p);
    return true;
  };
  // Gauss–Newton step (tiny shift guards a singular A)
  let diagMax = 0;
  for (let i = 0; i < n; i++) diagMax = Math.max(diagMax, A[i * n + i]);
  const tiny = 1e-12 * Math.max(diagMax, 1e-300);
  if (solveAt(tiny) && norm(p) <= radius) return { p, mu: tiny };
  // bracket μ: ‖p(μ)‖ decreases in μ; upper bound ‖g‖/radius
  let lo = 0;
  let hi = norm(g) / radius + diagMax;
  let mu = Math.max(tiny, Math.min(hi, norm(g) / radius) * 1e-3);
  const q = new Float64Array(n);
  for (let it = 0; it < 60; it++) {
    if (!solveAt(mu)) {
      lo = mu;
      mu = Math.min(hi, Math.max(2 * mu, Math.sqrt(lo * hi)));
      continue;
    }
    const pn = norm(p);
    if (Math.abs(pn - radius) <= 1e-3 * radius) break;
    if (pn > radius) lo = mu;
    else hi = mu;
    // Newton on 1/‖p‖ − 1/radius: μ += (‖p‖/‖q‖)² (‖p‖ − radius)/radius, q = L⁻¹p
    forwardSub(L, n, p, q);
    const qn = norm(q);
    let next = mu + ((pn / qn) * (pn / qn) * (pn - radius)) / radius;
    if (!(next > lo && next < hi)) next = lo > 0 ? Math.sqrt(lo * hi) : hi * 1e-3 > mu ? hi * 1e-3 : 0.5 * (lo + hi);
    mu = next;
  }
  return { p, mu };
}

/** Solves A x = b for a symmetric positive definite n×n A by Cholesky; null when A is not positive definite. */
export function choleskySolve(a: Float64Array, b: ArrayLike<number>, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  if (!cholesky(a, n, 0, L)) return null;
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  forwardSub(L, n, b, y);
  backSub(L, n, y, x);
  return x;
}

export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Eigenvectors as columns: vectors[i * n + j] = component i of eigenvector j. */
  vectors: Float64Array;
  n: number;
}

/** Eigen-decomposition of the symmetric n×n matrix `a` (row-major; not modified). */
export function symmetricEigen(a: Float64Array, n: number, maxSweeps = 60): SymmetricEigen {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += m[i * n + i] * m[i * n + i];
      for (let j = i + 1; j < n; j++) off += m[i * n + j] * m[i * n + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors, n };
}

/** Pseudo-inverse Σ_{i ≥ skip} v_i v_iᵀ / λ_i, dropping the `skip` smallest eigenvalues. */
export function pseudoInverse(e: SymmetricEigen, skip: number): Float64Array {
  const { n, values, vectors } = e;
  const out = new Float64Array(n * n);
  for (let j = skip; j < n; j++) {
    const inv = 1 / values[j];
    for (let r = 0; r < n; r++) {
      const vr = vectors[r * n + j] * inv;
      if (vr === 0) continue;
      for (let c = 0; c < n; c++) out[r * n + c] += vr * vectors[c * n + j];
    }
  }
  return out;
}
