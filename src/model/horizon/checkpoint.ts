/**
 * Checkpoints of the horizon network: the weights (α, β at the nodes, their slopes
 * at the horizon, r_h) with Δ, the shape, λ and the data fingerprint. The output of
 * `holoring reconstruct --geometry horizon` is a superset of it and can be passed
 * back as `--init`; weights saved with another K or r_c/r_h are resampled.
 */
import { HoloringError } from '../../errors.ts';
import { CODE_VERSION, type Checkpoint, parseCheckpoint } from '../checkpoint.ts';
import { ModelErrorCodes } from '../data.ts';
import { HorizonGrid } from './grid.ts';

export const HORIZON_CHECKPOINT_FORMAT = 'holoring-horizon-network';
export const HORIZON_CHECKPOINT_VERSION = 1;

export interface HorizonCheckpoint {
  format: typeof HORIZON_CHECKPOINT_FORMAT;
  formatVersion: number;
  codeVersion: string;
  geometry: 'horizon';
  delta: number;
  layers: number;
  nodes: number;
  xi0: number;
  rMaxRatio: number;
  rCRatio: number;
  lambda: number;
  fingerprint: string;
  /** α and β at the K nodes (α_{K−1} = β_{K−1} = 0). */
  alpha: number[];
  beta: number[];
  /** dα/dr and dβ/dr at the horizon. */
  alpha_slope: number;
  beta_slope: number;
  rh: number;
}

export function makeHorizonCheckpoint(grid: HorizonGrid, delta: number, lambda: number, theta: Float64Array, fingerprint: string): HorizonCheckpoint {
  const K = grid.K, rh = Math.exp(theta[grid.iq]);
  const toR = 1 / (2 * grid.H * rh);
  return {
    format: HORIZON_CHECKPOINT_FORMAT,
    formatVersion: HORIZON_CHECKPOINT_VERSION,
    codeVersion: CODE_VERSION,
    geometry: 'horizon',
    delta,
    layers: grid.N,
    nodes: K,
    xi0: grid.shape.xi0,
    rMaxRatio: grid.shape.rMaxRatio,
    rCRatio: grid.shape.rCRatio,
    lambda,
    fingerprint,
    alpha: Array.from({ length: K }, (_, j) => (j < K - 1 ? theta[j] : 0)),
    beta: Array.from({ length: K }, (_, j) => (j < K - 1 ? theta[K + j] : 0)),
    alpha_slope: theta[K - 1] * toR,
    beta_slope: theta[2 * K - 1] * toR,
    rh,
  };
}

/** Validates a parsed horizon checkpoint (or horizon reconstruct output). */
export function parseHorizonCheckpoint(data: unknown, source = 'checkpoint'): HorizonCheckpoint {
  const bad = (why: string): never => {
    throw new HoloringError(ModelErrorCodes.CHECKPOINT, `${source}: ${why}`, { source });
  };
  if (typeof data !== 'object' || data === null) return bad('not a JSON object');
  const d = data as Record<string, unknown>;
  if (d.format !== HORIZON_CHECKPOINT_FORMAT) bad(`not a horizon-network checkpoint (format "${String(d.format)}", expected "${HORIZON_CHECKPOINT_FORMAT}")`);
  for (const key of ['delta', 'nodes', 'rCRatio', 'rh', 'alpha_slope', 'beta_slope'] as const) {
    if (typeof d[key] !== 'number' || !Number.isFinite(d[key])) bad(`"${key}" must be a finite number`);
  }
  const K = d.nodes as number;
  if (!Number.isInteger(K) || K < 4) bad(`"nodes" must be an integer ≥ 4 (got ${K})`);
  if (!((d.rh as number) > 0)) bad(`"rh" must be > 0 (got ${String(d.rh)})`);
  for (const key of ['alpha', 'beta'] as const) {
    const v = d[key];
    if (!Array.isArray(v) || v.length !== K || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) bad(`"${key}" must be an array of ${K} finite numbers`);
  }
  return data as HorizonCheckpoint;
}

/** θ for `grid` from a checkpoint, resampled through the old spline if K or r_c/r_h differ. */
export function thetaFromHorizonCheckpoint(cp: HorizonCheckpoint, grid: HorizonGrid, delta: number): Float64Array {
  if (Math.abs(cp.delta - delta) > 1e-12) {
    throw new HoloringError(ModelErrorCodes.CHECKPOINT, `init: checkpoint was fitted with Δ = ${cp.delta}, this network has Δ = ${delta}`, {});
  }
  const K = grid.K, theta = new Float64Array(grid.nw);
  theta[grid.iq] = Math.log(cp.rh);
  const old = new HorizonGrid({ ...grid.shape, layers: 2, nodes: cp.nodes, rCRatio: cp.rCRatio });
  // old weights per function: node values 0..K−2, then H·slope in ρ (dρ/dr = 1/(2 r_h) at the horizon)
  const oldW = (vals: number[], slope: number): number[] => [...vals.slice(0, cp.nodes - 1), slope * 2 * cp.rh * old.H];
  const fns = [oldW(cp.alpha, cp.alpha_slope), oldW(cp.beta, cp.beta_slope)];
  if (cp.nodes === K && cp.rCRatio === grid.shape.rCRatio) {
    fns.forEach((w, fn) => w.forEach((v, j) => (theta[fn * K + j] = v)));
    return theta;
  }
  const ratios = grid.nodeRatios();
  fns.forEach((w, fn) => {
    for (let j = 0; j < K - 1; j++) {
      const { c } = old.basisAt(Math.atan(ratios[j]));
      theta[fn * K + j] = c.reduce((s, cj, i) => s + cj * w[i], 0);
    }
    const { d } = old.basisAt(grid.rho0);
    theta[fn * K + K - 1] = d.reduce((s, dj, i) => s + dj * w[i], 0) * grid.H;
  });
  return theta;
}

/** Which network a checkpoint belongs to. */
export const checkpointGeometry = (cp: Checkpoint | HorizonCheckpoint): 'disk' | 'horizon' => (cp.format === HORIZON_CHECKPOINT_FORMAT ? 'horizon' : 'disk');

/** Validates a parsed checkpoint of either network (by its "format"); loads no network code. */
export function parseAnyCheckpoint(data: unknown, source = 'checkpoint'): Checkpoint | HorizonCheckpoint {
  const format = (data as { format?: unknown } | null)?.format;
  return format === HORIZON_CHECKPOINT_FORMAT ? parseHorizonCheckpoint(data, source) : parseCheckpoint(data, source);
}
