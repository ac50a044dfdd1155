import { clgamma } from '../complex.ts';

/**
 * Survival function of the χ² distribution, P(X ≥ x) for ν degrees of freedom:
 * the regularised upper incomplete gamma Q(ν/2, x/2), by its series below
 * a + 1 and its continued fraction above (Numerical Recipes §6.2), to ~1e-14.
 */
export function chiSquareSurvival(x: number, nu: number): number {
  if (!(nu > 0)) return NaN;
  if (!(x > 0)) return 1;
  const a = nu / 2;
  const t = x / 2;
  const lnPre = -t + a * Math.log(t) - clgamma({ re: a, im: 0 }).re;
  if (t < a + 1) {
    let term = 1 / a, sum = term;
    for (let n = 1; n < 1000; n++) {
      term *= t / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPre));
  }
  // Lentz's continued fraction
  let b = t + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(lnPre) * h;
}

/** Weighted linear least squares y ≈ A·β (rows of A, 1σ per row): β, its covariance and χ²; null if singular. */
export function weightedLeastSquares(rows: number[][], y: number[], sigma: number[]): { beta: number[]; cov: number[][]; chi2: number } | null {
  const p = rows[0]?.length ?? 0;
  const N = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const r = new Array<number>(p).fill(0);
  rows.forEach((a, i) => {
    const w = 1 / sigma[i] ** 2;
    for (let u = 0; u < p; u++) {
      r[u] += w * a[u] * y[i];
      for (let v = 0; v < p; v++) N[u][v] += w * a[u] * a[v];
    }
  });
  // Gauss–Jordan inverse of the p×p normal matrix (p ≤ 3)
  const inv = N.map((row, i) => [...row, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let i = c + 1; i < p; i++) if (Math.abs(inv[i][c]) > Math.abs(inv[piv][c])) piv = i;
    if (!(Math.abs(inv[piv][c]) > 0)) return null;
    [inv[c], inv[piv]] = [inv[piv], inv[c]];
    const s = inv[c][c];
    for (let j = 0; j < 2 * p; j++) inv[c][j] /= s;
    for (let i = 0; i < p; i++) {
      if (i === c) continue;
      const f = inv[i][c];
      for (let j = 0; j < 2 * p; j++) inv[i][j] -= f * inv[c][j];
    }
  }
  const cov = inv.map((row) => row.slice(p));
  const beta = cov.map((row) => row.reduce((s, v, j) => s + v * r[j], 0));
  const chi2 = rows.reduce((s, a, i) => s + ((y[i] - a.reduce((t, v, j) => t + v * beta[j], 0)) / sigma[i]) ** 2, 0);
  return { beta, cov, chi2 };
}
