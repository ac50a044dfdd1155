/**
 * The horizon network (physics.md §11): the metric network's second geometry, for
 * samples above the Hawking–Page temperature. Weights: α, β at K nodes each, their
 * slopes at the horizon and ln r_h (2K + 1); forward pass and exact Jacobian in the
 * fused Float64 kernel (HorizonKernel); Levenberg–Marquardt with the same
 * smoothness prior as the disk; r_h ± σ and T ± σ from the posterior.
 */
import type { ResponsePoint, ResponseTable } from '../../contracts/response.ts';
import { HoloringError, assertFinite } from '../../errors.ts';
import { validateDelta } from '../../physics/params.ts';
import { definedOnly } from '../../util/options.ts';
import { ModelErrorCodes, type TrainingData, prepareData } from '../data.ts';
import { type LmIteration, type LmOptions, levenbergMarquardt } from '../lm.ts';
import { MIN_LAYERS } from '../network.ts';
import { type HorizonCheckpoint, makeHorizonCheckpoint, thetaFromHorizonCheckpoint } from './checkpoint.ts';
import { buildHorizonEstimate, type HorizonEstimate, laplaceLogEvidence, logPseudoDet } from './estimate.ts';
import { DEFAULT_HORIZON_SHAPE, HorizonGrid, type HorizonShape } from './grid.ts';
import { HorizonKernel } from './kernel.ts';

export interface HorizonNetworkOptions extends Partial<HorizonShape> {
  delta?: number;
  /** Smoothness weight λ (default HORIZON_LAMBDA). */
  lambda?: number;
}

/**
 * λ of the horizon network. Smaller than the disk's: the nodes span a shorter ρ
 * range, and at λ = 1 the prior biases r_h (up to 1.7σ) and f, g near a deformation
 * (up to 2.6% on [1.5 r_h, 3]) on noiseless data; at 0.1 the bias is ≤ 0.13σ and ≤ 0.6%,
 * and the Laplace evidence of the default-grid fits peaks near 0.1 (docs/model.md).
 */
export const HORIZON_LAMBDA = 0.1;

export interface HorizonFitOptions {
  /**
   * Start: 'current' weights (warm start, default once fitted), 'scan' (α = β = 0 and
   * r_h from a coarse scan of the BTZ χ², default before the first fit), a checkpoint,
   * or θ.
   */
  init?: 'current' | 'scan' | HorizonCheckpoint | ArrayLike<number>;
  /** Start r_h for 'scan' instead of scanning (e.g. from the sample temperature: BTZ r_h = 2πT). */
  rhGuess?: number;
  onIteration?: (info: LmIteration) => void;
  lm?: Omit<LmOptions, 'onIteration'>;
}

export interface HorizonFitResult extends HorizonEstimate {
  delta: number;
  layers: number;
  nodes: number;
  fingerprint: string;
  noiseless: boolean;
  /** Laplace log evidence −½ loss − ½ ln det(JᵀJ + R) + ½ ln pdet(R) at the optimum (NaN if not positive definite). */
  log_evidence?: number;
  elapsedMs: number;
}

/** r_h scanned (log-uniform) for the start, and the share of modes used for the scan. */
export const RH_SCAN = { min: 0.3, max: 6, points: 14, stride: 5 } as const;

export class HorizonNetwork {
  readonly grid: HorizonGrid;
  readonly delta: number;
  readonly lambda: number;
  /** λLᵀL (full nw × nw). */
  readonly prior: Float64Array;
  /** ln pdet(R) of the prior. */
  readonly logPdetPrior: number;
  private theta: Float64Array;
  private fitted = false;
  private fingerprint = '';
  private cache: { data: TrainingData; kernel: HorizonKernel } | null = null;

  constructor(opts: HorizonNetworkOptions = {}) {
    const shape: HorizonShape = { ...DEFAULT_HORIZON_SHAPE, ...Object.fromEntries(Object.entries(definedOnly(opts)).filter(([k]) => k in DEFAULT_HORIZON_SHAPE)) };
    this.delta = validateDelta(opts.delta ?? 1.5);
    this.lambda = opts.lambda ?? HORIZON_LAMBDA;
    assertFinite('horizon network option', shape.layers, shape.nodes, shape.xi0, shape.rMaxRatio, shape.rCRatio, this.lambda);
    const refuse = (why: string): never => {
      throw new HoloringError(ModelErrorCodes.SHAPE, why, { ...shape });
    };
    if (!Number.isInteger(shape.layers) || shape.layers < MIN_LAYERS) refuse(`layers must be an integer ≥ ${MIN_LAYERS} (got ${shape.layers})`);
    if (!Number.isInteger(shape.nodes) || shape.nodes < 4 || shape.nodes > 256) refuse(`nodes must be an integer in 4..256 (got ${shape.nodes})`);
    if (!(shape.xi0 > 0 && shape.xi0 <= 1e-2)) refuse(`xi0 must be in (0, 0.01] (got ${shape.xi0})`);
    if (!(shape.rCRatio > 1.5 && shape.rMaxRatio > shape.rCRatio && shape.rMaxRatio <= 50)) refuse(`need 1.5 < rC/r_h < rMax/r_h ≤ 50 (got ${shape.rCRatio}, ${shape.rMaxRatio})`);
    if (!(this.lambda >= 0)) refuse(`lambda must be ≥ 0 (got ${this.lambda})`);
    this.grid = new HorizonGrid(shape);
    const nw = this.grid.nw;
    const L = this.grid.smoothness();
    this.prior = new Float64Array(nw * nw);
    for (let r = 0; r < L.length / nw; r++) {
      for (let i = 0; i < nw; i++) {
        const li = L[r * nw + i];
        if (li === 0) continue;
        for (let j = 0; j < nw; j++) this.prior[i * nw + j] += this.lambda * li * L[r * nw + j];
      }
    }
    this.logPdetPrior = logPseudoDet(this.prior, nw);
    this.theta = new Float64Array(nw);
    this.theta[this.grid.iq] = Math.log(1.5);
  }

  get shape(): HorizonShape {
    return this.grid.shape;
  }

  weights(): Float64Array {
    return this.theta.slice();
  }

  setWeights(theta: ArrayLike<number>): void {
    if (theta.length !== this.grid.nw) throw new HoloringError(ModelErrorCodes.SHAPE, `expected ${this.grid.nw} weights, got ${theta.length}`, {});
    this.theta = Float64Array.from(theta);
  }

  /** Training data and kernel for a table (cached for the last table). */
  prepare(table: ResponseTable | readonly ResponsePoint[]): { data: TrainingData; kernel: HorizonKernel } {
    const data = prepareData(table, this.grid.nw, { nodes: this.grid.K });
    if (this.cache && this.cache.data.fingerprint === data.fingerprint) return this.cache;
    this.cache = { data, kernel: new HorizonKernel(this.grid, this.delta, data.modes) };
    return this.cache;
  }

  /** χ_pred (re, im interleaved) at the current weights. */
  predict(table: ResponseTable | readonly ResponsePoint[]): Float64Array {
    const { kernel } = this.prepare(table);
    return kernel.forward(this.theta, new Float64Array(2 * kernel.P));
  }

  /**
   * Start r_h: the best χ² of BTZ (α = β = 0) over a log-uniform scan of r_h, on
   * every RH_SCAN.stride-th point of the table (a fifth of a fit's cost).
   */
  scanHorizon(data: TrainingData): number {
    const idx = data.modes.map((_, i) => i).filter((i) => i % RH_SCAN.stride === 0);
    const kernel = new HorizonKernel(this.grid, this.delta, idx.map((i) => data.modes[i]));
    const chi = new Float64Array(2 * idx.length);
    const theta = new Float64Array(this.grid.nw);
    let best = Math.log(1.5), bestChi2 = Infinity;
    for (let j = 0; j < RH_SCAN.points; j++) {
      const q = Math.log(RH_SCAN.min) + (j / (RH_SCAN.points - 1)) * Math.log(RH_SCAN.max / RH_SCAN.min);
      theta[this.grid.iq] = q;
      kernel.forward(theta, chi);
      let c2 = 0;
      idx.forEach((i, p) => {
        const w = data.invSigma[i];
        c2 += ((chi[2 * p] - data.chi[2 * i]) * w) ** 2 + ((chi[2 * p + 1] - data.chi[2 * i + 1]) * w) ** 2;
      });
      if (c2 < bestChi2) {
        bestChi2 = c2;
        best = q;
      }
    }
    return Math.exp(best);
  }

  /** The start of a fit's weights for `init` (see HorizonFitOptions; also the start of fits with a free scale, horizonScale.ts). */
  initialTheta(init: HorizonFitOptions['init'], data: TrainingData, rhGuess?: number): Float64Array {
    const mode = init ?? (this.fitted ? 'current' : 'scan');
    if (mode === 'current') return this.theta.slice();
    if (mode === 'scan') {
      const t = new Float64Array(this.grid.nw);
      t[this.grid.iq] = Math.log(rhGuess !== undefined && rhGuess > 0 ? rhGuess : this.scanHorizon(data));
      return t;
    }
    if (typeof mode === 'object' && 'format' in mode) return thetaFromHorizonCheckpoint(mode, this.grid, this.delta);
    const t = Float64Array.from(mode as ArrayLike<number>);
    if (t.length !== this.grid.nw) throw new HoloringError(ModelErrorCodes.SHAPE, `init has ${t.length} weights, the horizon network has ${this.grid.nw}`, {});
    return t;
  }

  /** Levenberg–Marquardt fit on this thread; leaves the fitted weights in the network. */
  fit(table: ResponseTable | readonly ResponsePoint[], opts: HorizonFitOptions = {}): HorizonFitResult {
    const t0 = performance.now();
    const { data, kernel } = this.prepare(table);
    const chi = new Float64Array(2 * kernel.P);
    const theta0 = this.initialTheta(opts.init, data, opts.rhGuess);
    const res = levenbergMarquardt(
      { n: this.grid.nw, prior: this.prior, normal: (theta, A, b) => kernel.normal(theta, data.chi, data.invSigma, chi, A, b) },
      theta0,
      { ...opts.lm, onIteration: opts.onIteration },
    );
    if (!Number.isFinite(res.loss)) throw new HoloringError(ModelErrorCodes.DIVERGED, 'the horizon fit produced a non-finite loss', {});
    this.theta = res.theta;
    this.fitted = true;
    this.fingerprint = data.fingerprint;
    const est = buildHorizonEstimate(this.grid, res.theta, res.A, this.prior, {
      chi2: res.chi2, loss: res.loss, iterations: res.iterations, evaluations: res.evaluations, converged: res.converged,
      residuals: 2 * data.modes.length, omegaMax: data.omegaMax,
    });
    const log_evidence = laplaceLogEvidence(res.loss, res.A, this.prior, this.grid.nw, this.logPdetPrior);
    return { ...est, delta: this.delta, layers: this.grid.N, nodes: this.grid.K, fingerprint: data.fingerprint, noiseless: data.noiseless, log_evidence, elapsedMs: performance.now() - t0 };
  }

  checkpoint(): HorizonCheckpoint {
    return makeHorizonCheckpoint(this.grid, this.delta, this.lambda, this.theta, this.fingerprint);
  }

  restore(cp: HorizonCheckpoint): void {
    this.setWeights(thetaFromHorizonCheckpoint(cp, this.grid, this.delta));
    this.fitted = true;
    this.fingerprint = cp.fingerprint;
  }

  dispose(): Promise<void> {
    this.cache = null;
    return Promise.resolve();
  }
}

export function createHorizonNetwork(opts: HorizonNetworkOptions = {}): HorizonNetwork {
  return new HorizonNetwork(opts);
}
