/**
 * A network's kernel times a free complex scale κ = (1 + a) + i·b, the last two
 * weights: χ_pred = κ·χ_network. For tables whose overall scale is not known
 * exactly: it comes from a calibration reference, whose overall constant has an
 * error common to every row (the disk with Δ fitted, docs/model.md "Δ from the
 * data", where the reference may sit at another Δ; the daemon's horizon fits,
 * horizonScale.ts). With κ free the fit takes the metric (and Δ) from the shape of
 * χ (its k- and Ω-dependence) instead of its amplitude and phase.
 */
import type { StepTerm } from './data.ts';
import { FusedKernel, type KernelMode, type KernelOptions, type ModeKernel, forwardPass, jacobianPass, normalPass } from './kernel.ts';
import type { NetworkGrid } from './grid.ts';
import type { TrainingData } from './data.ts';

/**
 * The κ minimising χ² = Σ w²|κ·χ_model − χ_data|² at fixed network weights (weighted
 * linear least squares): κ = Σ w² conj(χ_model)·χ_data / Σ w²|χ_model|².
 * `model` holds re, im interleaved for the rows `rows` of `data` (all rows, in order,
 * when omitted). NaN when the model is zero everywhere.
 */
export function leastSquaresScale(model: Float64Array, data: TrainingData, rows?: readonly number[]): { re: number; im: number } {
  let nr = 0, ni = 0, den = 0;
  const n = rows ? rows.length : data.modes.length;
  for (let q = 0; q < n; q++) {
    const p = rows ? rows[q] : q;
    const w2 = data.invSigma[p] ** 2, xr = model[2 * q], xi = model[2 * q + 1], yr = data.chi[2 * p], yi = data.chi[2 * p + 1];
    nr += w2 * (xr * yr + xi * yi);
    ni += w2 * (xr * yi - xi * yr);
    den += w2 * (xr * xr + xi * xi);
  }
  return { re: nr / den, im: ni / den };
}

/** Any mode kernel times κ: weights θ = (the inner kernel's, a, b). */
export class ScaledModes<K extends ModeKernel> implements ModeKernel {
  readonly P: number;
  readonly grid: K['grid'];
  /** The inner kernel's weights + 2. */
  readonly nt: number;
  readonly dchi: Float64Array;
  private kre = 1;
  private kim = 0;
  /** χ of the inner network per mode (re, im), kept for ∂/∂κ */
  private readonly raw: Float64Array;

  constructor(readonly inner: K) {
    this.grid = inner.grid;
    this.P = inner.P;
    this.nt = (inner.nt ?? inner.grid.nw) + 2;
    this.dchi = new Float64Array(2 * this.nt);
    this.raw = new Float64Array(2 * this.P);
  }

  /** The fitted scale κ of the last setWeights. */
  get scale(): { re: number; im: number } {
    return { re: this.kre, im: this.kim };
  }

  setWeights(theta: ArrayLike<number>): void {
    const n = this.nt - 2;
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
    const nt = this.nt, n = nt - 2, d = this.inner.dchi, out = this.dchi;
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

  /** The fused pass (kernel.ts normalPass; `steps`: the rows' error common to their ω). */
  normal(theta: ArrayLike<number>, data: Float64Array, invSigma: Float64Array, chi: Float64Array, A: Float64Array, b: Float64Array, steps?: StepTerm): number {
    return normalPass(this, theta, data, invSigma, chi, A, b, steps);
  }

  jacobian(theta: ArrayLike<number>, chi: Float64Array): Float64Array {
    return jacobianPass(this, theta, chi);
  }
}

/** The disk network's fused kernel times κ. */
export class ScaledKernel extends ScaledModes<FusedKernel> {
  constructor(grid: NetworkGrid, delta: number, modes: readonly KernelMode[], opts: KernelOptions = {}) {
    super(new FusedKernel(grid, delta, modes, opts));
  }
}
