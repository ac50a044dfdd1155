/**
 * Checkpoints of the metric network: the weights with the metadata needed to
 * reuse them (Δ, N, K, radii, λ, data fingerprint, code version). The output of
 * `holoring reconstruct` is itself a valid checkpoint (a superset of it), so it
 * can be passed back as `--init`. Weights saved for a different K are resampled
 * onto the new nodes through their spline.
 */
import { readFileSync } from 'node:fs';
import { HOLORING_VERSION } from '../version.ts';
import { HoloringError } from '../errors.ts';
import { parseJson } from '../io/json.ts';
import { ModelErrorCodes } from './data.ts';
import { NetworkGrid, type NetworkShape } from './grid.ts';

export const CHECKPOINT_FORMAT = 'holoring-metric-network';
export const CHECKPOINT_VERSION = 1;

/** Version of the code that wrote a checkpoint. */
export const CODE_VERSION = `holoring ${HOLORING_VERSION} model ${CHECKPOINT_VERSION}`;

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  codeVersion: string;
  delta: number;
  layers: number;
  nodes: number;
  r0: number;
  rMax: number;
  rC: number;
  lambda: number;
  /** Fingerprint of the table the weights were fitted to ('' if none). */
  fingerprint: string;
  /** α and β at the K nodes (full: α_{K−1} = β_0 = β_{K−1} = 0). */
  alpha: number[];
  beta: number[];
}

export function makeCheckpoint(shape: NetworkShape, delta: number, lambda: number, alpha: ArrayLike<number>, beta: ArrayLike<number>, fingerprint: string): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_VERSION,
    codeVersion: CODE_VERSION,
    delta,
    layers: shape.layers,
    nodes: shape.nodes,
    r0: shape.r0,
    rMax: shape.rMax,
    rC: shape.rC,
    lambda,
    fingerprint,
    alpha: Array.from(alpha),
    beta: Array.from(beta),
  };
}

const bad = (source: string, why: string): never => {
  throw new HoloringError(ModelErrorCodes.CHECKPOINT, `${source}: ${why}`, { source });
};

/** Validates a parsed checkpoint (or reconstruct output). */
export function parseCheckpoint(data: unknown, source = 'checkpoint'): Checkpoint {
  if (typeof data !== 'object' || data === null) return bad(source, 'not a JSON object');
  const d = data as Record<string, unknown>;
  if (d.format !== CHECKPOINT_FORMAT) bad(source, `not a metric-network checkpoint (format "${String(d.format)}", expected "${CHECKPOINT_FORMAT}")`);
  for (const key of ['delta', 'nodes', 'rC'] as const) {
    if (typeof d[key] !== 'number' || !Number.isFinite(d[key])) bad(source, `"${key}" must be a finite number`);
  }
  const K = d.nodes as number;
  if (!Number.isInteger(K) || K < 4) bad(source, `"nodes" must be an integer ≥ 4 (got ${K})`);
  for (const key of ['alpha', 'beta'] as const) {
    const v = d[key];
    if (!Array.isArray(v) || v.length !== K || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      bad(source, `"${key}" must be an array of ${K} finite numbers`);
    }
  }
  return data as Checkpoint;
}

/** Reads a checkpoint file as JSON (any network's); refuses unreadable or malformed files. */
export function readCheckpointJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return bad(path, `cannot read: ${(e as Error).message}`);
  }
  try {
    return parseJson(text);
  } catch (e) {
    return bad(path, `not valid JSON: ${(e as Error).message}`);
  }
}

export function loadCheckpoint(path: string): Checkpoint {
  return parseCheckpoint(readCheckpointJson(path), path);
}

/** θ for `grid` from a checkpoint, resampling through the spline if K or r_c differ. */
export function thetaFromCheckpoint(cp: Checkpoint, grid: NetworkGrid, delta: number): Float64Array {
  if (Math.abs(cp.delta - delta) > 1e-12) {
    bad('init', `checkpoint was fitted with Δ = ${cp.delta}, this network has Δ = ${delta}`);
  }
  if (cp.nodes === grid.K && cp.rC === grid.shape.rC) return grid.thetaFrom(cp.alpha, cp.beta);
  const old = new NetworkGrid({ ...grid.shape, layers: 2, nodes: cp.nodes, rC: cp.rC });
  const oldTheta = old.thetaFrom(cp.alpha, cp.beta);
  const alpha = new Float64Array(grid.K), beta = new Float64Array(grid.K);
  grid.nodeRadii().forEach((r, i) => {
    const { a, b } = old.basisAt(r);
    for (let j = 0; j < old.nw; j++) {
      alpha[i] += a[j] * oldTheta[j];
      beta[i] += b[j] * oldTheta[j];
    }
  });
  return grid.thetaFrom(alpha, beta);
}
