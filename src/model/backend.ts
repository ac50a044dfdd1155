/**
 * TensorFlow.js backend selection: tfjs-node when its native binary loads, else
 * wasm (its .wasm files read from the installed package on disk — nothing is
 * downloaded), else cpu. The chosen name goes into every reconstruction.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendLoaders {
  /** Loads @tensorflow/tfjs-node (registers the 'tensorflow' backend). */
  node?: () => Promise<unknown>;
  /** Loads and configures @tensorflow/tfjs-backend-wasm. */
  wasm?: () => Promise<unknown>;
  /** Loads @tensorflow/tfjs-backend-cpu. */
  cpu?: () => Promise<unknown>;
}

export interface BackendOptions {
  /** Try only these backends, in this order (default: tensorflow, wasm, cpu). */
  prefer?: BackendName[];
  /** Called with one line per attempt (default: none). */
  log?: (line: string) => void;
  /** Replace the loaders (tests). */
  loaders?: BackendLoaders;
}

const require_ = createRequire(import.meta.url);

/** Directory of the installed tfjs-backend-wasm dist folder (with trailing slash). */
export function wasmDistDir(): string {
  const main = require_.resolve('@tensorflow/tfjs-backend-wasm');
  return join(dirname(main), '/');
}

const defaultLoaders: Required<BackendLoaders> = {
  // a variable specifier keeps bundlers and type checking away from the optional package
  node: async () => {
    const name = '@tensorflow/tfjs-node';
    return import(name);
  },
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDistDir());
    return wasm;
  },
  cpu: async () => import('@tensorflow/tfjs-backend-cpu'),
};

let selected: Promise<BackendName> | null = null;

/**
 * Selects and initialises a backend once per process (later calls return the same
 * name unless `force` is set). Falls through on any load or init error.
 */
export async function initBackend(opts: BackendOptions = {}, force = false): Promise<BackendName> {
  if (selected && !force) return selected;
  selected = chooseBackend(opts);
  return selected;
}

async function chooseBackend(opts: BackendOptions): Promise<BackendName> {
  const order = opts.prefer ?? (['tensorflow', 'wasm', 'cpu'] as BackendName[]);
  const loaders = { ...defaultLoaders, ...opts.loaders };
  const log = opts.log ?? (() => {});
  const load: Record<BackendName, () => Promise<unknown>> = { tensorflow: loaders.node, wasm: loaders.wasm, cpu: loaders.cpu };
  // production mode: no "install tfjs-node" banner from the cpu backend, no debug checks
  tf.enableProdMode();
  const skipped: string[] = [];
  for (const name of order) {
    // the wasm runtime (emscripten) installs process-wide handlers that rethrow every
    // uncaught exception and rejection; the daemon keeps its own error handling
    const before: Listeners = { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
    try {
      await load[name]();
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      removeAddedListeners(before);
      log(`tfjs backend: ${name}${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
      return name;
    } catch (e) {
      removeAddedListeners(before);
      skipped.push(`${name} unavailable: ${whyUnavailable(e as Error)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised (${skipped.join('; ')})`);
}

/** One short reason: a package that is not installed is named as such, other errors by their first line. */
function whyUnavailable(e: Error): string {
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(e.message);
  return missing ? `${missing[1]} not installed` : (e.message.split('\n')[0] ?? String(e));
}

interface Listeners {
  uncaughtException: NodeJS.UncaughtExceptionListener[];
  unhandledRejection: NodeJS.UnhandledRejectionListener[];
}

function removeAddedListeners(before: Listeners): void {
  for (const l of process.listeners('uncaughtException')) if (!before.uncaughtException.includes(l)) process.removeListener('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.unhandledRejection.includes(l)) process.removeListener('unhandledRejection', l);
}

/** Tensors held by the TensorFlow.js engine of the calling thread (a leak shows as a count that keeps growing). */
export function tensorCount(): number {
  return tf.memory().numTensors;
}

/** Name of the active backend (after initBackend). */
export function activeBackend(): string {
  return tf.getBackend();
}
