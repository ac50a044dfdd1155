/**
 * The fused kernel's passes over all modes: forward, forward + normal equations
 * (the Levenberg–Marquardt pass), vector–Jacobian product (the tf gradient) and
 * the dense Jacobian (tests, diagnostics). The per-mode work is in a ModeKernel:
 * KernelCore for the disk, HorizonKernelCore for the horizon network.
 */
import { KernelCore } from './kernelCore.ts';
import type { StepTerm } from './data.ts';

export type { KernelMode, KernelOptions } from './kernelCore.ts';

/** Per-mode forward and reverse sweeps over P data points and nt weights (nt = nw unless given). */
export interface ModeKernel {
  readonly P: number;
  readonly grid: { readonly nw: number };
  /** Number of weights when it differs from grid.nw (the disk with a free Δ: nw + 1). */
  readonly nt?: number;
  /** dχ/dθ of the last jacobianMode: re at [0, nt), im at [nt, 2nt). */
  readonly dchi: Float64Array;
  setWeights(theta: ArrayLike<number>): void;
  /** χ_pred of mode p into out[2p], out[2p+1] (keeps what the reverse sweep needs). */
  forwardMode(p: number, out: Float64Array): void;
  /** dχ/dθ of mode p into dchi, after forwardMode(p). */
  jacobianMode(p: number): void;
}

/** χ_pred for all modes into out (length 2P: re, im interleaved). */
export function forwardPass(k: ModeKernel, theta: ArrayLike<number>, out: Float64Array): Float64Array {
  k.setWeights(theta);
  for (let p = 0; p < k.P; p++) k.forwardMode(p, out);
  return out;
}

/**
 * One fused pass: χ_pred into chi; with weights invSigma (1/σ) and data, the
 * weighted residuals r and the normal equations A += JᵀJ (upper triangle, nt × nt),
 * b += Jᵀr. Returns Σ r².
 *
 * With `steps` (data.ts, StepTerm: the error common to the rows of one ω, each
 * row's share u_p) the rows of an ω block have covariance D + uuᵀ per real
 * component, and the pass returns the generalised χ² and its normal equations
 * (Sherman–Morrison, the same as a unit-prior nuisance offset per block and
 * component profiled out): with J̃ = J/√D, r̃ = r/√D, ũ = u/√D per row, and per
 * block s = J̃ᵀũ, t = ũᵀr̃, c = 1/(1 + ũᵀũ):
 *   χ² = |r̃|² − c t²,  A = J̃ᵀJ̃ − c s sᵀ,  b = J̃ᵀr̃ − c s t.
 */
export function normalPass(k: ModeKernel, theta: ArrayLike<number>, data: Float64Array, invSigma: Float64Array, chi: Float64Array, A: Float64Array, b: Float64Array, steps?: StepTerm): number {
  k.setWeights(theta);
  const nw = k.nt ?? k.grid.nw, d = k.dchi;
  A.fill(0);
  b.fill(0);
  let chi2 = 0;
  const weight = steps ? steps.invSigmaRest : invSigma;
  // per block and component: s (nw), t and ũᵀũ
  const nb = steps ? steps.blocks.length : 0;
  const sRe = new Float64Array(nb * nw), sIm = new Float64Array(nb * nw), tRe = new Float64Array(nb), tIm = new Float64Array(nb), uu = new Float64Array(nb);
  for (let p = 0; p < k.P; p++) {
    k.forwardMode(p, chi);
    k.jacobianMode(p);
    const w = weight[p];
    const rr = (chi[2 * p] - data[2 * p]) * w, ri = (chi[2 * p + 1] - data[2 * p + 1]) * w;
    chi2 += rr * rr + ri * ri;
    const ww = w * w;
    for (let a = 0; a < nw; a++) {
      const jr = d[a] * ww, ji = d[nw + a] * ww;
      b[a] += (jr * rr + ji * ri) / w;
      const row = a * nw;
      for (let c = a; c < nw; c++) A[row + c] += jr * d[c] + ji * d[nw + c];
    }
    if (steps) {
      const blk = steps.blockOf[p], u = steps.load[p], base = blk * nw;
      uu[blk] += u * u;
      tRe[blk] += u * rr;
      tIm[blk] += u * ri;
      for (let a = 0; a < nw; a++) {
        sRe[base + a] += u * w * d[a];
        sIm[base + a] += u * w * d[nw + a];
      }
    }
  }
  for (let blk = 0; blk < nb; blk++) {
    const c = 1 / (1 + uu[blk]), base = blk * nw;
    chi2 -= c * (tRe[blk] * tRe[blk] + tIm[blk] * tIm[blk]);
    for (let a = 0; a < nw; a++) {
      const sr = sRe[base + a], si = sIm[base + a];
      b[a] -= c * (sr * tRe[blk] + si * tIm[blk]);
      const row = a * nw;
      for (let e = a; e < nw; e++) A[row + e] -= c * (sr * sRe[base + e] + si * sIm[base + e]);
    }
  }
  return chi2;
}

/** Vector–Jacobian product: grad[θ] = Σ_p (dyRe_p ∂Re χ_p/∂θ + dyIm_p ∂Im χ_p/∂θ); chi gets χ_pred. */
export function vjpPass(k: ModeKernel, theta: ArrayLike<number>, dy: ArrayLike<number>, chi: Float64Array, grad: Float64Array): void {
  k.setWeights(theta);
  const nw = k.nt ?? k.grid.nw, d = k.dchi;
  grad.fill(0);
  for (let p = 0; p < k.P; p++) {
    k.forwardMode(p, chi);
    k.jacobianMode(p);
    const yr = dy[2 * p], yi = dy[2 * p + 1];
    for (let a = 0; a < nw; a++) grad[a] += yr * d[a] + yi * d[nw + a];
  }
}

/** Full Jacobian (2P × nt, rows re/im interleaved per mode) — for tests and diagnostics. */
export function jacobianPass(k: ModeKernel, theta: ArrayLike<number>, chi: Float64Array): Float64Array {
  k.setWeights(theta);
  const nw = k.nt ?? k.grid.nw, d = k.dchi;
  const J = new Float64Array(2 * k.P * nw);
  for (let p = 0; p < k.P; p++) {
    k.forwardMode(p, chi);
    k.jacobianMode(p);
    for (let a = 0; a < nw; a++) {
      J[2 * p * nw + a] = d[a];
      J[(2 * p + 1) * nw + a] = d[nw + a];
    }
  }
  return J;
}

/** The disk network's kernel with its passes (see KernelCore). */
export class FusedKernel extends KernelCore {
  forward(theta: ArrayLike<number>, out: Float64Array): Float64Array {
    return forwardPass(this, theta, out);
  }

  normal(theta: ArrayLike<number>, data: Float64Array, invSigma: Float64Array, chi: Float64Array, A: Float64Array, b: Float64Array, steps?: StepTerm): number {
    return normalPass(this, theta, data, invSigma, chi, A, b, steps);
  }

  vjp(theta: ArrayLike<number>, dy: ArrayLike<number>, chi: Float64Array, grad: Float64Array): void {
    vjpPass(this, theta, dy, chi, grad);
  }

  jacobian(theta: ArrayLike<number>, chi: Float64Array): Float64Array {
    return jacobianPass(this, theta, chi);
  }
}
