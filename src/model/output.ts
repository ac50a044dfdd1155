/**
 * The JSON written by `holoring reconstruct`: the metric estimate, the fit's
 * figures, and the checkpoint metadata, so the file can be passed back as
 * `--init` (and, having r, f, g from r = 0 with g(0) = 1, read as a tabulated
 * metric by `holoring simulate --metric FILE.json`).
 */
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CODE_VERSION, type Checkpoint } from './checkpoint.ts';
import type { FitResult } from './network.ts';

export interface ReconstructOutput extends Checkpoint {
  r: number[];
  f: number[];
  g: number[];
  f_err: number[];
  g_err: number[];
  resolution: number[];
  nodes_r: number[];
  chi2: number;
  chi2_total: number;
  dof: number;
  backend: string;
  iterations: number;
  evaluations: number;
  converged: boolean;
  noiseless: boolean;
  elapsedMs: number;
}

export function makeOutput(res: FitResult & { backend: string; checkpoint: Checkpoint }): ReconstructOutput {
  const cp = res.checkpoint;
  return {
    r: res.r,
    f: res.f,
    g: res.g,
    f_err: res.f_err,
    g_err: res.g_err,
    resolution: res.resolution,
    alpha: res.alpha,
    beta: res.beta,
    nodes_r: res.nodes_r,
    chi2: res.chi2,
    chi2_total: res.chi2_total,
    dof: res.dof,
    delta: res.delta,
    layers: res.layers,
    nodes: res.nodes,
    backend: res.backend,
    iterations: res.iterations,
    evaluations: res.evaluations,
    converged: res.converged,
    noiseless: res.noiseless,
    elapsedMs: Math.round(res.elapsedMs * 10) / 10,
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_VERSION,
    codeVersion: CODE_VERSION,
    r0: cp.r0,
    rMax: cp.rMax,
    rC: cp.rC,
    lambda: cp.lambda,
    fingerprint: res.fingerprint,
  };
}
