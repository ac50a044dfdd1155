/**
 * Worker side of the threaded trainer (trainer.ts): owns one metric network and
 * fits it, warm-started, to each table the daemon posts, so retraining never
 * blocks acquisition on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ResponsePoint } from '../contracts/response.ts';
import { createMetricNetwork, initBackend } from '../model/index.ts';
import type { TrainerOptions, TrainerReply, TrainerRequest } from './trainer.ts';

const opts = workerData as Omit<TrainerOptions, 'log'>;
const port = parentPort!;
const logs: string[] = [];
const backend = await initBackend({ log: (l) => logs.push(l) });
const net = createMetricNetwork({ delta: opts.delta, layers: opts.layers, nodes: opts.nodes });
let fitted = false;

port.on('message', async (msg: TrainerRequest) => {
  if (msg.type === 'close') {
    await net.dispose();
    port.close();
    return;
  }
  try {
    const result = net.fit(msg.points as ResponsePoint[], { init: fitted ? 'current' : 'ads' });
    fitted = true;
    port.postMessage({ type: 'result', id: msg.id, result } satisfies TrainerReply);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    port.postMessage({ type: 'error', id: msg.id, code: (err.code ?? 'RING_ERR_TRAINER') as `RING_ERR_${string}`, message: err.message ?? String(e) } satisfies TrainerReply);
  }
});
port.postMessage({ type: 'ready', backend, logs } satisfies TrainerReply);
