/**
 * Training data for the metric network: a response table checked against the
 * model (enough points for the weights, enough distinct |k| to separate f from
 * g), with the per-point weights 1/σ (noiseless tables get a relative σ floor).
 */
import { createHash } from 'node:crypto';
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { HoloringError } from '../errors.ts';
import type { KernelMode } from './kernel.ts';
import { checkSigmaPrecision } from './quality.ts';

export const ModelErrorCodes = {
  TOO_FEW_POINTS: 'RING_ERR_MODEL_TOO_FEW_POINTS',
  K_RANGE: 'RING_ERR_MODEL_K_RANGE',
  OMEGA_ZERO: 'RING_ERR_MODEL_OMEGA_ZERO',
  SHAPE: 'RING_ERR_MODEL_SHAPE',
  CHECKPOINT: 'RING_ERR_MODEL_CHECKPOINT',
  DIVERGED: 'RING_ERR_MODEL_DIVERGED',
  /** `--geometry auto`: both the disk and the horizon fit failed (geometry.ts). */
  NO_GEOMETRY: 'RING_ERR_MODEL_NO_GEOMETRY',
} as const;

/**
 * Relative σ floor used for noiseless tables (every σ = 0): σ = ε|χ|/√2 per
 * component with ε = 1e-3, i.e. the table is weighted as if it had 0.1% noise.
 * This keeps the smoothness prior (λ = 1) negligible against exact data while
 * keeping χ² and the error bands finite; both are then nominal.
 */
export const NOISELESS_RELATIVE_SIGMA = 1e-3;

export interface TrainingData {
  points: readonly ResponsePoint[];
  modes: KernelMode[];
  /** χ_data (re, im interleaved). */
  chi: Float64Array;
  /** 1/σ per point (same for re and im). */
  invSigma: Float64Array;
  noiseless: boolean;
  /** Largest |Ω| of the table (sets the radial resolution). */
  omegaMax: number;
  /** sha256 of the table's numbers (hex, 16 chars). */
  fingerprint: string;
  /** Line of each point in its file, when known. */
  lines?: readonly number[];
  /** The rows' correlation within their ω (ResponsePoint.sigmaStep), when every row has one: see stepTerm. */
  steps?: StepTerm;
}

/**
 * The error common to the rows of one ω (ResponsePoint.sigmaStep = u_p) as a
 * correlated term of χ²: within a block B (the rows of one ω) the covariance of
 * each real component is D + uuᵀ, D_p = σ_p² − u_p² (σ_p² without the common part
 * when κ is free), so by Sherman–Morrison
 *   χ² = Σ_p |r_p|²/D_p − Σ_B Σ_{re,im} (Σ_{p∈B} ũ_p r̃_p)² / (1 + Σ_{p∈B} ũ_p²),
 * r̃_p = r_p/√D_p, ũ_p = u_p/√D_p — the same as a nuisance offset η_B·u_p per
 * block with a unit normal prior, profiled out. D_p is kept ≥ 1e-3·σ_p².
 */
export interface StepTerm {
  /** Point indices of each ω's rows. */
  blocks: Int32Array[];
  /** The block (index into `blocks`) of each point. */
  blockOf: Int32Array;
  /** 1/√D_p per point. */
  invSigmaRest: Float64Array;
  /** ũ_p = u_p/√D_p per point. */
  load: Float64Array;
}

/** Smallest share of a row's variance left to it alone when its step share is taken out. */
export const STEP_REST_FLOOR = 1e-3;

/** The step term of rows with sigmaStep (undefined when a row has none); `freeScale` as in prepareData. */
export function stepTerm(points: readonly ResponsePoint[], freeScale = false): StepTerm | undefined {
  if (points.length === 0 || points.some((p) => p.sigmaStep === undefined || !(p.sigma > 0))) return undefined;
  const byOmega = new Map<string, number[]>();
  points.forEach((p, i) => {
    const key = `${p.omega}|${p.gamma}`;
    const list = byOmega.get(key);
    if (list) list.push(i);
    else byOmega.set(key, [i]);
  });
  const invSigmaRest = new Float64Array(points.length);
  const load = new Float64Array(points.length);
  points.forEach((p, i) => {
    const own2 = p.sigma * p.sigma - (freeScale ? (p.sigmaCommon ?? 0) ** 2 : 0);
    const total = own2 > 0 ? own2 : p.sigma * p.sigma;
    const u = p.sigmaStep!;
    const rest = Math.max(total - u * u, STEP_REST_FLOOR * total);
    invSigmaRest[i] = 1 / Math.sqrt(rest);
    load[i] = u * invSigmaRest[i];
  });
  const blocks = [...byOmega.values()].map((l) => Int32Array.from(l));
  const blockOf = new Int32Array(points.length);
  blocks.forEach((rows, b) => rows.forEach((p) => (blockOf[p] = b)));
  return { blocks, blockOf, invSigmaRest, load };
}

/**
 * Residuals (prediction − data, re and im interleaved per point) whitened: per
 * real component independent with unit variance, so Σ w² = correlatedChi2. With a
 * step term each ω's block is W = (I − β ũũᵀ)·diag(1/√D), β = (1 − 1/√(1 + |ũ|²))/|ũ|²
 * (WᵀW = (D + uuᵀ)⁻¹); without, r_p·invSigma_p. For residual maps and fit checks.
 */
export function whitenedResiduals(data: Pick<TrainingData, 'chi' | 'invSigma' | 'steps'>, chiPred: ArrayLike<number>): Float64Array {
  const { chi, steps } = data;
  const out = new Float64Array(chi.length);
  for (let i = 0; i < chi.length; i++) out[i] = chiPred[i] - chi[i];
  if (!steps) {
    for (let i = 0; i < chi.length; i++) out[i] *= data.invSigma[i >> 1];
    return out;
  }
  for (const block of steps.blocks) {
    let uu = 0, ur = 0, ui = 0;
    for (const p of block) {
      const w = steps.invSigmaRest[p], u = steps.load[p];
      out[2 * p] *= w;
      out[2 * p + 1] *= w;
      uu += u * u;
      ur += u * out[2 * p];
      ui += u * out[2 * p + 1];
    }
    const beta = uu > 0 ? (1 - 1 / Math.sqrt(1 + uu)) / uu : 0;
    for (const p of block) {
      out[2 * p] -= beta * steps.load[p] * ur;
      out[2 * p + 1] -= beta * steps.load[p] * ui;
    }
  }
  return out;
}

/**
 * χ² of predictions (re, im interleaved, in the order of the points) against the
 * data with the rows' correlation within their ω (StepTerm); without a step term
 * the diagonal χ² Σ |r_p|²·invSigma_p².
 */
export function correlatedChi2(data: Pick<TrainingData, 'chi' | 'invSigma' | 'steps'>, chiPred: ArrayLike<number>): number {
  const { chi, steps } = data;
  let chi2 = 0;
  if (!steps) {
    for (let p = 0; p < data.invSigma.length; p++) chi2 += ((chiPred[2 * p] - chi[2 * p]) ** 2 + (chiPred[2 * p + 1] - chi[2 * p + 1]) ** 2) * data.invSigma[p] ** 2;
    return chi2;
  }
  for (const block of steps.blocks) {
    let uu = 0, ur = 0, ui = 0;
    for (const p of block) {
      const w = steps.invSigmaRest[p], u = steps.load[p];
      const rr = (chiPred[2 * p] - chi[2 * p]) * w, ri = (chiPred[2 * p + 1] - chi[2 * p + 1]) * w;
      chi2 += rr * rr + ri * ri;
      uu += u * u;
      ur += u * rr;
      ui += u * ri;
    }
    chi2 -= (ur * ur + ui * ui) / (1 + uu);
  }
  return chi2;
}

export function fingerprintPoints(points: readonly ResponsePoint[]): string {
  const h = createHash('sha256');
  const buf = new Float64Array(6);
  for (const p of points) {
    buf.set([p.omega, p.gamma, p.k, p.chiRe, p.chiIm, p.sigma]);
    h.update(new Uint8Array(buf.buffer));
    // the common part of σ, where a row has one (tables without it keep their fingerprint)
    if (p.sigmaCommon !== undefined) h.update(new Uint8Array(Float64Array.of(p.sigmaCommon).buffer));
    if (p.sigmaStep !== undefined) h.update(new Uint8Array(Float64Array.of(p.sigmaStep).buffer));
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * Checks the table against a network with nw weights (and, given its layers,
 * refuses σ below the network's precision: quality.ts) and builds the training arrays.
 * With `freeScale` (the fit has a free complex scale κ) a row is weighed by
 * 1/√(σ² − σ_common²): the common part of its σ (ResponsePoint.sigmaCommon) is κ's.
 */
export function prepareData(table: ResponseTable | readonly ResponsePoint[], nw: number, opts: { layers?: number; nodes?: number; freeScale?: boolean } = {}): TrainingData {
  const points = Array.isArray(table) ? (table as readonly ResponsePoint[]) : (table as ResponseTable).points;
  const lines = Array.isArray(table) ? undefined : (table as ResponseTable).lines;
  if (opts.layers !== undefined) checkSigmaPrecision(points, opts.layers, lines);
  const P = points.length;
  if (P < nw) {
    // nw = 2K + c for the network's K nodes per function (disk: 2K − 3, horizon: 2K + 1)
    const K = opts.nodes, most = K === undefined ? undefined : Math.floor((P - (nw - 2 * K)) / 2);
    const fewer = most === undefined ? 'fewer --nodes' : most >= 4 ? `--nodes ${most} or fewer (the network has ${K} per function)` : 'a table of more rows: even 4 nodes are too many';
    throw new HoloringError(
      ModelErrorCodes.TOO_FEW_POINTS,
      `response table has ${P} point(s) but the network has ${nw} weights, and a fit needs at least one point (one complex χ) per weight: use ${fewer}, or add ω or k`,
      { points: P, weights: nw, ...(most === undefined ? {} : { nodes: K, maxNodes: most }) },
    );
  }
  const ks = new Set(points.map((p) => Math.abs(p.k)));
  if (ks.size < 2 || Math.max(...ks) < 1) {
    throw new HoloringError(
      ModelErrorCodes.K_RANGE,
      `response table has only |k| ∈ {${[...ks].join(', ')}}: at least two distinct |k| (including one ≥ 1; |k| ≤ 2 recommended) are needed to separate f from g`,
      { k: [...ks] },
    );
  }
  const noiseless = points.every((p) => p.sigma === 0);
  const chi = new Float64Array(2 * P);
  const invSigma = new Float64Array(P);
  const modes: KernelMode[] = [];
  let omegaMax = 0;
  points.forEach((p, i) => {
    if (p.omega === 0 && p.gamma === 0) {
      throw new HoloringError(ModelErrorCodes.OMEGA_ZERO, `row ${i + 1}: Ω = ω + iγ = 0 is a static limit the network does not model`, { row: i + 1 });
    }
    chi[2 * i] = p.chiRe;
    chi[2 * i + 1] = p.chiIm;
    modes.push({ omegaRe: p.omega, omegaIm: p.gamma, k: p.k });
    omegaMax = Math.max(omegaMax, Math.hypot(p.omega, p.gamma));
  });
  if (noiseless) {
    const mags = points.map((p) => Math.hypot(p.chiRe, p.chiIm)).sort((a, b) => a - b);
    const floor = 1e-3 * mags[mags.length >> 1] + 1e-300;
    points.forEach((p, i) => {
      invSigma[i] = Math.SQRT2 / (NOISELESS_RELATIVE_SIGMA * Math.max(Math.hypot(p.chiRe, p.chiIm), floor));
    });
  } else {
    points.forEach((p, i) => {
      const own2 = p.sigma * p.sigma - (opts.freeScale ? (p.sigmaCommon ?? 0) ** 2 : 0);
      invSigma[i] = 1 / Math.sqrt(own2 > 0 ? own2 : p.sigma * p.sigma);
    });
  }
  const steps = noiseless ? undefined : stepTerm(points, opts.freeScale);
  return { points, modes, chi, invSigma, noiseless, omegaMax, fingerprint: fingerprintPoints(points), ...(lines ? { lines } : {}), ...(steps ? { steps } : {}) };
}
