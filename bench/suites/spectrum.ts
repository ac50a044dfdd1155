/**
 * The holography checks of physics.md §12–13, each as a ratio to a baseline
 * measured in the same run:
 *  - the ring image (|k| ≤ 40, 601 image points, closed-form sinc sum) vs the
 *    closed-form χ(Ω, k) it is built from (41 closed-form evaluations);
 *  - the holography check (`holoring modes`) of the default table (48 ω × 13 k,
 *    1% noise, disk, 24 resamples) vs the closed-form χ on the same grid.
 */
import type { BenchSuite } from '../run.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';
import { responseTableOf } from '../../src/physics/response.ts';
import { ringImage } from '../../src/physics/ringImage.ts';
import { holographyCheck } from '../../src/physics/spectrum/check.ts';

export const suite: BenchSuite = {
  name: 'spectrum',
  cases: async () => {
    const W = { re: 12, im: 0.25 };
    const closedForm = () => Array.from({ length: 41 }, (_, k) => diskChi(1.5, W, k));
    const chi = closedForm();
    const omegas = frequencyGrid(0.25, 12, 0.25);
    const table = responseTableOf((w, k) => diskChi(1.5, w, k), { omegas, gamma: 0.25, kMax: 12, noise: 0.01, seed: 1 });
    const gridClosedForm = () => {
      let s = 0;
      for (const w of omegas) for (let k = 0; k <= 12; k++) s += diskChi(1.5, { re: w, im: 0.25 }, k).re;
      return s;
    };
    return [
      {
        name: 'holography check, default table (48 ω × 13 k, 24 resamples)',
        run: () => holographyCheck(table),
        baseline: { name: 'closed-form χ on the same grid', run: gridClosedForm },
        repeats: 3,
        warmup: 1,
      },
      {
        name: 'ring image (|k| ≤ 40, 601 points)',
        run: () => ringImage(chi, W),
        baseline: { name: 'closed-form χ for |k| ≤ 40 at the same Ω', run: closedForm },
      },
    ];
  },
};
