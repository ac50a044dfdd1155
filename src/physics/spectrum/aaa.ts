import { type Complex, cabs, cdiv } from '../complex.ts';

/**
 * The AAA rational approximation (Nakatsukasa, Sète & Trefethen, SIAM J. Sci.
 * Comput. 40, A1494 (2018)) in barycentric form
 *
 *   r(z) = Σ_j w_j f_j/(z − z_j) / Σ_j w_j/(z − z_j),
 *
 * with the least-squares rows weighted by 1/σ (noisy data): at each step the
 * sample of largest |f − r|/σ joins the support points, and w is the smallest
 * right singular vector of the weighted Loewner matrix (F_i − f_j)/(Z_i − z_j).
 * Here it only proposes poles; the spectrum is then fitted by weighted least
 * squares (poleFit.ts).
 */
export interface Barycentric {
  support: Complex[];
  values: Complex[];
  weights: Complex[];
}

/** Evaluates the barycentric form at z (at a support point: its value). */
export function evalBarycentric(b: Barycentric, z: Complex): Complex {
  let nr = 0, ni = 0, dr = 0, di = 0;
  for (let j = 0; j < b.support.length; j++) {
    const dz = { re: z.re - b.support[j].re, im: z.im - b.support[j].im };
    if (dz.re === 0 && dz.im === 0) return b.values[j];
    const c = cdiv(b.weights[j], dz);
    dr += c.re; di += c.im;
    nr += c.re * b.values[j].re - c.im * b.values[j].im;
    ni += c.re * b.values[j].im + c.im * b.values[j].re;
  }
  return cdiv({ re: nr, im: ni }, { re: dr, im: di });
}

/**
 * Smallest right singular vector of the complex rows×cols matrix A (row-major
 * re/im) by one-sided Jacobi (Hestenes) on its real form [[Re A, −Im A], [Im A, Re A]]:
 * accurate to the relative precision of A, unlike the normal equations AᴴA,
 * which square the condition number (the Loewner matrices of noisy data need
 * that accuracy from order ~6 on).
 */
function smallestSingularVector(aRe: Float64Array, aIm: Float64Array, rows: number, cols: number): Complex[] {
  const R = 2 * rows, C = 2 * cols;
  // column-major real form U (R × C) and V (C × C)
  const U = new Float64Array(R * C);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const re = aRe[i * cols + j], im = aIm[i * cols + j];
      U[j * R + i] = re; U[j * R + rows + i] = im;
      U[(j + cols) * R + i] = -im; U[(j + cols) * R + rows + i] = re;
    }
  }
  const V = new Float64Array(C * C);
  for (let j = 0; j < C; j++) V[j * C + j] = 1;
  for (let sweep = 0; sweep < 40; sweep++) {
    let rotated = false;
    for (let p = 0; p < C - 1; p++) {
      for (let q = p + 1; q < C; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < R; i++) {
          const up = U[p * R + i], uq = U[q * R + i];
          alpha += up * up; beta += uq * uq; gamma += up * uq;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), sn = c * t;
        for (let i = 0; i < R; i++) {
          const up = U[p * R + i], uq = U[q * R + i];
          U[p * R + i] = c * up - sn * uq; U[q * R + i] = sn * up + c * uq;
        }
        for (let i = 0; i < C; i++) {
          const vp = V[p * C + i], vq = V[q * C + i];
          V[p * C + i] = c * vp - sn * vq; V[q * C + i] = sn * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  let best = 0, bestNorm = Infinity;
  for (let j = 0; j < C; j++) {
    let s = 0;
    for (let i = 0; i < R; i++) s += U[j * R + i] ** 2;
    if (s < bestNorm) { bestNorm = s; best = j; }
  }
  return Array.from({ length: cols }, (_, j) => ({ re: V[best * C + j], im: V[best * C + cols + j] }));
}

/**
 * AAA steps m = 1..mMax on samples (z_i, f_i) with 1σ `sigma_i` per real
 * component; calls `visit` with the barycentric form after each step (m support
 * points, hence m − 1 poles) and stops early when visit returns false.
 */
export function aaaSteps(z: readonly Complex[], f: readonly Complex[], sigma: readonly number[], mMax: number, visit: (b: Barycentric, m: number) => boolean): void {
  const M = z.length;
  const inSupport = new Uint8Array(M);
  const support: Complex[] = [];
  const values: Complex[] = [];
  let mean = { re: 0, im: 0 };
  for (const v of f) mean = { re: mean.re + v.re / M, im: mean.im + v.im / M };
  let approx: (i: number) => Complex = () => mean;
  for (let m = 1; m <= Math.min(mMax, M - 1); m++) {
    let best = -1, worst = -1;
    for (let i = 0; i < M; i++) {
      if (inSupport[i]) continue;
      const r = approx(i);
      const e = cabs({ re: f[i].re - r.re, im: f[i].im - r.im }) / sigma[i];
      if (e > worst) { worst = e; best = i; }
    }
    inSupport[best] = 1;
    support.push(z[best]);
    values.push(f[best]);
    const rest = [];
    for (let i = 0; i < M; i++) if (!inSupport[i]) rest.push(i);
    const aRe = new Float64Array(rest.length * m), aIm = new Float64Array(rest.length * m);
    rest.forEach((i, r) => {
      for (let j = 0; j < m; j++) {
        const c = cdiv({ re: (f[i].re - values[j].re) / sigma[i], im: (f[i].im - values[j].im) / sigma[i] }, { re: z[i].re - support[j].re, im: z[i].im - support[j].im });
        aRe[r * m + j] = c.re;
        aIm[r * m + j] = c.im;
      }
    });
    const weights = m === 1 ? [{ re: 1, im: 0 }] : smallestSingularVector(aRe, aIm, rest.length, m);
    const b: Barycentric = { support: [...support], values: [...values], weights };
    approx = (i) => evalBarycentric(b, z[i]);
    if (!visit(b, m)) return;
  }
}
