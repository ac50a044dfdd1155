/**
 * Adam on the metric network (optional optimizer): tf.train.adam minimising the
 * same loss as Levenberg–Marquardt, Σ|χ_pred − χ_data|²/σ² + λΣ(Δ²α)² + λΣ(Δ²β)²
 * (per Δρ³), built from the fused op and a few tf ops. Much slower to converge
 * than LM (physics.md §8); useful for experiments and as the tf reference path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import type { MetricNetwork } from './network.ts';
import { registerModelGradients } from './tfGradients.ts';
import { createTfPrior } from './tfPrior.ts';

export interface AdamOptions {
  /** Learning rate (default 0.01). */
  learningRate?: number;
}

export interface AdamTrainer {
  /** One Adam step; returns the loss before the step and syncs the network's θ. */
  step(): number;
  dispose(): void;
}

export function createAdamTrainer(net: MetricNetwork, table: ResponseTable | readonly ResponsePoint[], opts: AdamOptions = {}): AdamTrainer {
  registerModelGradients();
  const { data, kernel } = net.prepare(table);
  const P = kernel.P;
  const op = net.chiOp(kernel);
  const target = tf.tensor2d(Float32Array.from(data.chi), [P, 2]);
  const weight = tf.tensor2d(Float32Array.from(data.invSigma), [P, 1]);
  const prior = createTfPrior(net);
  const optimizer = tf.train.adam(opts.learningRate ?? 0.01);
  const vars = [net.alphaVar, net.betaVar];
  return {
    step(): number {
      const loss = optimizer.minimize(
        () => {
          const resid = tf.mul(tf.sub(op(net.alphaVar, net.betaVar), target), weight);
          const smooth = prior.residual();
          return tf.add(tf.sum(tf.mul(resid, resid)), tf.sum(tf.mul(smooth, smooth))) as tf.Scalar;
        },
        true,
        vars,
      );
      const value = loss ? loss.dataSync()[0] : NaN;
      loss?.dispose();
      net.pullWeightsFromVariables();
      return value;
    },
    dispose(): void {
      optimizer.dispose();
      target.dispose();
      weight.dispose();
      prior.dispose();
    },
  };
}
