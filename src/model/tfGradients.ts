/**
 * Gradients of the few core tf ops the network's tf-side code uses (Adam's loss,
 * the plain tf-op graph): Add, Sub, Mul, RealDiv, Neg, Exp, Sum, Reshape, Slice,
 * BatchMatMul.
 * tfjs-core's own gradient registrations ship only as extensionless ESM files
 * that Node cannot load without a bundler, so the ones needed are registered
 * here (each only if no gradient is registered for that kernel yet).
 */
import * as tf from '@tensorflow/tfjs-core';

type Grads = Record<string, () => tf.Tensor>;

/** Sums dy over the axes that broadcasting added to reach `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved;
      return { a: () => unbroadcast(dy as tf.Tensor, a.shape), b: () => unbroadcast(dy as tf.Tensor, b.shape) };
    },
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved;
      return { a: () => unbroadcast(dy as tf.Tensor, a.shape), b: () => tf.neg(unbroadcast(dy as tf.Tensor, b.shape)) };
    },
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved;
      return { a: () => unbroadcast(tf.mul(dy as tf.Tensor, b), a.shape), b: () => unbroadcast(tf.mul(dy as tf.Tensor, a), b.shape) };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved): Grads => {
      const [a, b] = saved;
      const d = dy as tf.Tensor;
      return { a: () => unbroadcast(tf.div(d, b), a.shape), b: () => unbroadcast(tf.neg(tf.div(tf.mul(d, a), tf.mul(b, b))), b.shape) };
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved[0];
      const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
      const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
      return { x: () => tf.pad(dy as tf.Tensor, x.shape.map((d, i) => [b[i], d - b[i] - s[i]] as [number, number])) };
    },
  },
  { kernelName: tf.Neg, gradFunc: (dy): Grads => ({ x: () => tf.neg(dy as tf.Tensor) }) },
  {
    kernelName: tf.Exp,
    outputsToSave: [true],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.mul(dy as tf.Tensor, saved[0]) }),
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs): Grads => {
      const x = saved[0];
      const axis = (attrs as { axis?: number | number[] | null }).axis;
      const axes = axis == null ? x.shape.map((_, i) => i) : tf.util.parseAxisParam(axis, x.shape);
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, kept), tf.ones(x.shape)) };
    },
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, saved): Grads => ({ x: () => tf.reshape(dy as tf.Tensor, saved[0].shape) }),
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs): Grads => {
      const [a, b] = saved;
      const d = dy as tf.Tensor;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return { a: () => tf.matMul(d, b, false, true), b: () => tf.matMul(a, d, true, false) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(d, b, false, false), b: () => tf.matMul(d, a, true, false) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(b, d, false, true), b: () => tf.matMul(a, d, false, false) };
      return { a: () => tf.matMul(b, d, true, true), b: () => tf.matMul(d, a, true, true) };
    },
  },
];

let done = false;

/** Registers the gradients above (idempotent). */
export function registerModelGradients(): void {
  if (done) return;
  done = true;
  for (const c of configs) if (!tf.getGradient(c.kernelName)) tf.registerGradient(c);
}
