/**
 * Natural cubic spline through (x_i, y_i), x strictly increasing.
 * Evaluates value, first and second derivative.
 */
export class NaturalCubicSpline {
  readonly x: Float64Array;
  readonly y: Float64Array;
  private readonly m: Float64Array; // second derivatives at the knots

  constructor(x: ArrayLike<number>, y: ArrayLike<number>) {
    const n = x.length;
    this.x = Float64Array.from(x);
    this.y = Float64Array.from(y);
    this.m = new Float64Array(n);
    if (n < 3) return;
    // tridiagonal system for interior second derivatives
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const cc = new Float64Array(n);
    const d = new Float64Array(n);
    for (let i = 1; i < n - 1; i++) {
      const h0 = this.x[i] - this.x[i - 1];
      const h1 = this.x[i + 1] - this.x[i];
      a[i] = h0;
      b[i] = 2 * (h0 + h1);
      cc[i] = h1;
      d[i] = 6 * ((this.y[i + 1] - this.y[i]) / h1 - (this.y[i] - this.y[i - 1]) / h0);
    }
    for (let i = 2; i < n - 1; i++) {
      const w = a[i] / b[i - 1];
      b[i] -= w * cc[i - 1];
      d[i] -= w * d[i - 1];
    }
    for (let i = n - 2; i >= 1; i--) this.m[i] = (d[i] - cc[i] * this.m[i + 1]) / b[i];
  }

  private seg(t: number): number {
    const x = this.x;
    let lo = 0;
    let hi = x.length - 1;
    if (t <= x[0]) return 0;
    if (t >= x[hi]) return hi - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid] > t) hi = mid;
      else lo = mid;
    }
    return lo;
  }

  /** Returns [value, first derivative, second derivative] at t (linear extrapolation outside). */
  eval(t: number): [number, number, number] {
    const n = this.x.length;
    if (n === 1) return [this.y[0], 0, 0];
    const i = this.seg(t);
    const x0 = this.x[i];
    const x1 = this.x[i + 1];
    const h = x1 - x0;
    const y0 = this.y[i];
    const y1 = this.y[i + 1];
    const m0 = this.m[i];
    const m1 = this.m[i + 1];
    const A = (x1 - t) / h;
    const B = (t - x0) / h;
    const v = A * y0 + B * y1 + ((A * A * A - A) * m0 + (B * B * B - B) * m1) * (h * h) / 6;
    const d1 = (y1 - y0) / h + ((-(3 * A * A) + 1) * m0 + (3 * B * B - 1) * m1) * h / 6;
    const d2 = A * m0 + B * m1;
    return [v, d1, d2];
  }
}
