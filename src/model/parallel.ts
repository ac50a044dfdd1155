/**
 * The fused pass with the modes split over worker threads (optional; the
 * one-thread path is FusedKernel.normal). θ and the per-worker normal equations
 * live in SharedArrayBuffers; a pass bumps a shared generation counter
 * (Atomics.notify), the main thread computes its own share meanwhile, then
 * waits (Atomics.wait) for the workers and adds their results in a fixed order,
 * so the result is deterministic. Modes are dealt round-robin (p mod T).
 */
import { Worker } from 'node:worker_threads';
import { HoloringError } from '../errors.ts';
import { ModelErrorCodes, type TrainingData } from './data.ts';
import type { NetworkGrid } from './grid.ts';
import { FusedKernel, type KernelMode, type KernelOptions } from './kernel.ts';
import { CTRL } from './parallelLayout.ts';

export interface ParallelKernel {
  readonly threads: number;
  /** Loads a table (dealt over the threads); resolves when every worker is ready. */
  load(data: TrainingData): Promise<void>;
  /** The fused pass (same contract as FusedKernel.normal with the loaded data). */
  normal(theta: Float64Array, A: Float64Array, b: Float64Array): number;
  close(): Promise<void>;
}

const WAIT_MS = 30_000;

function shareOf(data: TrainingData, t: number, T: number): { modes: KernelMode[]; chi: Float64Array; invSigma: Float64Array } {
  const idx = data.modes.map((_, p) => p).filter((p) => p % T === t);
  return {
    modes: idx.map((p) => data.modes[p]),
    chi: Float64Array.from(idx.flatMap((p) => [data.chi[2 * p], data.chi[2 * p + 1]])),
    invSigma: Float64Array.from(idx.map((p) => data.invSigma[p])),
  };
}

/** Starts threads − 1 workers for the fused pass of `grid` (kernel options as FusedKernel's: a free Δ adds one weight). */
export async function createParallelKernel(grid: NetworkGrid, delta: number, threads: number, kernelOpts: KernelOptions = {}): Promise<ParallelKernel> {
  const T = Math.max(1, Math.floor(threads));
  const nw = grid.nw + (kernelOpts.freeDelta ? 1 : 0), slot = nw * nw + nw + 1;
  const ctrlBuf = new SharedArrayBuffer(4 * CTRL.size);
  const thetaBuf = new SharedArrayBuffer(8 * nw);
  const ctrl = new Int32Array(ctrlBuf);
  const thetaShared = new Float64Array(thetaBuf);
  const outs: Float64Array[] = [];
  const workers: Worker[] = [];
  const entry = new URL('./workerEntry.mjs', import.meta.url);
  const message = (w: Worker, expect: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const onMsg = (m: unknown) => {
        if (m === expect) {
          w.off('error', onErr);
          resolve();
        }
      };
      const onErr = (e: Error) => {
        w.off('message', onMsg);
        reject(e);
      };
      w.once('message', onMsg);
      w.once('error', onErr);
    });
  for (let t = 1; t < T; t++) {
    const out = new SharedArrayBuffer(8 * slot);
    outs.push(new Float64Array(out));
    const w = new Worker(entry, { workerData: { shape: grid.shape, delta, kernelOpts, ctrl: ctrlBuf, theta: thetaBuf, out } });
    workers.push(w);
  }
  await Promise.all(workers.map((w) => message(w, 'started')));
  let own: { kernel: FusedKernel; chi: Float64Array; invSigma: Float64Array; buf: Float64Array } | null = null;
  let serving = false;

  const signal = (command: number): void => {
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.store(ctrl, CTRL.command, command);
    Atomics.add(ctrl, CTRL.generation, 1);
    Atomics.notify(ctrl, CTRL.generation);
  };
  const waitWorkers = (): void => {
    const t0 = Date.now();
    for (;;) {
      const d = Atomics.load(ctrl, CTRL.done);
      if (d >= workers.length) return;
      if (Date.now() - t0 > WAIT_MS) throw new HoloringError(ModelErrorCodes.DIVERGED, 'kernel worker threads did not answer', { threads: T });
      Atomics.wait(ctrl, CTRL.done, d, 1000);
    }
  };
  const stopServing = (command: number): void => {
    if (!serving) return;
    signal(command);
    waitWorkers();
    serving = false;
  };

  return {
    threads: T,
    async load(data: TrainingData): Promise<void> {
      if (data.modes.length < T) throw new HoloringError(ModelErrorCodes.TOO_FEW_POINTS, `fewer points than threads (${data.modes.length} < ${T})`, {});
      stopServing(CTRL.RELOAD);
      const mine = shareOf(data, 0, T);
      own = { kernel: new FusedKernel(grid, delta, mine.modes, kernelOpts), chi: mine.chi, invSigma: mine.invSigma, buf: new Float64Array(2 * mine.modes.length) };
      await Promise.all(workers.map((w, i) => {
        const ready = message(w, 'ready');
        w.postMessage(shareOf(data, i + 1, T));
        return ready;
      }));
      serving = true;
    },
    normal(theta: Float64Array, A: Float64Array, b: Float64Array): number {
      if (!own) throw new HoloringError(ModelErrorCodes.SHAPE, 'parallel kernel: no table loaded', {});
      thetaShared.set(theta);
      Atomics.store(ctrl, CTRL.error, 0);
      signal(CTRL.RUN);
      let chi2 = own.kernel.normal(theta, own.chi, own.invSigma, own.buf, A, b);
      waitWorkers();
      if (Atomics.load(ctrl, CTRL.error) !== 0) throw new HoloringError(ModelErrorCodes.DIVERGED, 'a kernel worker thread failed', {});
      for (const out of outs) {
        for (let i = 0; i < nw * nw; i++) A[i] += out[i];
        for (let i = 0; i < nw; i++) b[i] += out[nw * nw + i];
        chi2 += out[nw * nw + nw];
      }
      return chi2;
    },
    async close(): Promise<void> {
      const exited = workers.map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        setTimeout(() => void w.terminate(), 5000).unref();
      }));
      if (serving) signal(CTRL.EXIT);
      else for (const w of workers) w.postMessage(null);
      serving = false;
      own = null;
      await Promise.all(exited);
    },
  };
}
