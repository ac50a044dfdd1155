/**
 * The JSON written by `holoring reconstruct`: the metric estimate, the fit's
 * figures, and the checkpoint metadata, so the file can be passed back as
 * `--init` (and, having r, f, g from r = 0 with g(0) = 1, read as a tabulated
 * metric by `holoring simulate --metric FILE.json`).
 */
import type { Checkpoint } from './checkpoint.ts';
import type { FitResult } from './network.ts';

/** The checkpoint, the metric estimate (without the optimiser's loss), and how the fit ran. */
export type ReconstructOutput = Checkpoint &
  Omit<FitResult, 'loss'> & { backend: string; elapsedMs: number };

export function makeOutput(res: FitResult & { backend: string; checkpoint: Checkpoint }): ReconstructOutput {
  const { loss: _loss, checkpoint, ...fit } = res;
  return { ...checkpoint, ...fit, elapsedMs: Math.round(res.elapsedMs * 10) / 10 };
}
