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
import { ScaledModes, leastSquaresScale } from '../scaledKernel.ts';
import { choleskySolve, symmetrize } from '../../util/linalg.ts';
import { type FittedScale, marginalOverScale } from '../horizonScale.ts';

export interface HorizonNetworkOptions extends Partial<HorizonShape> {
  delta?: number;
  /** Smoothness weight λ (default HORIZON_LAMBDA). */
  lambda?: number;
  /**
   * Fit a free complex scale κ of χ too (χ_pred = κ·χ_network; scaledKernel.ts,
   * horizonScale.ts): for tables whose overall constant comes from a calibration
   * reference. κ = 1 + a + ib are the last two weights (no prior on them).
   */
  freeScale?: boolean;
}

/**
 * λ of the horizon network. Smaller than the disk's: the nodes span a shorter ρ
 * range, and at λ = 1 the prior biases r_h (up to 1.7σ) and f, g near a deformation
 * (up to 2.6% on [1.5 r_h, 3]) on noiseless data; at 0.1 the bias is ≤ 0.13σ and ≤ 0.6%,
 * and the Laplace evidence of the default-grid fits peaks near 0.1 (docs/model.md).
 */
export const HORIZON_LAMBDA = 0.1;

/**
 * Levenberg–Marquardt settings of horizon fits (overridden by `opts.lm`). A first
 * trust radius of 0.3: from the r_h scan a unit step in (ln r_h, α, β) is rejected
 * once or twice before the radius shrinks to this (10–13 passes on a deformed
 * black hole, now 7). ftol 10⁻⁵: the last passes lowered F ≈ 1200 by < 0.01,
 * which moves r_h by ~10⁻⁴ (0.01σ); the loss at the stop is the same to 0.01.
 */
export const HORIZON_LM = { radius0: 0.3, ftol: 1e-5 } as const;

export interface HorizonFitOptions {
  /**
   * Start: 'current' weights (warm start, default once fitted), 'scan' (α = β = 0 and
   * r_h from a coarse scan of the BTZ χ², default before the first fit), a checkpoint,
   * or θ (nw weights, or nt with a free scale). With a free scale and no κ given,
   * κ starts at its least-squares value for the start weights.
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
  /** With a free scale: κ with the 1σ of its real and imaginary parts (the metric's bands are marginal over κ). */
  scale?: FittedScale;
  elapsedMs: number;
}

/** r_h scanned (log-uniform) for the start, and the share of modes used for the scan. */
export const RH_SCAN = { min: 0.3, max: 6, points: 14, stride: 5 } as const;

/** The kernel a horizon fit runs on: the network's, or κ times it. */
export type HorizonFitKernel = HorizonKernel | ScaledModes<HorizonKernel>;

export class HorizonNetwork {
  readonly grid: HorizonGrid;
  readonly delta: number;
  readonly lambda: number;
  /** A complex scale κ = 1 + θ[nw] + iθ[nw + 1] is fitted too. */
  readonly freeScale: boolean;
  /** Fitted weights: nw, plus two with a free scale. */
  readonly nt: number;
  /** λLᵀL (full nw × nw). */
  readonly prior: Float64Array;
  /** The prior over all nt fitted weights (λLᵀL padded with zeros for κ). */
  readonly fitPrior: Float64Array;
  /** ln pdet(R) of the prior. */
  readonly logPdetPrior: number;
  private theta: Float64Array;
  private fitted = false;
  private fingerprint = '';
  private cache: { data: TrainingData; kernel: HorizonKernel; scaled: ScaledModes<HorizonKernel> | null } | null = null;

  constructor(opts: HorizonNetworkOptions = {}) {
    const shape: HorizonShape = { ...DEFAULT_HORIZON_SHAPE, ...Object.fromEntries(Object.entries(definedOnly(opts)).filter(([k]) => k in DEFAULT_HORIZON_SHAPE)) };
    this.delta = validateDelta(opts.delta ?? 1.5);
    this.lambda = opts.lambda ?? HORIZON_LAMBDA;
    this.freeScale = opts.freeScale ?? false;
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
    const nt = (this.nt = nw + (this.freeScale ? 2 : 0));
    this.fitPrior = new Float64Array(nt * nt);
    for (let i = 0; i < nw; i++) this.fitPrior.set(this.prior.subarray(i * nw, (i + 1) * nw), i * nt);
    this.theta = new Float64Array(nt);
    this.theta[this.grid.iq] = Math.log(1.5);
  }

  get shape(): HorizonShape {
    return this.grid.shape;
  }

  /** The fitted weights θ (nt: with a free scale the last two are κ − 1 = a + ib). */
  weights(): Float64Array {
    return this.theta.slice();
  }

  /** Sets θ: nt weights, or nw (κ then unchanged). */
  setWeights(theta: ArrayLike<number>): void {
    const nw = this.grid.nw;
    if (theta.length !== nw && theta.length !== this.nt) throw new HoloringError(ModelErrorCodes.SHAPE, `expected ${this.nt} weights, got ${theta.length}`, {});
    const t = this.theta.slice();
    t.set(Array.from(theta));
    this.theta = t;
  }

  /** The fitted scale κ (1 without a free scale). */
  get scale(): { re: number; im: number } {
    const nw = this.grid.nw;
    return this.freeScale ? { re: 1 + this.theta[nw], im: this.theta[nw + 1] } : { re: 1, im: 0 };
  }

  /**
   * Training data and kernels for a table (cached for the last table): `kernel` the
   * network's χ over its nw weights, `fitKernel` the one a fit runs on (κ·χ over nt
   * weights with a free scale, else `kernel`).
   */
  prepare(table: ResponseTable | readonly ResponsePoint[]): { data: TrainingData; kernel: HorizonKernel; fitKernel: HorizonFitKernel } {
    const data = prepareData(table, this.grid.nw, { nodes: this.grid.K, freeScale: this.freeScale });
    if (!this.cache || this.cache.data.fingerprint !== data.fingerprint) {
      const kernel = new HorizonKernel(this.grid, this.delta, data.modes);
      this.cache = { data, kernel, scaled: this.freeScale ? new ScaledModes(kernel) : null };
    }
    const { kernel, scaled } = this.cache;
    return { data, kernel, fitKernel: scaled ?? kernel };
  }

  /** χ_pred (re, im interleaved) at the current weights (κ·χ_network with a free scale). */
  predict(table: ResponseTable | readonly ResponsePoint[]): Float64Array {
    const { fitKernel } = this.prepare(table);
    return fitKernel.forward(this.theta, new Float64Array(2 * fitKernel.P));
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
    const nw = this.grid.nw;
    const t = new Float64Array(this.nt);
    if (mode === 'scan') t[this.grid.iq] = Math.log(rhGuess !== undefined && rhGuess > 0 ? rhGuess : this.scanHorizon(data));
    else if (typeof mode === 'object' && 'format' in mode) t.set(thetaFromHorizonCheckpoint(mode, this.grid, this.delta));
    else {
      const given = mode as ArrayLike<number>;
      if (given.length !== nw && given.length !== this.nt) throw new HoloringError(ModelErrorCodes.SHAPE, `init has ${given.length} weights, the horizon network has ${this.nt}`, {});
      t.set(Array.from(given));
      if (given.length === this.nt) return t;
    }
    if (this.freeScale) {
      // κ starts at its least-squares value for the start weights
      const { kernel } = this.prepare(data.points);
      const ls = leastSquaresScale(kernel.forward(t.subarray(0, nw), new Float64Array(2 * kernel.P)), data);
      const ok = Number.isFinite(ls.re) && Number.isFinite(ls.im);
      t[nw] = ok ? ls.re - 1 : 0;
      t[nw + 1] = ok ? ls.im : 0;
    }
    return t;
  }

  /**
   * Levenberg–Marquardt fit on this thread (exact Jacobian; with a free scale that of
   * κ·χ_network, horizonScale.ts); leaves the fitted weights in the network. With a
   * free scale the estimate is marginal over κ and carries `scale` = κ ± 1σ.
   * @throws RING_ERR_MODEL_DIVERGED when the loss is not finite.
   */
  fit(table: ResponseTable | readonly ResponsePoint[], opts: HorizonFitOptions = {}): HorizonFitResult {
    const t0 = performance.now();
    const { data, fitKernel } = this.prepare(table);
    const nw = this.grid.nw, nt = this.nt;
    const chi = new Float64Array(2 * fitKernel.P);
    const theta0 = this.initialTheta(opts.init, data, opts.rhGuess);
    const res = levenbergMarquardt(
      { n: nt, prior: this.fitPrior, normal: (theta, A, b) => fitKernel.normal(theta, data.chi, data.invSigma, chi, A, b, data.steps) },
      theta0,
      { ...HORIZON_LM, ...opts.lm, onIteration: opts.onIteration },
    );
    if (!Number.isFinite(res.loss)) throw new HoloringError(ModelErrorCodes.DIVERGED, 'the horizon fit produced a non-finite loss', {});
    this.theta = res.theta;
    this.fitted = true;
    this.fingerprint = data.fingerprint;
    // with κ free: the metric's posterior marginal over κ (Schur complement), κ's own from the full one
    const marginal = this.freeScale ? marginalOverScale(res.A, this.fitPrior, nw) : null;
    const est = buildHorizonEstimate(this.grid, res.theta.subarray(0, nw), marginal?.Aeff ?? res.A, this.prior, {
      chi2: res.chi2, loss: res.loss, iterations: res.iterations, evaluations: res.evaluations, converged: res.converged,
      // κ's two weights have no prior: each takes one degree of freedom
      residuals: 2 * data.modes.length - (nt - nw), omegaMax: data.omegaMax,
    });
    // κ's flat prior is the same for every fit compared by the evidence (clamp.ts) and drops out
    const log_evidence = laplaceLogEvidence(res.loss, res.A, this.fitPrior, nt, this.logPdetPrior);
    const sc = marginal?.scaleCov;
    const scale = sc ? { scale: { ...this.scale, re_err: Math.sqrt(Math.max(0, sc[0])), im_err: Math.sqrt(Math.max(0, sc[3])) } } : {};
    return { ...est, delta: this.delta, layers: this.grid.N, nodes: this.grid.K, fingerprint: data.fingerprint, noiseless: data.noiseless, log_evidence, ...scale, elapsedMs: performance.now() - t0 };
  }

  /**
   * The Laplace log evidence a fit from `init` would reach, predicted from one pass
   * there: the Gauss–Newton model F(θ + p) ≈ F + 2gᵀp + pᵀHp (g = Jᵀr + Rθ,
   * H = JᵀJ + R) has its minimum F* = F − gᵀH⁻¹g, and ln Z ≈ −½F* − ½ ln det H +
   * ½ ln pdet R. Close to the fitted value when the start is near the optimum
   * (a warm start at a neighbouring clamp: within 0.3 on the default targets);
   * `decrease` = F − F* says how far the model is trusted. NaN when H is not
   * positive definite. Leaves the weights untouched.
   */
  predictLogEvidence(table: ResponseTable | readonly ResponsePoint[], init: HorizonFitOptions['init']): { logEvidence: number; decrease: number } {
    const { data, fitKernel } = this.prepare(table);
    const n = this.nt, R = this.fitPrior;
    const theta = this.initialTheta(init, data);
    const A = new Float64Array(n * n), b = new Float64Array(n);
    const chi2 = fitKernel.normal(theta, data.chi, data.invSigma, new Float64Array(2 * fitKernel.P), A, b, data.steps);
    symmetrize(A, n);
    const g = new Float64Array(n), H = new Float64Array(n * n);
    let prior = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += R[i * n + j] * theta[j];
      g[i] = b[i] + s;
      prior += s * theta[i];
    }
    for (let i = 0; i < n * n; i++) H[i] = A[i] + R[i];
    const x = choleskySolve(H, g, n);
    if (!x || !Number.isFinite(chi2)) return { logEvidence: NaN, decrease: NaN };
    let decrease = 0;
    for (let i = 0; i < n; i++) decrease += g[i] * x[i];
    return { logEvidence: laplaceLogEvidence(chi2 + prior - decrease, A, R, n, this.logPdetPrior), decrease };
  }

  checkpoint(): HorizonCheckpoint {
    return makeHorizonCheckpoint(this.grid, this.delta, this.lambda, this.theta.subarray(0, this.grid.nw), this.fingerprint);
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
