import * as tf from '@tensorflow/tfjs-core';
import type { MetricNetwork } from './network.ts';

/**
 * The smoothness prior as tf ops, for the tf-side trainers (Adam, the plain
 * graph): √λ L split into its α and β columns, and the residual √λ L θ whose
 * squared norm is the prior term of the loss.
 */
export interface TfPrior {
  residual(): tf.Tensor;
  dispose(): void;
}

export function createTfPrior(net: MetricNetwork): TfPrior {
  const nw = net.grid.nw, K = net.grid.K;
  const L = net.priorRoot, rows = L.length / nw;
  const cols = (from: number, to: number): tf.Tensor2D =>
    tf.tensor2d(Float32Array.from({ length: rows * (to - from) }, (_, i) => L[Math.floor(i / (to - from)) * nw + from + (i % (to - from))]), [rows, to - from]);
  const La = cols(0, K - 1), Lb = cols(K - 1, nw);
  return {
    residual: () => tf.add(tf.matMul(La, tf.reshape(net.alphaVar, [K - 1, 1])), tf.matMul(Lb, tf.reshape(net.betaVar, [nw - K + 1, 1]))),
    dispose: () => {
      La.dispose();
      Lb.dispose();
    },
  };
}
