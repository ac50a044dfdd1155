import type { BenchSuite } from '../run.ts';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { adsMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';

/** The default `holoring simulate` grid (48 ω × 13 k) vs the closed form on the same grid. */
export const suite: BenchSuite = {
  name: 'simulate',
  cases: async () => {
    const omegas = frequencyGrid(0.25, 12, 0.25);
    return [
      {
        name: 'simulate default grid (48 ω × 13 k, mode solver)',
        run: () => simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas, gamma: 0.25, kMax: 12, noise: 0.01, seed: 1 }),
        baseline: {
          name: 'closed form on the same grid',
          run: () => {
            let s = 0;
            for (const w of omegas) for (let k = 0; k <= 12; k++) s += diskChi(1.5, { re: w, im: 0.25 }, k).re;
            return s;
          },
        },
        goalMs: 1000,
      },
    ];
  },
};
