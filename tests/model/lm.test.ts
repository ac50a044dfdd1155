import { describe, expect, it } from 'vitest';
import { levenbergMarquardt } from '../../src/model/lm.ts';
import { cholesky, spdInverse, trustRegionStep } from '../../src/util/linalg.ts';

describe('trust-region subproblem', () => {
  const n = 3;
  const A = Float64Array.from([4, 1, 0, 1, 3, 0.5, 0, 0.5, 2]);
  const g = Float64Array.from([1, -2, 0.5]);

  it('returns the Gauss–Newton step when it fits inside the region', () => {
    const { p } = trustRegionStep(A, g, n, 100);
    for (let i = 0; i < n; i++) {
      let s = g[i];
      for (let j = 0; j < n; j++) s += A[i * n + j] * p[j];
      expect(Math.abs(s)).toBeLessThan(1e-9);
    }
  });

  it('otherwise lands on the boundary with (A + μI)p = −g, μ > 0', () => {
    const radius = 0.1;
    const { p, mu } = trustRegionStep(A, g, n, radius);
    expect(Math.hypot(...p)).toBeCloseTo(radius, 3);
    expect(mu).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      let s = g[i] + mu * p[i];
      for (let j = 0; j < n; j++) s += A[i * n + j] * p[j];
      expect(Math.abs(s)).toBeLessThan(1e-9);
    }
  });

  it('inverts SPD matrices and rejects indefinite ones', () => {
    const inv = spdInverse(A, n)!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[i * n + k] * inv[k * n + j];
      expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
    }
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2, 0, new Float64Array(4))).toBe(false);
  });
});

describe('Levenberg–Marquardt', () => {
  it('solves a nonlinear least-squares problem (Rosenbrock) from a distant start, with a prior', () => {
    // residuals r1 = 10(y − x²), r2 = 1 − x; prior R = 0 → minimum at (1, 1)
    const prob = {
      n: 2,
      prior: new Float64Array(4),
      normal(t: Float64Array, A: Float64Array, b: Float64Array): number {
        const [x, y] = t;
        const r = [10 * (y - x * x), 1 - x];
        const J = [[-20 * x, 10], [-1, 0]];
        A.fill(0);
        b.fill(0);
        for (let k = 0; k < 2; k++) for (let i = 0; i < 2; i++) {
          b[i] += J[k][i] * r[k];
          for (let j = i; j < 2; j++) A[i * 2 + j] += J[k][i] * J[k][j];
        }
        return r[0] ** 2 + r[1] ** 2;
      },
    };
    const iters: number[] = [];
    const res = levenbergMarquardt(prob, [-1.2, 1], { onIteration: (it) => iters.push(it.loss) });
    expect(res.converged).toBe(true);
    expect(res.theta[0]).toBeCloseTo(1, 6);
    expect(res.theta[1]).toBeCloseTo(1, 6);
    // accepted steps never increase the loss
    for (let i = 1; i < iters.length; i++) expect(iters[i]).toBeLessThanOrEqual(iters[i - 1]);
    // with a prior pulling x toward 0 the minimum moves accordingly
    const withPrior = levenbergMarquardt({ ...prob, prior: Float64Array.from([1, 0, 0, 0]) }, [-1.2, 1]);
    expect(withPrior.theta[0]).toBeLessThan(1);
    expect(withPrior.theta[0]).toBeGreaterThan(0.3);
  });
});
