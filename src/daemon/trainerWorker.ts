/**
 * Worker side of the threaded trainer (trainer.ts): owns the metric networks and
 * fits them, warm-started, to each table the daemon posts, so retraining never
 * blocks acquisition on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ResponsePoint } from '../contracts/response.ts';
import { type TrainerOptions, type TrainerReply, type TrainerRequest, createLiveTrainer } from './trainer.ts';

const opts = workerData as Omit<TrainerOptions, 'log'>;
const port = parentPort!;
const logs: string[] = [];
// the same warm-started trainer as on the main thread, living in this worker
const trainer = await createLiveTrainer({ ...opts, log: (l) => logs.push(l) });

port.on('message', async (msg: TrainerRequest) => {
  if (msg.type === 'close') {
    await trainer.dispose();
    port.close();
    return;
  }
  if (msg.type === 'init') {
    trainer.warmStart(msg.checkpoint);
    return;
  }
  if (msg.type === 'reset') {
    trainer.reset();
    return;
  }
  try {
    const result = await trainer.fit(msg.points as ResponsePoint[], msg.temperatureRatio);
    port.postMessage({ type: 'result', id: msg.id, result, tensors: trainer.tensors?.() ?? 0 } satisfies TrainerReply);
  } catch (e) {
    const err = e as { code?: string; message?: string; context?: Record<string, unknown> };
    port.postMessage({ type: 'error', id: msg.id, code: (err.code ?? 'RING_ERR_TRAINER') as `RING_ERR_${string}`, message: err.message ?? String(e), ...(err.context ? { context: { ...err.context } } : {}) } satisfies TrainerReply);
  }
});
port.postMessage({ type: 'ready', backend: trainer.backend, logs } satisfies TrainerReply);
