import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/model/backend.ts';
import { parseCheckpoint } from '../../src/model/checkpoint.ts';
import { createMetricNetwork } from '../../src/model/network.ts';
import { registerModelGradients } from '../../src/model/tfGradients.ts';
import { createPlainGraph } from '../../src/model/tfGraph.ts';
import { adsMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { targets } from './targets.ts';

const lean = { layers: 200, nodes: 10 };
const omegas = [1, 2.5, 4, 5.5, 7, 8.5, 10];

describe('backend selection', () => {
  it('falls back from tfjs-node to wasm to cpu, reporting what it tried', async () => {
    const lines: string[] = [];
    const fail = async (): Promise<never> => {
      throw new Error('no native binary');
    };
    const name = await initBackend({ loaders: { node: fail, wasm: fail }, log: (l) => lines.push(l) }, true);
    expect(name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // one line: the backend in use and why the others were passed over
    expect(lines).toEqual(['tfjs backend: cpu (tensorflow unavailable: no native binary; wasm unavailable: no native binary)']);
  });

  it('names a package that is not installed as such, and says everything it tried when nothing loads', async () => {
    const lines: string[] = [];
    const missing = async (): Promise<never> => {
      throw new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x/backend.ts");
    };
    await initBackend({ prefer: ['tensorflow', 'cpu'], loaders: { node: missing }, log: (l) => lines.push(l) }, true);
    expect(lines).toEqual(['tfjs backend: cpu (tensorflow unavailable: @tensorflow/tfjs-node not installed)']);
    await expect(initBackend({ prefer: ['tensorflow'], loaders: { node: missing } }, true)).rejects.toThrow(/tensorflow unavailable: @tensorflow\/tfjs-node not installed/);
    await initBackend({ prefer: ['cpu'] }, true);
  });

  it('uses wasm from the installed package when tfjs-node does not load', async () => {
    const listeners = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const name = await initBackend({ prefer: ['tensorflow', 'wasm', 'cpu'], loaders: { node: async () => { throw new Error('missing'); } } }, true);
    expect(name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // the wasm runtime's process-wide rethrowing handlers are removed again
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(listeners);
  });
});

describe('metric network in TensorFlow.js', () => {
  let points: ReturnType<typeof simulateResponseTable>;
  beforeAll(async () => {
    await initBackend();
    registerModelGradients();
    points = simulateResponseTable({ metric: targets.deformed(), delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 5 });
  });

  it('the fused op matches the kernel and its gradient is the adjoint vjp', () => {
    const net = createMetricNetwork(lean);
    const theta = Float64Array.from({ length: net.grid.nw }, (_, i) => 0.1 * Math.sin(i));
    net.setWeights(theta);
    const { kernel } = net.prepare(points);
    const op = net.chiOp(kernel);
    // the op reads the float32 variables: compare with the Float64 pass at those weights
    const th32 = Float64Array.from([...net.alphaVar.dataSync(), ...net.betaVar.dataSync()]);
    const direct = kernel.forward(th32, new Float64Array(2 * kernel.P));
    const w = tf.tensor2d(points.map((p, i) => [Math.cos(i), Math.sin(i)]));
    const [value, grads] = tf.tidy(() => {
      const v = op(net.alphaVar, net.betaVar);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), w)))([net.alphaVar, net.betaVar]);
      return [v.dataSync(), g.map((t) => Array.from(t.dataSync()))];
    });
    // float32 storage of a Float64 result: relative rounding ≤ 2⁻²⁴ ≈ 6e-8
    const scaleV = Math.max(...direct.map(Math.abs));
    for (let i = 0; i < direct.length; i++) expect(Math.abs(value[i] - direct[i])).toBeLessThan(1e-7 * Math.abs(direct[i]) + 1e-12 * scaleV);
    const dy = Float64Array.from(points.flatMap((_, i) => [Math.cos(i), Math.sin(i)]));
    const g64 = new Float64Array(net.grid.nw);
    kernel.vjp(th32, dy, new Float64Array(2 * kernel.P), g64);
    const got = [...grads[0], ...grads[1]];
    const scaleG = Math.max(...g64.map(Math.abs));
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - g64[i])).toBeLessThan(1e-7 * Math.abs(g64[i]) + 1e-12 * scaleG);
    // the adjoint itself against central differences of the Float64 forward pass (error O(h²) ≈ 1e-10 relative)
    const th = th32;
    const fwd = (t: Float64Array): number => kernel.forward(t, new Float64Array(2 * kernel.P)).reduce((a, v, j) => a + v * dy[j], 0);
    for (const i of [0, 3, net.grid.K - 2, net.grid.K, net.grid.nw - 1]) {
      const h = 1e-5;
      const up = th.slice();
      const dn = th.slice();
      up[i] += h;
      dn[i] -= h;
      expect(Math.abs((fwd(up) - fwd(dn)) / (2 * h) - g64[i])).toBeLessThan(1e-6 * scaleG);
    }
    w.dispose();
    net.dispose();
  });

  it('a Levenberg–Marquardt training step and an Adam step leave the tensor count unchanged', () => {
    const net = createMetricNetwork(lean);
    const before = tf.memory().numTensors;
    net.fit(points, { lm: { maxEvaluations: 2 } });
    expect(tf.memory().numTensors).toBe(before);
    const adam = net.adamTrainer(points, { learningRate: 0.01 });
    adam.step(); // creates the optimizer's slot variables
    const mid = tf.memory().numTensors;
    const l1 = adam.step();
    expect(tf.memory().numTensors).toBe(mid);
    expect(Number.isFinite(l1)).toBe(true);
    adam.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('Adam lowers the loss through the fused op (an optional optimizer)', () => {
    const net = createMetricNetwork(lean);
    const adam = net.adamTrainer(points, { learningRate: 0.005 });
    const first = adam.step();
    let last = first;
    for (let i = 0; i < 15; i++) last = adam.step();
    expect(last).toBeLessThan(0.8 * first);
    adam.dispose();
    net.dispose();
  });

  it('checkpoints round-trip through JSON and warm-start the fit', () => {
    const net = createMetricNetwork(lean);
    const first = net.fit(points, { init: 'ads' });
    const cp = parseCheckpoint(JSON.parse(JSON.stringify(net.checkpoint())));
    expect(cp.delta).toBe(1.5);
    expect(cp.layers).toBe(200);
    expect(cp.nodes).toBe(10);
    expect(cp.fingerprint).toBe(first.fingerprint);
    const other = createMetricNetwork(lean);
    other.restore(cp);
    expect(Array.from(other.weights())).toEqual(Array.from(net.weights()));
    const warm = other.fit(points, { init: 'current' });
    expect(warm.evaluations).toBeLessThan(first.evaluations);
    expect(warm.loss).toBeLessThanOrEqual(first.loss * (1 + 1e-6));
    // a network with more nodes resamples the weights through the spline
    const fine = createMetricNetwork({ layers: 200, nodes: 19 });
    fine.restore(cp);
    const a = net.fit(points, { init: 'current', lm: { maxEvaluations: 1 } });
    const b = fine.fit(points, { init: 'current', lm: { maxEvaluations: 1 } });
    for (let i = 0; i < a.r.length; i += 20) expect(b.f[i] / a.f[i]).toBeCloseTo(1, 2);
    for (const n of [net, other, fine]) n.dispose();
  });

  it('refuses a checkpoint fitted with a different Δ, and malformed ones', () => {
    const net = createMetricNetwork(lean);
    const cp = { ...net.checkpoint(), delta: 2.5 };
    expect(() => net.restore(cp)).toThrow(/Δ = 2.5/);
    expect(() => parseCheckpoint({ format: 'x' })).toThrow(/RING_ERR|not a metric-network checkpoint/);
    expect(() => parseCheckpoint({ ...net.checkpoint(), alpha: [1, 2] })).toThrow(/alpha/);
    net.dispose();
  });

  it('the plain tf-op graph computes the same network (float32) and trains without leaking tensors', () => {
    const net = createMetricNetwork(lean);
    net.setWeights(Float64Array.from({ length: net.grid.nw }, (_, i) => 0.1 * Math.cos(0.7 * i)));
    const few = points.filter((_, i) => i % 2 === 0);
    const plain = createPlainGraph(net, few);
    const a = plain.forward();
    const b = net.predict(few);
    for (let p = 0; p < few.length; p++) {
      expect(Math.hypot(a[2 * p] - b[2 * p], a[2 * p + 1] - b[2 * p + 1]) / Math.hypot(b[2 * p], b[2 * p + 1])).toBeLessThan(1e-4);
    }
    const n0 = tf.memory().numTensors;
    expect(Number.isFinite(plain.trainStep())).toBe(true);
    expect(tf.memory().numTensors).toBe(n0);
    plain.dispose();
    net.dispose();
  });

  it('splitting the modes over worker threads gives the one-thread fit, deterministically', async () => {
    const net = createMetricNetwork(lean);
    const one = net.fit(points, { init: 'ads' });
    const two = await net.fitParallel(points, { init: 'ads', threads: 2 });
    const again = await net.fitParallel(points, { init: 'ads', threads: 2 });
    for (let i = 0; i < one.f.length; i++) {
      expect(Math.abs(two.f[i] / one.f[i] - 1)).toBeLessThan(1e-10);
      expect(Math.abs(two.g[i] / one.g[i] - 1)).toBeLessThan(1e-10);
    }
    expect(again.alpha).toEqual(two.alpha);
    // a new table is dealt to the same workers
    const other = simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 6 });
    const a = net.fit(other, { init: 'ads' });
    const b = await net.fitParallel(other, { init: 'ads', threads: 2 });
    expect(Math.abs(b.chi2 / a.chi2 - 1)).toBeLessThan(1e-10);
    await net.dispose();
  });

  it('pure AdS data leave the weights at zero', () => {
    const ads = simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas, gamma: 0.25, kMax: 4 });
    const net = createMetricNetwork(lean);
    const est = net.fit(ads, { init: 'ads' });
    for (const v of [...est.alpha, ...est.beta]) expect(Math.abs(v)).toBeLessThan(2e-3);
    net.dispose();
  });
});
