/**
 * The metric network as a TensorFlow.js model: its weights (α at nodes 0..K−2,
 * β at nodes 1..K−2) are tf variables, and its forward pass is one fused custom
 * op (`tf.customGrad`) around the Float64 kernel, whose gradient is the kernel's
 * adjoint vector–Jacobian product. tf handles the variables, Adam and
 * serialisation; Levenberg–Marquardt uses the kernel's exact normal equations.
 *
 * tfjs stores float32 only: the network keeps a Float64 master copy of θ that the
 * Levenberg–Marquardt fit reads and writes, and mirrors it into the variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { HoloringError, assertFinite } from '../errors.ts';
import { validateDelta } from '../physics/params.ts';
import { DELTA_START, type DeltaProfile, deltaInterval, profileDelta, refuseNearInteger, validateDeltaStart } from './deltaFree.ts';
import { type AdamOptions, type AdamTrainer, createAdamTrainer } from './adam.ts';
import { type Checkpoint, makeCheckpoint, thetaFromCheckpoint } from './checkpoint.ts';
import { ModelErrorCodes, type TrainingData, prepareData } from './data.ts';
import { buildEstimate, type MetricEstimate } from './estimate.ts';
import { DEFAULT_LAMBDA, DEFAULT_SHAPE, NetworkGrid, type NetworkShape, defaultLambda } from './grid.ts';
import { type FitQuality, assessFit } from './quality.ts';
import { FusedKernel } from './kernel.ts';
import { ScaledKernel } from './scaledKernel.ts';
import { type LmIteration, type LmOptions, type LsqProblem, levenbergMarquardt } from './lm.ts';
import { type ParallelKernel, createParallelKernel } from './parallel.ts';
import { definedOnly } from '../util/options.ts';

export interface MetricNetworkOptions extends Partial<NetworkShape> {
  /**
   * Conformal dimension Δ (default 1.5), or 'auto': Δ is one more weight, fitted
   * jointly with the metric (physics.md §10) within the integer interval of `deltaStart`.
   */
  delta?: number | 'auto';
  /**
   * With delta 'auto': the starting Δ of a fit from pure AdS, whose integer interval
   * is searched, or 'scan' (default): a coarse profile over every interval of
   * DELTA_SCAN_INTERVALS picks the start (deltaFree.ts).
   */
  deltaStart?: number | 'scan';
  /**
   * Fit a free complex scale κ of χ too (the last two weights, κ = 1 + a + ib): for
   * tables whose overall scale is not known (scaledKernel.ts). One thread only.
   */
  freeScale?: boolean;
  /** Smoothness weight λ (default: defaultLambda(Δ), 1 below Δ = 2 and 0.3 above; physics.md §8). */
  lambda?: number;
}

export const MIN_LAYERS = 200;
export { DEFAULT_LAMBDA };

export interface FitOptions {
  /** Start: 'current' weights (warm start, default), 'ads' (α = β = 0), a checkpoint, or θ. */
  init?: 'current' | 'ads' | Checkpoint | ArrayLike<number>;
  onIteration?: (info: LmIteration) => void;
  lm?: Omit<LmOptions, 'onIteration'>;
}

export interface FitResult extends MetricEstimate, FitQuality {
  /** Δ used (given) or estimated ('auto'). */
  delta: number;
  /** 1σ of the estimated Δ (posterior, marginal over the metric); 0 when Δ was given. */
  delta_err: number;
  /** Δ was estimated from the data. */
  delta_auto: boolean;
  /** With a free Δ fitted from pure AdS: the coarse profile over Δ that chose the start. */
  delta_profile?: DeltaProfile;
  /** With a free scale: κ with the 1σ of its real and imaginary parts. */
  scale?: { re: number; im: number; re_err: number; im_err: number };
  layers: number;
  nodes: number;
  fingerprint: string;
  noiseless: boolean;
  elapsedMs: number;
}

export class MetricNetwork {
  readonly grid: NetworkGrid;
  /** Δ: the given one, or with a free Δ the current estimate (the start before the first fit). */
  delta: number;
  /** Δ is a weight (θ[nw]) fitted with the metric. */
  readonly freeDelta: boolean;
  /** A complex scale κ = 1 + θ[nt−2] + iθ[nt−1] is fitted too. */
  readonly freeScale: boolean;
  /** Number of fitted parameters: nw, plus one with a free Δ. */
  readonly nt: number;
  /** With a free Δ: the Δ a fit from pure AdS starts at (before its profile moves it). */
  readonly deltaStart: number;
  /** With a free Δ: the profile of a fit from pure AdS scans every interval of DELTA_SCAN_INTERVALS. */
  readonly deltaScan: boolean;
  /** λ: the given one, or defaultLambda of Δ (with a free Δ, of the interval the latest fit started in). */
  lambda: number;
  /** λ was not given: it follows Δ (defaultLambda). */
  private readonly lambdaAuto: boolean;
  /** tf variables: α at nodes 0..K−2 and β at nodes 1..K−2 (float32 mirrors of θ). */
  readonly alphaVar: tf.Variable;
  readonly betaVar: tf.Variable;
  /** λLᵀL (full nt × nt; no prior on Δ) and √λ L (over the nw metric weights). */
  prior!: Float64Array;
  priorRoot!: Float64Array;
  private theta: Float64Array;
  private fingerprint = '';
  private cache: { data: TrainingData; kernel: FusedKernel } | null = null;
  private scaled: { fingerprint: string; kernel: ScaledKernel } | null = null;
  private parallel: ParallelKernel | null = null;
  private parallelData = '';

  constructor(opts: MetricNetworkOptions = {}) {
    const shape: NetworkShape = { ...DEFAULT_SHAPE, ...Object.fromEntries(Object.entries(definedOnly(opts)).filter(([k]) => k in DEFAULT_SHAPE)) };
    this.freeDelta = opts.delta === 'auto';
    this.freeScale = opts.freeScale ?? false;
    this.deltaScan = opts.delta === 'auto' && (opts.deltaStart ?? 'scan') === 'scan';
    const start = opts.deltaStart === undefined || opts.deltaStart === 'scan' ? DELTA_START : validateDeltaStart(opts.deltaStart);
    this.delta = this.deltaStart = validateDelta(opts.delta === 'auto' ? start : (opts.delta ?? 1.5));
    this.lambdaAuto = opts.lambda === undefined;
    this.lambda = opts.lambda ?? defaultLambda(this.delta);
    assertFinite('network option', shape.layers, shape.nodes, shape.r0, shape.rMax, shape.rC, this.lambda);
    const refuse = (why: string): never => {
      throw new HoloringError(ModelErrorCodes.SHAPE, why, { ...shape });
    };
    if (!Number.isInteger(shape.layers) || shape.layers < MIN_LAYERS) refuse(`layers must be an integer ≥ ${MIN_LAYERS} (got ${shape.layers}): fewer RK4 layers make the network's own error rival the noise`);
    if (!Number.isInteger(shape.nodes) || shape.nodes < 4 || shape.nodes > 256) refuse(`nodes must be an integer in 4..256 (got ${shape.nodes})`);
    if (!(shape.r0 > 0 && shape.r0 < 0.1)) refuse(`r0 must be in (0, 0.1) (got ${shape.r0})`);
    if (!(shape.rC > 0.5 && shape.rMax > shape.rC && shape.rMax <= 50)) refuse(`need 0.5 < rC < rMax ≤ 50 (got rC = ${shape.rC}, rMax = ${shape.rMax})`);
    if (!(this.lambda >= 0)) refuse(`lambda must be ≥ 0 (got ${this.lambda})`);
    this.grid = new NetworkGrid(shape);
    const nw = this.grid.nw, K = this.grid.K;
    this.nt = nw + (this.freeDelta ? 1 : 0) + (this.freeScale ? 2 : 0);
    this.setLambda(this.lambda);
    this.theta = new Float64Array(this.nt);
    if (this.freeDelta) this.theta[nw] = this.delta;
    this.alphaVar = tf.variable(tf.zeros([K - 1]), true, undefined, 'float32');
    this.betaVar = tf.variable(tf.zeros([K - 2]), true, undefined, 'float32');
  }

  /** Sets λ and the prior λLᵀL (nt × nt, no prior on Δ or κ) with √λ L. */
  private setLambda(lambda: number): void {
    const nw = this.grid.nw, nt = this.nt;
    const L = this.grid.smoothness();
    const rows = L.length / nw;
    this.lambda = lambda;
    this.priorRoot = L.map((v) => v * Math.sqrt(lambda));
    this.prior = new Float64Array(nt * nt);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < nw; i++) {
        const li = this.priorRoot[r * nw + i];
        if (li === 0) continue;
        for (let j = 0; j < nw; j++) this.prior[i * nt + j] += li * this.priorRoot[r * nw + j];
      }
    }
  }

  get shape(): NetworkShape {
    return this.grid.shape;
  }

  /** Current weights θ (Float64 copy; with a free Δ its last entry is Δ). */
  weights(): Float64Array {
    return this.theta.slice();
  }

  /**
   * Sets θ and mirrors the metric weights into the tf variables. With a free Δ, θ
   * may have nt entries (the last is Δ) or nw (Δ unchanged).
   */
  setWeights(theta: ArrayLike<number>): void {
    const nw = this.grid.nw, K = this.grid.K;
    if (theta.length !== nw && theta.length !== this.nt) throw new HoloringError(ModelErrorCodes.SHAPE, `expected ${this.nt} weights, got ${theta.length}`, {});
    const t = theta.length === this.nt ? Float64Array.from(theta) : this.theta.slice();
    t.set(Array.from(theta).slice(0, nw));
    if (this.freeDelta) this.delta = t[nw];
    this.theta = t;
    tf.tidy(() => {
      this.alphaVar.assign(tf.tensor1d(Float32Array.from(this.theta.subarray(0, K - 1))));
      this.betaVar.assign(tf.tensor1d(Float32Array.from(this.theta.subarray(K - 1, nw))));
    });
  }

  /** Reads θ back from the tf variables (after tf-side training such as Adam). */
  pullWeightsFromVariables(): void {
    const a = this.alphaVar.dataSync(), b = this.betaVar.dataSync();
    const t = this.theta.slice();
    t.set(a, 0);
    t.set(b, a.length);
    this.theta = t;
  }

  /** Training data and kernel for a table (cached for the last table). */
  prepare(table: ResponseTable | readonly ResponsePoint[]): { data: TrainingData; kernel: FusedKernel } {
    const data = prepareData(table, this.grid.nw, { layers: this.grid.N, nodes: this.grid.K, freeScale: this.freeScale });
    if (this.cache && this.cache.data.fingerprint === data.fingerprint) return this.cache;
    this.cache = { data, kernel: new FusedKernel(this.grid, this.delta, data.modes, { freeDelta: this.freeDelta }) };
    return this.cache;
  }

  /** The kernel with a free scale for the prepared table (cached for the last table). */
  private scaledKernel(data: TrainingData): ScaledKernel {
    if (this.scaled?.fingerprint !== data.fingerprint) {
      this.scaled = { fingerprint: data.fingerprint, kernel: new ScaledKernel(this.grid, this.delta, data.modes, { freeDelta: this.freeDelta }) };
    }
    return this.scaled.kernel;
  }

  /**
   * The network's forward pass as a tf op: (α, β) → χ_pred of shape [P, 2], fused,
   * with the exact adjoint gradient.
   */
  chiOp(kernel: FusedKernel): (alpha: tf.Tensor, beta: tf.Tensor) => tf.Tensor {
    const nw = this.grid.nw, K = this.grid.K, P = kernel.P;
    const chi = new Float64Array(2 * P);
    const grad = new Float64Array(kernel.nt);
    const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [alpha, beta] = inputs as [tf.Tensor, tf.Tensor];
      // the tf path trains the metric at the current Δ (a free Δ is held fixed here)
      const theta = new Float64Array(kernel.nt);
      theta.set(alpha.dataSync(), 0);
      theta.set(beta.dataSync(), K - 1);
      if (kernel.freeDelta) theta[nw] = this.delta;
      kernel.forward(theta, chi);
      const value = tf.tensor2d(Float32Array.from(chi), [P, 2]);
      const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
        kernel.vjp(theta, dy.dataSync(), chi, grad);
        return [tf.tensor1d(Float32Array.from(grad.subarray(0, K - 1))), tf.tensor1d(Float32Array.from(grad.subarray(K - 1)))];
      };
      return { value, gradFunc };
    });
    return (alpha, beta) => op(alpha, beta);
  }

  /** χ_pred (re, im interleaved) at the current weights. */
  predict(table: ResponseTable | readonly ResponsePoint[]): Float64Array {
    const kernel = this.predictionKernel(table);
    return kernel.forward(this.theta, new Float64Array(2 * kernel.P));
  }

  /** The kernel of χ_pred for a table: with a free scale, κ times the network's χ. */
  private predictionKernel(table: ResponseTable | readonly ResponsePoint[]): FusedKernel | ScaledKernel {
    const { data, kernel } = this.prepare(table);
    return this.freeScale ? this.scaledKernel(data) : kernel;
  }

  /**
   * Resolves an init option to θ (nt entries). With a free Δ the start Δ is the
   * current one for 'current', the network's start Δ for 'ads', and the checkpoint's Δ
   * for a checkpoint; a θ of nw entries keeps the current Δ.
   */
  initialTheta(init: FitOptions['init']): Float64Array {
    const nw = this.grid.nw, nt = this.nt;
    if (init === undefined || init === 'current') return this.theta.slice();
    const t = new Float64Array(nt);
    if (this.freeDelta) t[nw] = this.delta;
    if (init === 'ads') {
      if (this.freeDelta) t[nw] = this.deltaStart;
      return t;
    }
    if (typeof init === 'object' && 'format' in init) {
      t.set(thetaFromCheckpoint(init, this.grid, this.freeDelta ? init.delta : this.delta));
      if (this.freeDelta) t[nw] = validateDelta(init.delta);
      return t;
    }
    const given = Array.from(init as ArrayLike<number>);
    if (given.length !== nw && given.length !== nt) throw new HoloringError(ModelErrorCodes.SHAPE, `init has ${given.length} weights, the network has ${nt}`, {});
    t.set(given);
    return t;
  }

  /** Levenberg–Marquardt fit to a table on this thread; leaves the fitted weights in the network. */
  fit(table: ResponseTable | readonly ResponsePoint[], opts: FitOptions = {}): FitResult {
    const t0 = performance.now();
    const { data } = this.prepare(table);
    const kernel = this.freeScale ? this.scaledKernel(data) : this.prepare(table).kernel;
    const chi = new Float64Array(2 * kernel.P);
    return this.runFit(data, (theta, A, b) => kernel.normal(theta, data.chi, data.invSigma, chi, A, b, data.steps), opts, t0);
  }

  /**
   * The same fit with the modes split over `threads` threads (worker threads kept
   * for later fits until dispose()); threads ≤ 1 is the one-thread fit. The result
   * equals the one-thread fit up to summation order (~1e-13), and is deterministic.
   */
  async fitParallel(table: ResponseTable | readonly ResponsePoint[], opts: FitOptions & { threads: number }): Promise<FitResult> {
    if (opts.threads <= 1 || this.freeScale) return this.fit(table, opts);
    const t0 = performance.now();
    const { data } = this.prepare(table);
    // rows with an error common to their ω (a live table's sigma_step) are fitted on one thread
    if (data.steps) return this.fit(table, opts);
    if (!this.parallel || this.parallel.threads !== opts.threads) {
      await this.parallel?.close();
      this.parallel = null;
      this.parallel = await createParallelKernel(this.grid, this.delta, opts.threads, { freeDelta: this.freeDelta });
      this.parallelData = '';
    }
    if (this.parallelData !== data.fingerprint) {
      await this.parallel.load(data);
      this.parallelData = data.fingerprint;
    }
    const par = this.parallel;
    return this.runFit(data, (theta, A, b) => par.normal(theta, A, b), opts, t0);
  }

  private runFit(data: TrainingData, normal: LsqProblem['normal'], opts: FitOptions, t0: number): FitResult {
    const nw = this.grid.nw, nt = this.nt;
    const theta0 = this.initialTheta(opts.init);
    let guarded = normal;
    let profile: DeltaProfile | undefined;
    if (this.freeDelta && opts.init === 'ads') {
      profile = profileDelta(this.grid, data, this.deltaScan ? 'scan' : theta0[nw], this.freeScale);
      theta0[nw] = profile.delta;
      if (this.freeScale) {
        theta0[nt - 2] = profile.scale.re - 1;
        theta0[nt - 1] = profile.scale.im;
      }
    }
    // λ follows the interval Δ starts in (the fit stays there)
    if (this.freeDelta && this.lambdaAuto && defaultLambda(theta0[nw]) !== this.lambda) this.setLambda(defaultLambda(theta0[nw]));
    if (this.freeDelta) {
      // trial steps stay inside the integer interval of the start (a step outside is rejected)
      const [lo, hi] = deltaInterval(theta0[nw]);
      guarded = (theta, A, b) => (theta[nw] > lo && theta[nw] < hi ? normal(theta, A, b) : Infinity);
    }
    const res = levenbergMarquardt({ n: nt, prior: this.prior, normal: guarded }, theta0, { ...opts.lm, onIteration: opts.onIteration });
    if (!Number.isFinite(res.loss)) throw new HoloringError(ModelErrorCodes.DIVERGED, 'the fit produced a non-finite loss', {});
    const est = buildEstimate(this.grid, res.theta, res.A, this.prior, {
      chi2: res.chi2, loss: res.loss, iterations: res.iterations, evaluations: res.evaluations, converged: res.converged,
      residuals: 2 * data.modes.length, omegaMax: data.omegaMax,
    });
    if (this.freeDelta) refuseNearInteger(res.theta[nw], est.paramErr[nw]);
    this.setWeights(res.theta);
    this.fingerprint = data.fingerprint;
    const { paramErr, ...metric } = est;
    const chiPred = this.predictionKernel(data.points).forward(res.theta, new Float64Array(2 * data.modes.length));
    return {
      ...metric,
      ...assessFit({ ...metric, noiseless: data.noiseless }, data.points, chiPred, data.invSigma, data.lines),
      delta: this.delta,
      delta_err: this.freeDelta ? paramErr[nw] : 0,
      delta_auto: this.freeDelta,
      ...(profile ? { delta_profile: profile } : {}),
      ...(this.freeScale ? { scale: { re: 1 + res.theta[nt - 2], im: res.theta[nt - 1], re_err: paramErr[nt - 2], im_err: paramErr[nt - 1] } } : {}),
      layers: this.grid.N,
      nodes: this.grid.K,
      fingerprint: data.fingerprint,
      noiseless: data.noiseless,
      elapsedMs: performance.now() - t0,
    };
  }

  /** Adam (optional optimizer) on this network's tf variables for a table. */
  adamTrainer(table: ResponseTable | readonly ResponsePoint[], opts: AdamOptions = {}): AdamTrainer {
    return createAdamTrainer(this, table, opts);
  }

  /** Checkpoint of the current weights. */
  checkpoint(): Checkpoint {
    const { alpha, beta } = this.grid.nodeValues(this.theta);
    return makeCheckpoint(this.grid.shape, this.delta, this.lambda, alpha, beta, this.fingerprint);
  }

  /** Loads weights from a checkpoint (resampled if K differs). */
  restore(cp: Checkpoint): void {
    this.setWeights(thetaFromCheckpoint(cp, this.grid, this.delta));
    this.fingerprint = cp.fingerprint;
  }

  /** Releases the tf variables and stops worker threads (await it when fitParallel was used). */
  dispose(): Promise<void> {
    this.alphaVar.dispose();
    this.betaVar.dispose();
    this.cache = null;
    const par = this.parallel;
    this.parallel = null;
    return par ? par.close() : Promise.resolve();
  }
}

export function createMetricNetwork(opts: MetricNetworkOptions = {}): MetricNetwork {
  return new MetricNetwork(opts);
}
