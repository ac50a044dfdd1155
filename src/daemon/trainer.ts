import type { ResponsePoint } from '../contracts/response.ts';
import { type FitResult, createMetricNetwork, initBackend } from '../model/index.ts';

/** Live retraining of the metric network, warm-started from the previous fit. */
export interface MetricTrainer {
  readonly backend: string;
  fit(points: readonly ResponsePoint[]): Promise<FitResult>;
  dispose(): Promise<void>;
}

export interface TrainerOptions {
  delta: number;
  layers: number;
  nodes: number;
  log?: (line: string) => void;
}

export async function createLiveTrainer(opts: TrainerOptions): Promise<MetricTrainer> {
  const backend = await initBackend({ log: opts.log });
  const net = createMetricNetwork({ delta: opts.delta, layers: opts.layers, nodes: opts.nodes });
  let fitted = false;
  return {
    backend,
    fit: async (points) => {
      // yield once so acquisition callbacks queued before the fit run first
      await new Promise((r) => setImmediate(r));
      const res = net.fit(points, { init: fitted ? 'current' : 'ads' });
      fitted = true;
      return res;
    },
    dispose: () => net.dispose(),
  };
}
