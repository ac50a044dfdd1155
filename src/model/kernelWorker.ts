/**
 * Worker side of the parallel kernel (parallel.ts): holds a FusedKernel for its
 * share of the modes and, each time the shared generation counter moves, runs
 * the fused pass on the shared θ into its own slot of the shared output.
 * Started through workerEntry.mjs (which loads TypeScript in the worker).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NetworkGrid, type NetworkShape } from './grid.ts';
import { FusedKernel, type KernelMode, type KernelOptions } from './kernel.ts';
import { CTRL } from './parallelLayout.ts';

interface Share {
  modes: KernelMode[];
  chi: Float64Array;
  invSigma: Float64Array;
}

const init = workerData as { shape: NetworkShape; delta: number; kernelOpts?: KernelOptions; ctrl: SharedArrayBuffer; theta: SharedArrayBuffer; out: SharedArrayBuffer };
const grid = new NetworkGrid(init.shape);
const nw = grid.nw + (init.kernelOpts?.freeDelta ? 1 : 0);
const ctrl = new Int32Array(init.ctrl);
const theta = new Float64Array(init.theta);
const out = new Float64Array(init.out);
const A = out.subarray(0, nw * nw);
const b = out.subarray(nw * nw, nw * nw + nw);
let kernel: FusedKernel | null = null;
let share: Share | null = null;
let chi = new Float64Array(0);

parentPort!.on('message', (msg: Share | null) => {
  if (msg === null) {
    parentPort!.close();
    return;
  }
  // a new table share: rebuild the kernel, then serve passes until told otherwise
  share = msg;
  kernel = new FusedKernel(grid, init.delta, msg.modes, init.kernelOpts);
  chi = new Float64Array(2 * msg.modes.length);
  // read the generation before saying ready: the main thread bumps it only after 'ready'
  const gen = Atomics.load(ctrl, CTRL.generation);
  parentPort!.postMessage('ready');
  serve(gen);
});

function serve(start: number): void {
  let gen = start;
  for (;;) {
    Atomics.wait(ctrl, CTRL.generation, gen);
    gen = Atomics.load(ctrl, CTRL.generation);
    const cmd = Atomics.load(ctrl, CTRL.command);
    if (cmd !== CTRL.RUN) break; // EXIT, or RELOAD: return to the message loop
    try {
      out[nw * nw + nw] = kernel!.normal(theta, share!.chi, share!.invSigma, chi, A, b);
    } catch {
      Atomics.store(ctrl, CTRL.error, 1);
    }
    Atomics.add(ctrl, CTRL.done, 1);
    Atomics.notify(ctrl, CTRL.done);
  }
  if (Atomics.load(ctrl, CTRL.command) === CTRL.EXIT) parentPort!.close();
  else {
    Atomics.add(ctrl, CTRL.done, 1);
    Atomics.notify(ctrl, CTRL.done);
  }
}

parentPort!.postMessage('started');
