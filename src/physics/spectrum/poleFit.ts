import { type Complex, cabs, cdiv } from '../complex.ts';
import { type Barycentric, aaaSteps } from './aaa.ts';
import { aberthRoots } from './roots.ts';

/**
 * Weighted least-squares pole–residue model of χ along the sampled line,
 *
 *   χ(Ω) ≈ Σ_i r_i/(Ω − p_i) + c₀ + c₁·t,   t = (Ω − Ω_c)/L,
 *
 * (the linear term carries the growth χ ~ Ω^{2Δ−2} and the poles far outside
 * the window), fitted by Levenberg–Marquardt in complex form: the model is
 * holomorphic in every parameter, so the Gauss–Newton normal equations are the
 * complex (JᴴWJ)δ = JᴴWr, equivalent to the real ones of the 2M components.
 */
export interface LineData {
  z: Complex[];
  f: Complex[];
  /** 1σ per real component. */
  sigma: number[];
  centre: Complex;
  scale: number;
}

export interface PoleModel {
  poles: Complex[];
  residues: Complex[];
  c0: Complex;
  c1: Complex;
  /** Σ |χ − model|²/σ² over both components. */
  chi2: number;
}

/** Samples along one line Im Ω = γ as a LineData (centre and half-length of the sampled segment). */
export function lineData(z: Complex[], f: Complex[], sigma: number[]): LineData {
  let lo = Infinity, hi = -Infinity;
  for (const p of z) { lo = Math.min(lo, p.re); hi = Math.max(hi, p.re); }
  return { z, f, sigma, centre: { re: (lo + hi) / 2, im: z[0].im }, scale: Math.max((hi - lo) / 2, 1e-9) };
}

/** Model value at Ω. */
export function evalModel(m: PoleModel, d: LineData, z: Complex): Complex {
  const t = { re: (z.re - d.centre.re) / d.scale, im: (z.im - d.centre.im) / d.scale };
  let re = m.c0.re + m.c1.re * t.re - m.c1.im * t.im;
  let im = m.c0.im + m.c1.re * t.im + m.c1.im * t.re;
  for (let i = 0; i < m.poles.length; i++) {
    const c = cdiv(m.residues[i], { re: z.re - m.poles[i].re, im: z.im - m.poles[i].im });
    re += c.re; im += c.im;
  }
  return { re, im };
}

/** Solves the complex n×n system A x = b (row-major re/im; A, b overwritten) by Gaussian elimination with partial pivoting; null if singular. */
function complexSolve(ar: Float64Array, ai: Float64Array, br: Float64Array, bi: Float64Array, n: number): Complex[] | null {
  for (let c = 0; c < n; c++) {
    let piv = c, best = 0;
    for (let r = c; r < n; r++) {
      const v = Math.hypot(ar[r * n + c], ai[r * n + c]);
      if (v > best) { best = v; piv = r; }
    }
    if (!(best > 0)) return null;
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        [ar[c * n + k], ar[piv * n + k]] = [ar[piv * n + k], ar[c * n + k]];
        [ai[c * n + k], ai[piv * n + k]] = [ai[piv * n + k], ai[c * n + k]];
      }
      [br[c], br[piv]] = [br[piv], br[c]];
      [bi[c], bi[piv]] = [bi[piv], bi[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = cdiv({ re: ar[r * n + c], im: ai[r * n + c] }, { re: ar[c * n + c], im: ai[c * n + c] });
      if (f.re === 0 && f.im === 0) continue;
      for (let k = c; k < n; k++) {
        ar[r * n + k] -= f.re * ar[c * n + k] - f.im * ai[c * n + k];
        ai[r * n + k] -= f.re * ai[c * n + k] + f.im * ar[c * n + k];
      }
      br[r] -= f.re * br[c] - f.im * bi[c];
      bi[r] -= f.re * bi[c] + f.im * br[c];
    }
  }
  const x: Complex[] = new Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let sr = br[r], si = bi[r];
    for (let k = r + 1; k < n; k++) {
      sr -= ar[r * n + k] * x[k].re - ai[r * n + k] * x[k].im;
      si -= ar[r * n + k] * x[k].im + ai[r * n + k] * x[k].re;
    }
    x[r] = cdiv({ re: sr, im: si }, { re: ar[r * n + r], im: ai[r * n + r] });
  }
  return x;
}

function chi2Of(m: PoleModel, d: LineData): number {
  let s = 0;
  for (let i = 0; i < d.z.length; i++) {
    const v = evalModel(m, d, d.z[i]);
    s += ((d.f[i].re - v.re) ** 2 + (d.f[i].im - v.im) ** 2) / d.sigma[i] ** 2;
  }
  return s;
}

/** One damped Gauss–Newton step (μ relative to the diagonal); null when the system is singular. */
function step(m: PoleModel, d: LineData, withPoles: boolean, mu: number): PoleModel | null {
  const n = m.poles.length;
  const P = (withPoles ? 2 : 1) * n + 2;
  const ar = new Float64Array(P * P), ai = new Float64Array(P * P), br = new Float64Array(P), bi = new Float64Array(P);
  const jr = new Float64Array(P), ji = new Float64Array(P);
  const off = withPoles ? n : 0;
  for (let i = 0; i < d.z.length; i++) {
    const z = d.z[i];
    const w = 1 / d.sigma[i];
    const tr = (z.re - d.centre.re) / d.scale, ti = (z.im - d.centre.im) / d.scale;
    let vr = m.c0.re + m.c1.re * tr - m.c1.im * ti, vi = m.c0.im + m.c1.re * ti + m.c1.im * tr;
    for (let j = 0; j < n; j++) {
      const dr = z.re - m.poles[j].re, di = z.im - m.poles[j].im;
      const q = dr * dr + di * di;
      const invr = dr / q, invi = -di / q;
      const rr = m.residues[j].re, ri = m.residues[j].im;
      const cr = rr * invr - ri * invi, ci = rr * invi + ri * invr;
      vr += cr; vi += ci;
      if (withPoles) {
        // ∂/∂p_j = r_j/(z − p_j)²
        jr[j] = w * (cr * invr - ci * invi);
        ji[j] = w * (cr * invi + ci * invr);
      }
      jr[off + j] = w * invr;
      ji[off + j] = w * invi;
    }
    jr[off + n] = w; ji[off + n] = 0;
    jr[off + n + 1] = w * tr; ji[off + n + 1] = w * ti;
    const rr = w * (d.f[i].re - vr), ri = w * (d.f[i].im - vi);
    for (let p = 0; p < P; p++) {
      const pr = jr[p], pi = ji[p];
      // conj(J_p)·r and conj(J_p)·J_q
      br[p] += pr * rr + pi * ri;
      bi[p] += pr * ri - pi * rr;
      const row = p * P;
      for (let q = p; q < P; q++) {
        ar[row + q] += pr * jr[q] + pi * ji[q];
        ai[row + q] += pr * ji[q] - pi * jr[q];
      }
    }
  }
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < p; q++) {
      ar[p * P + q] = ar[q * P + p];
      ai[p * P + q] = -ai[q * P + p];
    }
    ar[p * P + p] *= 1 + mu;
  }
  const x = complexSolve(ar, ai, br, bi, P);
  if (!x || x.some((v) => !Number.isFinite(v.re) || !Number.isFinite(v.im))) return null;
  const add = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
  const next: PoleModel = {
    poles: m.poles.map((p, j) => (withPoles ? add(p, x[j]) : p)),
    residues: m.residues.map((r, j) => add(r, x[off + j])),
    c0: add(m.c0, x[off + n]),
    c1: add(m.c1, x[off + n + 1]),
    chi2: 0,
  };
  next.chi2 = chi2Of(next, d);
  return next;
}

/**
 * Fits residues and background for fixed poles (linear least squares), then
 * poles, residues and background together by Levenberg–Marquardt (≤ maxIter
 * iterations; stops when χ² improves by less than 1e-9 relative).
 */
export function fitPoleModel(d: LineData, poles: Complex[], start?: PoleModel, maxIter = 60): PoleModel {
  const zero = { re: 0, im: 0 };
  let m: PoleModel = start
    ? { ...start, chi2: chi2Of(start, d) }
    : { poles, residues: poles.map(() => zero), c0: zero, c1: zero, chi2: Infinity };
  if (!start) m = step(m, d, false, 0) ?? { ...m, chi2: chi2Of(m, d) };
  if (poles.length === 0) return m;
  let mu = 1e-3;
  for (let it = 0; it < maxIter; it++) {
    const next = step(m, d, true, mu);
    if (next && next.chi2 < m.chi2) {
      const gain = (m.chi2 - next.chi2) / Math.max(m.chi2, 1e-300);
      m = next;
      mu = Math.max(mu / 4, 1e-12);
      if (gain < 1e-7) break;
    } else {
      mu *= 8;
      if (mu > 1e8) break;
    }
  }
  return m;
}

/**
 * The roots of P = (g(z) + Σ_j c_j/(z − s_j))·Π_j(z − s_j), a polynomial of the
 * given degree, from its logarithmic derivative P′/P = (g′ + F′)/(g + F) + Σ 1/(z − s_j),
 * F = Σ c_j/(z − s_j); g is a linear background (value and slope at z).
 */
function partialFractionRoots(nodes: readonly Complex[], coefs: readonly Complex[], background: (z: Complex) => [Complex, Complex], degree: number, centre: Complex, radius: number): Complex[] {
  const logDeriv = (z: Complex): Complex => {
    const [g, dg] = background(z);
    let fr = g.re, fi = g.im, dr = dg.re, di = dg.im, sr = 0, si = 0;
    for (let j = 0; j < nodes.length; j++) {
      const inv = cdiv({ re: 1, im: 0 }, { re: z.re - nodes[j].re, im: z.im - nodes[j].im });
      const t = { re: coefs[j].re * inv.re - coefs[j].im * inv.im, im: coefs[j].re * inv.im + coefs[j].im * inv.re };
      fr += t.re; fi += t.im;
      dr -= t.re * inv.re - t.im * inv.im; di -= t.re * inv.im + t.im * inv.re;
      sr += inv.re; si += inv.im;
    }
    const q = cdiv({ re: dr, im: di }, { re: fr, im: fi });
    return { re: q.re + sr, im: q.im + si };
  };
  return aberthRoots(logDeriv, degree, centre, radius);
}

/** Zeros of the fitted model (roots of its numerator, of degree n + 1). */
export function modelZeros(m: PoleModel, d: LineData): Complex[] {
  const background = (z: Complex): [Complex, Complex] => {
    const t = { re: (z.re - d.centre.re) / d.scale, im: (z.im - d.centre.im) / d.scale };
    return [{ re: m.c0.re + m.c1.re * t.re - m.c1.im * t.im, im: m.c0.im + m.c1.re * t.im + m.c1.im * t.re }, { re: m.c1.re / d.scale, im: m.c1.im / d.scale }];
  };
  return partialFractionRoots(m.poles, m.residues, background, cabs(m.c1) > 0 ? m.poles.length + 1 : m.poles.length, d.centre, 2 * d.scale);
}

/** Poles of a barycentric form: roots of Σ w_j/(z − z_j) · Π(z − z_j). */
export function barycentricPoles(b: Barycentric, centre: Complex, radius: number): Complex[] {
  const zero = { re: 0, im: 0 };
  return partialFractionRoots(b.support, b.weights, () => [zero, zero], b.support.length - 1, centre, radius);
}

/** Bayesian information criterion of a model: χ² + (real parameters)·ln(real data). */
export const bic = (m: PoleModel, d: LineData): number => m.chi2 + (4 * m.poles.length + 4) * Math.log(2 * d.z.length);

/**
 * The pole–residue model the data support: AAA proposes poles at every order
 * m ≤ mMax (those within a few window lengths of the samples), each proposal
 * is fitted by weighted least squares, the lowest BIC wins; then poles are
 * dropped one at a time while that lowers the BIC (Froissart doublets and
 * other poles the data do not need go here).
 */
export function selectPoleModel(d: LineData, mMax: number): PoleModel {
  const L = d.scale;
  const near = (p: Complex): boolean => Math.abs(p.re - d.centre.re) < 3 * L && Math.abs(p.im - d.centre.im) < 3 * L;
  // scan the AAA orders with residues fitted for the proposed poles (linear, cheap) …
  let scan = fitPoleModel(d, [], undefined, 0);
  let scanBic = bic(scan, d);
  let sinceBest = 0;
  aaaSteps(d.z, d.f, d.sigma, mMax, (b, m) => {
    if (m < 2) return true;
    const fit = fitPoleModel(d, barycentricPoles(b, d.centre, 2 * L).filter(near), undefined, 0);
    const v = bic(fit, d);
    if (v < scanBic) { scan = fit; scanBic = v; sinceBest = 0; } else sinceBest++;
    return sinceBest < 4;
  });
  // … then move the poles too (Levenberg–Marquardt) and drop those the data do not need
  let best = fitPoleModel(d, scan.poles, scan);
  let bestBic = bic(best, d);
  while (best.poles.length > 0) {
    let cand: Complex[] | null = null;
    let candBic = Infinity;
    for (let i = 0; i < best.poles.length; i++) {
      const keep = best.poles.filter((_, j) => j !== i);
      const v = bic(fitPoleModel(d, keep, undefined, 6), d);
      if (v < candBic) { cand = keep; candBic = v; }
    }
    const fit = fitPoleModel(d, cand!);
    const v = bic(fit, d);
    if (!(v < bestBic)) break;
    best = fit;
    bestBic = v;
  }
  return best;
}
