import type { ResponsePoint } from '../contracts/response.ts';
import { GridSolver } from '../physics/gridSolver.ts';
import { tableMetric } from '../physics/metric.ts';
import { type Prediction, cellKey } from './views.ts';

/** RK4 steps of the prediction (Richardson-extrapolated; ample for a chart, ~1e-6 relative). */
const PREDICTION_STEPS = 1000;
/** Modes solved between yields to the event loop (about a millisecond each). */
const MODES_PER_SLICE = 8;

/**
 * The model's χ(ω + iγ, k) at every cell of the response table, from the
 * fitted metric (f, g on the estimate's radial grid, as a tabulated metric) by
 * the grid mode solver (physics.md §3–4). Runs in slices that yield to the
 * event loop, so acquisition and the WebSocket never wait on it; returns null
 * when `stale()` says a newer fit arrived meanwhile, or when the fitted metric
 * cannot be tabulated (then the panel shows data without the model).
 */
export async function predictResponse(
  fit: { r: readonly number[]; f: readonly number[]; g: readonly number[] },
  cells: readonly Pick<ResponsePoint, 'omega' | 'gamma' | 'k'>[],
  delta: number,
  stale: () => boolean = () => false,
): Promise<Prediction | null> {
  let solver: GridSolver;
  try {
    solver = new GridSolver(tableMetric({ r: [...fit.r], f: [...fit.f], g: [...fit.g] }, 'fit'), delta, { steps: PREDICTION_STEPS });
  } catch {
    return null;
  }
  const out: Prediction = new Map();
  for (let i = 0; i < cells.length; i++) {
    if (i % MODES_PER_SLICE === 0) {
      await new Promise((r) => setImmediate(r));
      if (stale()) return null;
    }
    const c = cells[i];
    const key = cellKey(c.omega, c.k);
    if (out.has(key)) continue;
    try {
      out.set(key, solver.chi({ re: c.omega, im: c.gamma }, Math.abs(c.k)));
    } catch {
      // a mode the solver cannot integrate is left without a model value
    }
  }
  return out;
}
