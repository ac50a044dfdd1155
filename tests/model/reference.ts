/**
 * A straightforward reference implementation of the metric network, written
 * independently of the fused kernel: Complex objects, f and g evaluated from
 * their definitions, a clamped spline in moment form solved densely, the
 * Frobenius start and boundary match of physics.md §4, written here from the
 * formulas, not imported from src.
 */

/** Complex numbers, written here again so that the reference shares no code with src. */
interface Complex {
  re: number;
  im: number;
}
const cadd = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
const cmul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
const cscale = (a: Complex, s: number): Complex => ({ re: a.re * s, im: a.im * s });
const cdiv = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
};

/**
 * The regular start at the centre, physics.md §4: R = r^{|k|}(1 + c r²) with
 * c = −[g₂|k|(|k|+2) + (φ₂ − g₂)|k| + Ω²/f₀ − m²] / (4(|k|+1)); Π = r√(fg) R′.
 */
function centreStart(f0: number, phi2: number, g2: number, omega: Complex, k: number, m2: number, r0: number, sqrtFg: number): [Complex, Complex] {
  const ak = Math.abs(k);
  const o2 = cmul(omega, omega);
  const c = cscale({ re: g2 * ak * (ak + 2) + (phi2 - g2) * ak + o2.re / f0 - m2, im: o2.im / f0 }, -1 / (4 * (ak + 1)));
  const pk = Math.pow(r0, ak);
  const R = cscale(cadd({ re: 1, im: 0 }, cscale(c, r0 * r0)), pk);
  const dR = cscale(cadd({ re: ak, im: 0 }, cscale(c, (ak + 2) * r0 * r0)), pk / r0);
  return [R, cscale(dR, r0 * sqrtFg)];
}

/**
 * The exact boundary series of physics.md §4 at r (M = −1, the disk):
 * R = Σ c_j r^{−(p₀+2j)}, c_j P(p₀+2j) + c_{j−1} Q(p₀+2j−2) + c_{j−2} S(p₀+2j−4) = 0,
 * P(p) = p(p−2) − m², Q(p) = Ω² − k² + M m² − 2M p(p−1), S(p) = M² p² + M k².
 * Returns the value and its r-derivative.
 */
function series(p0: number, omega: Complex, k: number, m2: number, r: number): { u: Complex; du: Complex } {
  const M = -1;
  const o2 = cmul(omega, omega);
  let c2: Complex = { re: 0, im: 0 };
  let c1: Complex = { re: 1, im: 0 };
  let u: Complex = { re: Math.pow(r, -p0), im: 0 };
  let du: Complex = { re: -p0 * Math.pow(r, -p0 - 1), im: 0 };
  for (let j = 1; j < 120; j++) {
    const p = p0 + 2 * j;
    const P = p * (p - 2) - m2;
    const q = p - 2;
    const Q = cadd(o2, { re: -k * k + M * m2 - 2 * M * q * (q - 1), im: 0 });
    const sp = p - 4;
    const S = M * M * sp * sp + M * k * k;
    const c = cscale(cadd(cmul(c1, Q), cscale(c2, S)), -1 / P);
    const pw = Math.pow(r, -p);
    u = cadd(u, cscale(c, pw));
    du = cadd(du, cscale(c, -p * pw / r));
    c2 = c1;
    c1 = c;
    if (Math.hypot(c.re, c.im) * pw < 1e-18 * Math.hypot(u.re, u.im)) break;
  }
  return { u, du };
}

export interface RefShape {
  layers: number;
  nodes: number;
  r0: number;
  rMax: number;
  rC: number;
}

/** Solves a dense linear system (Gaussian elimination with partial pivoting). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** Clamped cubic spline (zero end slopes) through uniform nodes, in moment form. */
export function refSpline(y: number[], H: number): { value(x: number): number; second0: number } {
  const n = y.length;
  const A: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const b = new Array<number>(n).fill(0);
  A[0][0] = 2; A[0][1] = 1; b[0] = (6 / H) * ((y[1] - y[0]) / H);
  A[n - 1][n - 2] = 1; A[n - 1][n - 1] = 2; b[n - 1] = (6 / H) * (-(y[n - 1] - y[n - 2]) / H);
  for (let i = 1; i < n - 1; i++) {
    A[i][i - 1] = 1; A[i][i] = 4; A[i][i + 1] = 1;
    b[i] = (6 / (H * H)) * (y[i + 1] - 2 * y[i] + y[i - 1]);
  }
  const M = solve(A, b);
  return {
    second0: M[0],
    value(x: number): number {
      const i = Math.min(n - 2, Math.max(0, Math.floor(x / H)));
      const x0 = i * H, x1 = (i + 1) * H;
      const a = (x1 - x) / H, bb = (x - x0) / H;
      return a * y[i] + bb * y[i + 1] + ((a * a * a - a) * M[i] + (bb * bb * bb - bb) * M[i + 1]) * (H * H) / 6;
    },
  };
}

export interface RefModel {
  alpha(r: number): number;
  beta(r: number): number;
  chi(omega: Complex, k: number): Complex;
}

/** θ layout as in the network: α at nodes 0..K−2, then β at nodes 1..K−2. */
export function refModel(shape: RefShape, delta: number, theta: ArrayLike<number>): RefModel {
  const K = shape.nodes;
  const rhoC = Math.atan(shape.rC);
  const H = rhoC / (K - 1);
  const ya = Array.from({ length: K }, (_, i) => (i < K - 1 ? theta[i] : 0));
  const yb = Array.from({ length: K }, (_, i) => (i >= 1 && i < K - 1 ? theta[K - 2 + i] : 0));
  const sa = refSpline(ya, H);
  const sb = refSpline(yb, H);
  const alpha = (r: number): number => (Math.atan(r) >= rhoC ? 0 : sa.value(Math.atan(r)));
  const beta = (r: number): number => (Math.atan(r) >= rhoC ? 0 : sb.value(Math.atan(r)));
  const f = (r: number): number => (1 + r * r) * Math.exp(alpha(r));
  const g = (r: number): number => (1 + r * r) * Math.exp(beta(r));
  const m2 = delta * (delta - 2);
  const centre = { f0: Math.exp(ya[0]), phi2: 1 + sa.second0 / 2, g2: 1 + sb.second0 / 2 };
  return {
    alpha,
    beta,
    chi(omega: Complex, k: number): Complex {
      const o2 = cmul(omega, omega);
      const rhs = (s: number, y: [Complex, Complex]): [Complex, Complex] => {
        const r = Math.exp(s);
        const fr = f(r), gr = g(r);
        const a = 1 / Math.sqrt(fr * gr);
        // c = √(f/g)(m² r² + k² − Ω² r²/f)
        const cc = cscale(cadd({ re: m2 * r * r + k * k, im: 0 }, cscale(o2, -(r * r) / fr)), Math.sqrt(fr / gr));
        return [cscale(y[1], a), cmul(cc, y[0])];
      };
      const r0 = shape.r0;
      let y: [Complex, Complex] = centreStart(centre.f0, centre.phi2, centre.g2, omega, k, m2, r0, Math.sqrt(f(r0) * g(r0)));
      const s0 = Math.log(r0);
      const h = (Math.log(shape.rMax) - s0) / shape.layers;
      const add = (u: [Complex, Complex], v: [Complex, Complex], c: number): [Complex, Complex] => [cadd(u[0], cscale(v[0], c)), cadd(u[1], cscale(v[1], c))];
      for (let j = 0; j < shape.layers; j++) {
        const s = s0 + j * h;
        const k1 = rhs(s, y);
        const k2 = rhs(s + h / 2, add(y, k1, h / 2));
        const k3 = rhs(s + h / 2, add(y, k2, h / 2));
        const k4 = rhs(s + h, add(y, k3, h));
        y = add(add(add(add(y, k1, h / 6), k2, h / 3), k3, h / 3), k4, h / 6);
      }
      const rM = shape.rMax;
      const a = series(2 - delta, omega, k, m2, rM);
      const b = series(delta, omega, k, m2, rM);
      const R = y[0];
      const dR = cscale(y[1], 1 / (rM * Math.sqrt(f(rM) * g(rM))));
      // R = A u_A + B u_B and R′ = A u_A′ + B u_B′  ⇒  B/A = (u_A R′ − R u_A′)/(R u_B′ − u_B R′)
      const num = cadd(cmul(a.u, dR), cscale(cmul(R, a.du), -1));
      const den = cadd(cmul(R, b.du), cscale(cmul(b.u, dR), -1));
      return cscale(cdiv(num, den), 2 * delta - 2);
    },
  };
}

/**
 * Largest error of an adjoint Jacobian J (rows re/im interleaved per mode, nt columns)
 * against central differences of `forward` (step eps), per column, relative to |χ| of
 * the row's mode: worst[a] for column a.
 */
export function jacobianErrors(
  forward: (theta: Float64Array, out: Float64Array) => void, theta: Float64Array, chi: Float64Array, J: Float64Array, eps = 1e-6,
): Float64Array {
  const nt = theta.length;
  const cp = new Float64Array(chi.length), cm = new Float64Array(chi.length);
  const worst = new Float64Array(nt);
  for (let a = 0; a < nt; a++) {
    const tp = theta.slice(), tm = theta.slice();
    tp[a] += eps;
    tm[a] -= eps;
    forward(tp, cp);
    forward(tm, cm);
    for (let r = 0; r < chi.length; r++) {
      const scale = Math.hypot(chi[r & ~1], chi[r | 1]);
      worst[a] = Math.max(worst[a], Math.abs((cp[r] - cm[r]) / (2 * eps) - J[r * nt + a]) / scale);
    }
  }
  return worst;
}
