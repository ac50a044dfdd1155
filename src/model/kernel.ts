/**
 * The fused kernel's passes over all modes: forward, forward + normal equations
 * (the Levenberg–Marquardt pass), vector–Jacobian product (the tf gradient) and
 * the dense Jacobian (tests, diagnostics). The per-mode work is in KernelCore.
 */
import { KernelCore } from './kernelCore.ts';

export type { KernelMode } from './kernelCore.ts';

export class FusedKernel extends KernelCore {
  /** χ_pred for all modes into out (length 2P: re, im interleaved). */
  forward(theta: ArrayLike<number>, out: Float64Array): Float64Array {
    this.setWeights(theta);
    for (let p = 0; p < this.P; p++) this.forwardMode(p, out);
    return out;
  }

  /**
   * One fused pass: χ_pred into chi; with weights wRe/wIm (1/σ) and data, the
   * weighted residuals r and the normal equations A += JᵀJ (upper triangle, nw × nw),
   * b += Jᵀr. Returns Σ r².
   */
  normal(theta: ArrayLike<number>, data: Float64Array, invSigma: Float64Array, chi: Float64Array, A: Float64Array, b: Float64Array): number {
    this.setWeights(theta);
    const nw = this.grid.nw, d = this.dchi;
    A.fill(0);
    b.fill(0);
    let chi2 = 0;
    for (let p = 0; p < this.P; p++) {
      this.forwardMode(p, chi);
      this.jacobianMode(p);
      const w = invSigma[p];
      const rr = (chi[2 * p] - data[2 * p]) * w, ri = (chi[2 * p + 1] - data[2 * p + 1]) * w;
      chi2 += rr * rr + ri * ri;
      const ww = w * w;
      for (let a = 0; a < nw; a++) {
        const jr = d[a] * ww, ji = d[nw + a] * ww;
        b[a] += (jr * rr + ji * ri) / w;
        const row = a * nw;
        for (let c = a; c < nw; c++) A[row + c] += jr * d[c] + ji * d[nw + c];
      }
    }
    return chi2;
  }

  /** Vector–Jacobian product: grad[θ] = Σ_p (dyRe_p ∂Re χ_p/∂θ + dyIm_p ∂Im χ_p/∂θ); chi gets χ_pred. */
  vjp(theta: ArrayLike<number>, dy: ArrayLike<number>, chi: Float64Array, grad: Float64Array): void {
    this.setWeights(theta);
    const nw = this.grid.nw, d = this.dchi;
    grad.fill(0);
    for (let p = 0; p < this.P; p++) {
      this.forwardMode(p, chi);
      this.jacobianMode(p);
      const yr = dy[2 * p], yi = dy[2 * p + 1];
      for (let a = 0; a < nw; a++) grad[a] += yr * d[a] + yi * d[nw + a];
    }
  }

  /** Full Jacobian (2P × nw, rows re/im interleaved per mode) — for tests and diagnostics. */
  jacobian(theta: ArrayLike<number>, chi: Float64Array): Float64Array {
    this.setWeights(theta);
    const nw = this.grid.nw, d = this.dchi;
    const J = new Float64Array(2 * this.P * nw);
    for (let p = 0; p < this.P; p++) {
      this.forwardMode(p, chi);
      this.jacobianMode(p);
      for (let a = 0; a < nw; a++) {
        J[2 * p * nw + a] = d[a];
        J[(2 * p + 1) * nw + a] = d[nw + a];
      }
    }
    return J;
  }
}
