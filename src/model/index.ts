/**
 * Public API of the metric network (physics.md §8), for the CLI and the daemon's
 * live trainer:
 *
 *   const backend = await initBackend();
 *   const net = createMetricNetwork({ delta: 1.5, layers: 400, nodes: 32 });
 *   const est = net.fit(table, { init: 'current', onIteration });   // warm start
 *   const cp = net.checkpoint();                                      // JSON-able
 *
 * or in one call: `await fitMetric(table, opts)`.
 */
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { type BackendName, initBackend } from './backend.ts';
import type { Checkpoint } from './checkpoint.ts';
import { type FitOptions, type FitResult, type MetricNetworkOptions, createMetricNetwork } from './network.ts';

export { initBackend, activeBackend, tensorCount, type BackendName } from './backend.ts';
export { createMetricNetwork, MetricNetwork, MIN_LAYERS, DEFAULT_LAMBDA, type FitOptions, type FitResult, type MetricNetworkOptions } from './network.ts';
export { type Checkpoint, CODE_VERSION, loadCheckpoint, makeCheckpoint, parseCheckpoint } from './checkpoint.ts';
export { makeOutput, type ReconstructOutput } from './output.ts';
export { ModelErrorCodes, NOISELESS_RELATIVE_SIGMA } from './data.ts';
export { type MetricEstimate, resolutionRho } from './estimate.ts';
export { DEFAULT_SHAPE, type NetworkShape } from './grid.ts';
export type { LmIteration } from './lm.ts';
export {
  chooseGeometry, checkpointGeometry, DECISIVE_EVIDENCE, GEOMETRY_OPTIONS, type Geometry, type GeometryChoice, type GeometryOption,
  GeometryFitter, type GeometryFit, loadAnyCheckpoint, parseAnyCheckpoint, reconstructGeometry, T_HAWKING_PAGE,
} from './geometry.ts';
export { createHorizonNetwork, HorizonNetwork, HORIZON_LAMBDA, type HorizonFitResult } from './horizon/network.ts';
export { DEFAULT_HORIZON_SHAPE } from './horizon/grid.ts';
export type { HorizonCheckpoint } from './horizon/checkpoint.ts';

export interface FitMetricResult extends FitResult {
  backend: BackendName;
  /** The fitted weights with their metadata. */
  checkpoint: Checkpoint;
}

/** Creates a network, fits it to the table (from pure AdS unless `init` is given) and disposes it. */
export async function fitMetric(
  table: ResponseTable | readonly ResponsePoint[],
  opts: FitOptions & MetricNetworkOptions & { log?: (line: string) => void; threads?: number } = {},
): Promise<FitMetricResult> {
  const backend = await initBackend({ log: opts.log });
  const net = createMetricNetwork(opts);
  try {
    const res = await net.fitParallel(table, { init: opts.init ?? 'ads', onIteration: opts.onIteration, lm: opts.lm, threads: opts.threads ?? 1 });
    return { ...res, backend, checkpoint: net.checkpoint() };
  } finally {
    await net.dispose();
  }
}
export { type DominantRow, type FitQuality, type FitVerdict, FAILED_FIT_CHI2, modelRelativeError } from './quality.ts';
