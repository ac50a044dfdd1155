/**
 * The same metric network written as a plain graph of small tf ops (vectorised
 * over modes, one op chain per RK4 stage and layer, autodiff by tf). It exists
 * to measure what the fused kernel saves (bench/suites/model.ts) and to check
 * that both compute the same network; it runs in float32 and is not used to fit.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { boundarySeries } from '../physics/boundary.ts';
import { massSquared } from '../physics/params.ts';
import type { MetricNetwork } from './network.ts';
import { registerModelGradients } from './tfGradients.ts';
import { createTfPrior } from './tfPrior.ts';

export interface PlainGraph {
  /** χ_pred (re, im interleaved), float32. */
  forward(): Float32Array;
  /** One training step (loss gradient by tf autodiff + SGD update); returns the loss. */
  trainStep(): number;
  dispose(): void;
}

type C = [tf.Tensor, tf.Tensor];

export function createPlainGraph(net: MetricNetwork, table: ResponseTable | readonly ResponsePoint[], learningRate = 1e-9): PlainGraph {
  registerModelGradients();
  const { data } = net.prepare(table);
  const grid = net.grid, K = grid.K, nw = grid.nw, N = grid.N, nIn = grid.nIn, n = grid.r.length;
  const P = data.modes.length;
  const m2 = massSquared(net.delta);
  const keep: tf.Tensor[] = [];
  const col = (f: (p: number) => number): tf.Tensor => {
    const t = tf.tensor2d(Float32Array.from({ length: P }, (_, p) => f(p)), [P, 1]);
    keep.push(t);
    return t;
  };
  const modes = data.modes;
  const o2re = col((p) => modes[p].omegaRe ** 2 - modes[p].omegaIm ** 2);
  const o2im = col((p) => 2 * modes[p].omegaRe * modes[p].omegaIm);
  const k2 = col((p) => modes[p].k ** 2);
  const ak = modes.map((m) => Math.abs(m.k));
  const rM = grid.shape.rMax;
  const series = modes.map((m) => [2 - net.delta, net.delta].map((p0) => boundarySeries(p0, { re: m.omegaRe, im: m.omegaIm }, m.k, m2, -1, rM)));
  const uA = [col((p) => series[p][0].re), col((p) => series[p][0].im), col((p) => series[p][0].dre), col((p) => series[p][0].dim)];
  const uB = [col((p) => series[p][1].re), col((p) => series[p][1].im), col((p) => series[p][1].dre), col((p) => series[p][1].dim)];
  const target = [col((p) => data.chi[2 * p]), col((p) => data.chi[2 * p + 1])];
  const wgt = col((p) => data.invSigma[p]);
  // dense spline basis on the inner points, per-point constants
  const basis = (which: 'a' | 'b', from: number, to: number): tf.Tensor => {
    const m = new Float32Array(n * (to - from));
    for (let i = 0; i < nIn; i++) {
      const row = grid.basisAt(grid.r[i])[which];
      for (let j = from; j < to; j++) m[i * (to - from) + j - from] = row[j];
    }
    const t = tf.tensor2d(m, [n, to - from]);
    keep.push(t);
    return t;
  };
  const Ba = basis('a', 0, K - 1), Bb = basis('b', K - 1, nw);
  const pointConst = (f: (r: number) => number): tf.Tensor => {
    const t = tf.tensor2d(Float32Array.from(grid.r, f), [n, 1]);
    keep.push(t);
    return t;
  };
  const A0 = pointConst((r) => 1 / (1 + r * r)), Q = pointConst((r) => (r * r) / (1 + r * r)), MR2 = pointConst((r) => m2 * r * r);
  const H2 = grid.H * grid.H;
  const d2row = (which: 'yA' | 'yB'): tf.Tensor => {
    // α''(0)/2 = (3(y1 − y0) − H m1)/H² as a row over the variable's entries
    const len = which === 'yA' ? K - 1 : nw - K + 1;
    const row = new Float32Array(len);
    const D = grid.D;
    const at = (node: number): number => (which === 'yA' ? node : node - 1);
    for (let node = 0; node < K; node++) {
      const c = (node === 1 ? 3 : node === 0 ? -3 : 0) - D[1 * K + node];
      const j = at(node);
      if (j >= 0 && j < len) row[j] += c / H2;
    }
    const t = tf.tensor2d(row, [1, len]);
    keep.push(t);
    return t;
  };
  const dA = d2row('yA'), dB = d2row('yB');
  const akc = col((p) => ak[p]), akk = col((p) => ak[p] * (ak[p] + 2)), den = col((p) => -1 / (4 * (ak[p] + 1)));
  const h = grid.h, hh = h / 2, r0 = grid.r[0];
  const cmul = (a: C, b: C): C => [tf.sub(tf.mul(a[0], b[0]), tf.mul(a[1], b[1])), tf.add(tf.mul(a[0], b[1]), tf.mul(a[1], b[0]))];
  const axpy = (y: C, x: C, s: number): C => [tf.add(y[0], tf.mul(x[0], s)), tf.add(y[1], tf.mul(x[1], s))];

  const chiGraph = (): C => {
    const alpha = tf.reshape(net.alphaVar, [K - 1, 1]);
    const beta = tf.reshape(net.betaVar, [nw - K + 1, 1]);
    const al = tf.matMul(Ba, alpha);
    const be = tf.matMul(Bb, beta);
    const u = tf.exp(tf.mul(tf.add(al, be), -0.5));
    const v = tf.exp(tf.mul(tf.sub(al, be), 0.5));
    const ua = tf.mul(u, A0), cm = tf.mul(v, MR2), cq = tf.mul(u, Q);
    const pick = (t: tf.Tensor, i: number): tf.Tensor => tf.slice(t, [i, 0], [1, 1]);
    const coeff = (i: number): [tf.Tensor, C] => {
      const q = pick(cq, i);
      return [pick(ua, i), [tf.sub(tf.add(pick(cm, i), tf.mul(k2, pick(v, i))), tf.mul(o2re, q)), tf.neg(tf.mul(o2im, q))]];
    };
    // Frobenius start: c = −[g2|k|(|k|+2) + (φ2 − g2)|k| + Ω²/f0 − m²]/(4(|k|+1))
    const f0inv = tf.exp(tf.neg(tf.slice(alpha, [0, 0], [1, 1])));
    const phi2 = tf.add(tf.matMul(dA, alpha), 1), g2 = tf.add(tf.matMul(dB, beta), 1);
    const cre = tf.mul(tf.sub(tf.add(tf.add(tf.mul(g2, akk), tf.mul(tf.sub(phi2, g2), akc)), tf.mul(o2re, f0inv)), m2), den);
    const cim = tf.mul(tf.mul(o2im, f0inv), den);
    const S = tf.div(1 + r0 * r0, pick(u, 0));
    let R: C = [tf.add(tf.mul(cre, r0 * r0), 1), tf.mul(cim, r0 * r0)];
    let Pi: C = [tf.mul(S, tf.add(akc, tf.mul(tf.mul(tf.add(akc, 2), cre), r0 * r0))), tf.mul(S, tf.mul(tf.mul(tf.add(akc, 2), cim), r0 * r0))];
    for (let j = 0; j < N; j++) {
      const [a0, c0] = coeff(2 * j), [am, cmid] = coeff(2 * j + 1), [ae, ce] = coeff(2 * j + 2);
      const k1: [C, C] = [[tf.mul(a0, Pi[0]), tf.mul(a0, Pi[1])], cmul(c0, R)];
      const t2: [C, C] = [axpy(R, k1[0], hh), axpy(Pi, k1[1], hh)];
      const k2s: [C, C] = [[tf.mul(am, t2[1][0]), tf.mul(am, t2[1][1])], cmul(cmid, t2[0])];
      const t3: [C, C] = [axpy(R, k2s[0], hh), axpy(Pi, k2s[1], hh)];
      const k3: [C, C] = [[tf.mul(am, t3[1][0]), tf.mul(am, t3[1][1])], cmul(cmid, t3[0])];
      const t4: [C, C] = [axpy(R, k3[0], h), axpy(Pi, k3[1], h)];
      const k4: [C, C] = [[tf.mul(ae, t4[1][0]), tf.mul(ae, t4[1][1])], cmul(ce, t4[0])];
      const step = (y: C, idx: 0 | 1): C => axpy(axpy(axpy(axpy(y, k1[idx], h / 6), k2s[idx], h / 3), k3[idx], h / 3), k4[idx], h / 6);
      R = step(R, 0);
      Pi = step(Pi, 1);
      if (j % 25 === 24) {
        // float32 range: rescale by a constant per mode (χ depends on B/A only)
        const s = tf.tidy(() => tf.div(1, tf.add(tf.add(tf.abs(R[0]), tf.abs(R[1])), 1e-30)));
        const sc = tf.tensor2d(s.dataSync(), [P, 1]);
        s.dispose();
        R = [tf.mul(R[0], sc), tf.mul(R[1], sc)];
        Pi = [tf.mul(Pi[0], sc), tf.mul(Pi[1], sc)];
      }
    }
    const dR: C = [tf.mul(Pi[0], 1 / (rM * (1 + rM * rM))), tf.mul(Pi[1], 1 / (rM * (1 + rM * rM)))];
    // B/A = (uA R' − R uA')/(R uB' − uB R')
    const num = cmul([uA[0], uA[1]], dR), num2 = cmul(R, [uA[2], uA[3]]);
    const dn1 = cmul(R, [uB[2], uB[3]]), dn2 = cmul([uB[0], uB[1]], dR);
    const Nr = tf.sub(num[0], num2[0]), Ni = tf.sub(num[1], num2[1]);
    const Dr = tf.sub(dn1[0], dn2[0]), Di = tf.sub(dn1[1], dn2[1]);
    const dd = tf.add(tf.mul(Dr, Dr), tf.mul(Di, Di));
    const sChi = 2 * net.delta - 2;
    return [tf.mul(tf.div(tf.add(tf.mul(Nr, Dr), tf.mul(Ni, Di)), dd), sChi), tf.mul(tf.div(tf.sub(tf.mul(Ni, Dr), tf.mul(Nr, Di)), dd), sChi)];
  };
  const prior = createTfPrior(net);
  const optimizer = tf.train.sgd(learningRate);
  return {
    forward(): Float32Array {
      const out = new Float32Array(2 * P);
      tf.tidy(() => {
        const [re, im] = chiGraph();
        const a = re.dataSync(), b = im.dataSync();
        for (let p = 0; p < P; p++) {
          out[2 * p] = a[p];
          out[2 * p + 1] = b[p];
        }
      });
      return out;
    },
    trainStep(): number {
      const loss = optimizer.minimize(() => {
        const [re, im] = chiGraph();
        const rr = tf.mul(tf.sub(re, target[0]), wgt), ri = tf.mul(tf.sub(im, target[1]), wgt);
        const sm = prior.residual();
        return tf.add(tf.add(tf.sum(tf.mul(rr, rr)), tf.sum(tf.mul(ri, ri))), tf.sum(tf.mul(sm, sm))) as tf.Scalar;
      }, true, [net.alphaVar, net.betaVar]);
      const v = loss ? loss.dataSync()[0] : NaN;
      loss?.dispose();
      net.pullWeightsFromVariables();
      return v;
    },
    dispose(): void {
      optimizer.dispose();
      for (const t of keep) t.dispose();
      prior.dispose();
    },
  };
}
