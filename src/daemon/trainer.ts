import { Worker } from 'node:worker_threads';
import type { ResponsePoint } from '../contracts/response.ts';
import { HoloringError } from '../errors.ts';
import { type Checkpoint, type GeometryFit, GeometryFitter, type GeometryOption, type HorizonCheckpoint, initBackend, tensorCount } from '../model/index.ts';
import { type TrainingFaults, roundJudge, spoilTable } from './trainingRounds.ts';

/**
 * Live retraining of the metric network (disk, horizon or both), warm-started
 * from the previous kept fit. A round that diverges (trainingRounds.ts) is
 * discarded: `fit` rejects with RING_ERR_MODEL_DIVERGED (context: round, chi2,
 * lastGoodChi2) and the next round starts from the last kept weights.
 */
export interface MetricTrainer {
  readonly backend: string;
  /** Fits the table; `temperatureRatio` is the sample's T/T_HP when known. */
  fit(points: readonly ResponsePoint[], temperatureRatio?: number): Promise<GeometryFit>;
  /** The next fit of the checkpoint's geometry starts from these weights (a resumed run's checkpoint). */
  warmStart(checkpoint: Checkpoint | HorizonCheckpoint): void;
  /** The next fit starts from pure AdS again (the operator's model reset). */
  reset(): void;
  /** Tensors held by the trainer's TensorFlow.js engine (on its thread: as of the latest fit; null before it). */
  tensors?(): number | null;
  dispose(): Promise<void>;
}

export interface TrainerOptions {
  /** disk, horizon, or auto (both fitted, the geometry picked by the evidence); default auto. */
  geometry?: GeometryOption;
  /** Δ, or 'auto': fitted with the metric, warm-started from the last estimate. */
  delta: number | 'auto';
  /** With delta 'auto': start of the first fit (default 1.5). */
  deltaStart?: number;
  /**
   * Fit a free complex scale κ of χ with either network (default true): a live
   * table's overall constant comes from the calibration reference, whose error is
   * common to every row and would otherwise go into the metric (r_h several σ off;
   * horizonScale.ts). The rows' common part of σ is then κ's (ResponsePoint.sigmaCommon).
   */
  freeScale?: boolean;
  layers: number;
  nodes: number;
  /** Test facility: rounds whose fit is made to fail (trainingRounds.ts); absent in normal use. */
  faults?: TrainingFaults;
  log?: (line: string) => void;
}

export type TrainerRequest =
  | { type: 'fit'; id: number; points: readonly ResponsePoint[]; temperatureRatio?: number }
  | { type: 'init'; checkpoint: Checkpoint | HorizonCheckpoint }
  | { type: 'reset' }
  | { type: 'close' };
export type TrainerReply =
  | { type: 'ready'; backend: string; logs: string[] }
  | { type: 'result'; id: number; result: GeometryFit; tensors: number }
  | { type: 'error'; id: number; code: `RING_ERR_${string}`; message: string; context?: Record<string, unknown> };

/** A trainer on the calling thread (each fit blocks it for the fit's duration). */
export async function createLiveTrainer(opts: TrainerOptions): Promise<MetricTrainer> {
  const backend = await initBackend({ log: opts.log });
  const fitter = new GeometryFitter(opts.geometry ?? 'auto', { delta: opts.delta, deltaStart: opts.deltaStart, freeScale: opts.freeScale ?? true, layers: opts.layers, nodes: opts.nodes });
  const judge = roundJudge();
  return {
    backend,
    fit: async (points, temperatureRatio) => {
      // yield once so acquisition callbacks queued before the fit run first
      await new Promise((r) => setImmediate(r));
      const round = judge.next();
      let res: GeometryFit;
      try {
        res = fitter.fit(spoilTable(points, round, opts.faults), temperatureRatio);
      } catch (e) {
        fitter.rollback();
        throw judge.failed(e);
      }
      const discarded = judge.keep(res);
      if (discarded) {
        // whatever this round did to the weights is undone, so a diverged round never seeds the next
        fitter.rollback();
        throw discarded;
      }
      return res;
    },
    warmStart: (checkpoint) => fitter.warmStart(checkpoint),
    reset: () => fitter.reset(),
    tensors: () => tensorCount(),
    dispose: () => fitter.dispose(),
  };
}

/**
 * A trainer on its own worker thread: the network lives in the worker, the daemon
 * posts tables and gets fits back, and acquisition never waits for a fit.
 */
export async function createThreadedTrainer(opts: TrainerOptions): Promise<MetricTrainer> {
  const worker = new Worker(new URL('./trainerWorkerEntry.mjs', import.meta.url), {
    workerData: { geometry: opts.geometry, delta: opts.delta, deltaStart: opts.deltaStart, freeScale: opts.freeScale, layers: opts.layers, nodes: opts.nodes, faults: opts.faults },
  });
  const pending = new Map<number, { resolve: (r: GeometryFit) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let tensors: number | null = null;
  let failure: Error | null = null;
  const failAll = (e: Error): void => {
    failure = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const backend = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: TrainerReply) => {
      worker.off('error', reject);
      if (m.type === 'ready') {
        m.logs.forEach((l) => opts.log?.(l));
        resolve(m.backend);
      } else reject(new HoloringError('RING_ERR_TRAINER', 'trainer thread did not start', {}));
    });
  });
  worker.on('message', (m: TrainerReply) => {
    if (m.type === 'ready') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.type === 'result') {
      tensors = m.tensors;
      p.resolve(m.result);
    }
    else p.reject(new HoloringError(m.code, m.message, m.context ?? {}));
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => failAll(new HoloringError('RING_ERR_TRAINER', `trainer thread exited (code ${code})`, { code })));
  return {
    backend,
    fit: (points, temperatureRatio) => {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<GeometryFit>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'fit', id, points, temperatureRatio } satisfies TrainerRequest);
      });
    },
    warmStart: (checkpoint) => {
      if (!failure) worker.postMessage({ type: 'init', checkpoint } satisfies TrainerRequest);
    },
    reset: () => {
      if (!failure) worker.postMessage({ type: 'reset' } satisfies TrainerRequest);
    },
    tensors: () => tensors,
    dispose: async () => {
      if (failure) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' } satisfies TrainerRequest);
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
