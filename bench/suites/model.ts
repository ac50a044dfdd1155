/**
 * Metric network benchmarks (physics.md §8). Ratios are to baselines measured in
 * the same run, so they compare across machines:
 *  - full default reconstruction (624 points, N = 400, K = 32, from pure AdS) vs one
 *    forward pass of the same network (goal ≤ 0.75 s on one thread);
 *  - lean live mode (|k| ≤ 4, N = 200, K = 16) vs its forward pass (goal ≤ 0.15 s);
 *  - one fused training step (exact normal equations + trust-region LM update) vs one
 *    training step of the plain tf-op graph of the same network (tf autodiff + SGD),
 *    both at N = 200 on the full 624-point table (goal ratio ≤ 0.1);
 *  - the full reconstruction with the modes split over two worker threads vs one thread;
 *  - the horizon network's reconstruction of a deformed black hole (624 pts, N = 400,
 *    K = 16, from the r_h scan, r_c chosen by the evidence: horizon/clamp.ts) vs the disk reconstruction of the deformed disk (goal ratio ≤ 2);
 *  - the horizon reconstruction with Δ profiled (horizon/deltaProfile.ts; deformed black
 *    hole at Δ = 1.62) vs the horizon reconstruction at the true Δ on the same table;
 *  - the daemon's horizon fit with the table's scale κ free (HorizonNetwork freeScale; small ring,
 *    |k| ≤ 4, N = 200, a calibration constant 6·10⁻⁴ off) vs the same fit without κ (goal ≤ 1.5).
 */
import { runCase } from '../harness.ts';
import type { BenchSuite } from '../run.ts';
import { initBackend } from '../../src/model/backend.ts';
import { createMetricNetwork } from '../../src/model/network.ts';
import { createPlainGraph } from '../../src/model/tfGraph.ts';
import { trustRegionStep, symmetrize } from '../../src/util/linalg.ts';
import { blackHoleMetric, btzMetric, deformedMetric } from '../../src/physics/metric.ts';
import { createHorizonNetwork } from '../../src/model/horizon/network.ts';
import { fitHorizonClamp } from '../../src/model/horizon/clamp.ts';
import { fitHorizonDelta, horizonDeltaStart } from '../../src/model/horizon/deltaProfile.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';

const omegas = Array.from({ length: 48 }, (_, i) => 0.25 * (i + 1));

export const suite: BenchSuite = {
  name: 'model',
  cases: async () => {
    const backend = await initBackend();
    const table = simulateResponseTable({ metric: deformedMetric(0.3, -0.2, 1.5), delta: 1.5, omegas, gamma: 0.25, kMax: 12, noise: 0.01, seed: 1 });
    const leanTable = table.filter((p) => Math.abs(p.k) <= 4);
    const bhTable = simulateResponseTable({ metric: blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7), delta: 1.5, omegas, gamma: 0.25, kMax: 12, noise: 0.01, seed: 1 });
    const bhTable162 = simulateResponseTable({ metric: blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7), delta: 1.62, omegas, gamma: 0.25, kMax: 12, noise: 0.01, seed: 2 });
    // the e2e's small black-hole ring, its calibration constant off by κ − 1 = −5.4·10⁻⁴ − 3·10⁻⁴i
    const smallBh = simulateResponseTable({ metric: btzMetric(1.5), delta: 1.5, omegas: omegas.filter((_, i) => i % 2 === 1), gamma: 0.25, kMax: 4, noise: 0.001, seed: 1 })
      .map((p) => ({ ...p, chiRe: (1 - 5.4e-4) * p.chiRe + 3e-4 * p.chiIm, chiIm: (1 - 5.4e-4) * p.chiIm - 3e-4 * p.chiRe }));
    const full = createMetricNetwork({ layers: 400, nodes: 32 });
    const lean = createMetricNetwork({ layers: 200, nodes: 16 });
    const half = createMetricNetwork({ layers: 200, nodes: 32 });
    const forwardOf = (net: typeof full, t: typeof table) => {
      const { kernel } = net.prepare(t);
      const theta = net.weights();
      const out = new Float64Array(2 * kernel.P);
      return () => kernel.forward(theta, out);
    };
    // one fused LM training step: normal equations at θ, trust-region step, variable update
    const fusedStep = () => {
      const { data, kernel } = half.prepare(table);
      const nw = half.grid.nw;
      const A = new Float64Array(nw * nw), b = new Float64Array(nw), chi = new Float64Array(2 * kernel.P), H = new Float64Array(nw * nw);
      return () => {
        const theta = half.weights();
        kernel.normal(theta, data.chi, data.invSigma, chi, A, b);
        symmetrize(A, nw);
        for (let i = 0; i < nw * nw; i++) H[i] = A[i] + half.prior[i];
        // gradient/2 of the loss: Jᵀr + λLᵀLθ
        for (let i = 0; i < nw; i++) for (let j = 0; j < nw; j++) b[i] += half.prior[i * nw + j] * theta[j];
        const { p } = trustRegionStep(H, b, nw, 1e-3);
        half.setWeights(theta.map((v, i) => v + p[i]));
      };
    };
    const plain = createPlainGraph(half, table);
    return [
      {
        name: `model: full reconstruction (624 pts, N=400, K=32, from AdS, ${backend})`,
        run: () => full.fit(table, { init: 'ads' }),
        baseline: { name: 'one forward pass N=400 (624 pts)', run: forwardOf(full, table) },
        repeats: 5,
        warmup: 1,
        goalMs: 750,
      },
      async () => {
        const threaded = createMetricNetwork({ layers: 400, nodes: 32 });
        await threaded.fitParallel(table, { init: 'ads', threads: 2 }); // starts the workers
        try {
          return await runCase({
            name: 'model: full reconstruction, modes over 2 threads (SharedArrayBuffer + Atomics)',
            run: () => threaded.fitParallel(table, { init: 'ads', threads: 2 }),
            baseline: { name: 'same fit on one thread', run: () => full.fit(table, { init: 'ads' }) },
            repeats: 5,
            warmup: 1,
          });
        } finally {
          await threaded.dispose();
        }
      },
      {
        name: 'model: lean reconstruction (|k|≤4, N=200, K=16, from AdS)',
        run: () => lean.fit(leanTable, { init: 'ads' }),
        baseline: { name: 'one forward pass N=200 (240 pts)', run: forwardOf(lean, leanTable) },
        repeats: 7,
        warmup: 2,
        goalMs: 150,
      },
      {
        name: 'model: horizon reconstruction (deformed black hole, 624 pts, N=400, K=16, from the r_h scan, r_c by the evidence)',
        run: () => fitHorizonClamp(bhTable, createHorizonNetwork(), { init: 'scan' }),
        baseline: { name: 'disk reconstruction (deformed disk, 624 pts, N=400, K=32, from AdS)', run: () => full.fit(table, { init: 'ads' }) },
        repeats: 3,
        warmup: 1,
        goalRatio: 2,
      },
      {
        name: 'model: horizon reconstruction with Δ profiled (deformed black hole at Δ = 1.62, 624 pts, N=400, K=16: start scan + profile)',
        run: () => {
          const start = horizonDeltaStart(bhTable162, { deltaStart: 1.5 });
          return fitHorizonDelta(bhTable162, { start: start.delta, rhGuess: start.rh });
        },
        baseline: { name: 'the horizon reconstruction at the true Δ, same table (from the r_h scan)', run: () => createHorizonNetwork({ delta: 1.62 }).fit(bhTable162, { init: 'scan' }) },
        repeats: 3,
        warmup: 1,
      },
      {
        name: 'model: live horizon fit with the scale κ free (small BTZ ring, 120 pts, N=200, K=16, from r_h = 1.5)',
        run: () => createHorizonNetwork({ layers: 200, freeScale: true }).fit(smallBh, { init: 'scan', rhGuess: 1.5 }),
        baseline: { name: 'the same fit without κ', run: () => createHorizonNetwork({ layers: 200 }).fit(smallBh, { init: 'scan', rhGuess: 1.5 }) },
        repeats: 5,
        warmup: 1,
        goalRatio: 1.5,
      },
      {
        name: 'model: fused training step (Jacobian + LM update, N=200, 624 pts)',
        run: fusedStep(),
        baseline: { name: 'plain tf-op graph training step (autodiff + SGD, same size)', run: () => plain.trainStep() },
        repeats: 3,
        warmup: 1,
        goalRatio: 0.1,
      },
    ];
  },
};
