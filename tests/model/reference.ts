/**
 * A straightforward reference implementation of the metric network, written
 * independently of the fused kernel: Complex objects, f and g evaluated from
 * their definitions, a clamped spline in moment form solved densely, the
 * physics core's Frobenius start and boundary match.
 */
import { boundarySeries, matchBoverA } from '../../src/physics/boundary.ts';
import { regularStart } from '../../src/physics/centre.ts';
import { type Complex, cadd, cmul, cscale } from '../../src/physics/complex.ts';
import { massSquared } from '../../src/physics/params.ts';

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
  const m2 = massSquared(delta);
  const centre = { type: 'regular' as const, f0: Math.exp(ya[0]), phi2: 1 + sa.second0 / 2, g2: 1 + sb.second0 / 2 };
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
      const st = regularStart(centre, omega, k, m2, r0, Math.sqrt(f(r0) * g(r0)));
      let y: [Complex, Complex] = [{ re: st.y[0], im: st.y[1] }, { re: st.y[2], im: st.y[3] }];
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
      const uA = boundarySeries(2 - delta, omega, k, m2, -1, rM);
      const uB = boundarySeries(delta, omega, k, m2, -1, rM);
      const dR = cscale(y[1], 1 / (rM * Math.sqrt(f(rM) * g(rM))));
      const q = matchBoverA(y[0].re, y[0].im, dR.re, dR.im, uA, uB);
      return cscale(q, 2 * delta - 2);
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
