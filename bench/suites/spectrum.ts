/**
 * The holography checks of physics.md §12–13, each as a ratio to a baseline
 * measured in the same run:
 *  - the ring image (|k| ≤ 40, 601 image points, closed-form sinc sum) vs the
 *    closed-form χ(Ω, k) it is built from (81 Γ-function evaluations).
 */
import type { BenchSuite } from '../run.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { ringImage } from '../../src/physics/ringImage.ts';

export const suite: BenchSuite = {
  name: 'spectrum',
  cases: async () => {
    const W = { re: 12, im: 0.25 };
    const closedForm = () => Array.from({ length: 41 }, (_, k) => diskChi(1.5, W, k));
    const chi = closedForm();
    return [
      {
        name: 'ring image (|k| ≤ 40, 601 points)',
        run: () => ringImage(chi, W),
        baseline: { name: 'closed-form χ for |k| ≤ 40 at the same Ω', run: closedForm },
      },
    ];
  },
};
