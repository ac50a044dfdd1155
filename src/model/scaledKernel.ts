/**
 * The metric network's kernel times a free complex scale κ = (1 + a) + i·b, the
 * last two weights: χ_pred = κ·χ_network. For tables whose overall scale is not
 * known (it comes from a calibration reference at a Δ that may differ from the
 * sample's, docs/model.md "Δ from the data"): with κ free the fit takes Δ from the
 * shape of χ (its k- and Ω-dependence) instead of its amplitude.
 */
import { FusedKernel, type KernelMode, type KernelOptions, type ModeKernel, forwardPass, jacobianPass, normalPass } from './kernel.ts';
import type { NetworkGrid } from './grid.ts';

export class ScaledKernel implements ModeKernel {
  readonly inner: FusedKernel;
  readonly P: number;
  readonly grid: NetworkGrid;
  /** inner.nt + 2 */
  readonly nt: number;
  readonly dchi: Float64Array;
  private kre = 1;
  private kim = 0;
  /** χ of the inner network per mode (re, im), kept for ∂/∂κ */
  private readonly raw: Float64Array;

  constructor(grid: NetworkGrid, delta: number, modes: readonly KernelMode[], opts: KernelOptions = {}) {
    this.inner = new FusedKernel(grid, delta, modes, opts);
    this.grid = grid;
    this.P = modes.length;
    this.nt = this.inner.nt + 2;
    this.dchi = new Float64Array(2 * this.nt);
    this.raw = new Float64Array(2 * this.P);
  }

  /** The fitted scale κ of the last setWeights. */
  get scale(): { re: number; im: number } {
    return { re: this.kre, im: this.kim };
  }

  setWeights(theta: ArrayLike<number>): void {
    const n = this.inner.nt;
    this.inner.setWeights(Array.prototype.slice.call(theta, 0, n) as number[]);
    this.kre = 1 + theta[n];
    this.kim = theta[n + 1];
  }

  forwardMode(p: number, out: Float64Array): void {
    this.inner.forwardMode(p, this.raw);
    const cr = this.raw[2 * p], ci = this.raw[2 * p + 1];
    out[2 * p] = this.kre * cr - this.kim * ci;
    out[2 * p + 1] = this.kre * ci + this.kim * cr;
  }

  jacobianMode(p: number): void {
    this.inner.jacobianMode(p);
    const n = this.inner.nt, nt = this.nt, d = this.inner.dchi, out = this.dchi;
    const kr = this.kre, ki = this.kim;
    for (let j = 0; j < n; j++) {
      const dr = d[j], di = d[n + j];
      out[j] = kr * dr - ki * di;
      out[nt + j] = kr * di + ki * dr;
    }
    const cr = this.raw[2 * p], ci = this.raw[2 * p + 1];
    // ∂/∂a = χ, ∂/∂b = iχ
    out[n] = cr; out[nt + n] = ci;
    out[n + 1] = -ci; out[nt + n + 1] = cr;
  }

  forward(theta: ArrayLike<number>, out: Float64Array): Float64Array {
    return forwardPass(this, theta, out);
  }

  normal(theta: ArrayLike<number>, data: Float64Array, invSigma: Float64Array, chi: Float64Array, A: Float64Array, b: Float64Array): number {
    return normalPass(this, theta, data, invSigma, chi, A, b);
  }

  jacobian(theta: ArrayLike<number>, chi: Float64Array): Float64Array {
    return jacobianPass(this, theta, chi);
  }
}
