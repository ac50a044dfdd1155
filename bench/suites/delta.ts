/**
 * Δ from the data (physics.md §10): the joint fit of Δ and the metric against the
 * fit at the true Δ, on the same table (624 points at Δ = 1.62, deformed metric,
 * 1% noise, N = 400, K = 32, from pure AdS). The Δ-auto fit includes the coarse
 * profile over Δ on the UV modes (measured on its own too); started at Δ = 1.5, or
 * without a start, scanning the integer intervals (1, 2) … (4, 5).
 */
import type { BenchSuite } from '../run.ts';
import { initBackend } from '../../src/model/backend.ts';
import { prepareData } from '../../src/model/data.ts';
import { profileDelta } from '../../src/model/deltaFree.ts';
import { createMetricNetwork } from '../../src/model/network.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';

const omegas = Array.from({ length: 48 }, (_, i) => 0.25 * (i + 1));

export const suite: BenchSuite = {
  name: 'delta',
  cases: async () => {
    await initBackend();
    const table = simulateResponseTable({ metric: deformedMetric(0.3, -0.2, 1.5), delta: 1.62, omegas, gamma: 0.25, kMax: 12, noise: 0.01, seed: 1 });
    const known = createMetricNetwork({ delta: 1.62 });
    const auto = createMetricNetwork({ delta: 'auto', deltaStart: 1.5 });
    const scan = createMetricNetwork({ delta: 'auto' });
    const data = prepareData(table, known.grid.nw);
    return [
      {
        name: 'delta: Δ-auto reconstruction (profile + joint fit, start 1.5, truth 1.62)',
        run: () => auto.fit(table, { init: 'ads' }),
        baseline: { name: 'the same reconstruction at the true Δ', run: () => known.fit(table, { init: 'ads' }) },
        repeats: 5,
        warmup: 1,
      },
      {
        name: 'delta: Δ-auto reconstruction without a start (the profile scans (1, 2) … (4, 5), then the joint fit)',
        run: () => scan.fit(table, { init: 'ads' }),
        baseline: { name: 'the same reconstruction at the true Δ', run: () => known.fit(table, { init: 'ads' }) },
        repeats: 5,
        warmup: 1,
      },
      {
        name: 'delta: coarse Δ profile alone (UV modes, 19 Δ values)',
        run: () => profileDelta(auto.grid, data, 1.5),
        baseline: { name: 'the reconstruction at the true Δ', run: () => known.fit(table, { init: 'ads' }) },
        repeats: 5,
        warmup: 1,
      },
    ];
  },
};
