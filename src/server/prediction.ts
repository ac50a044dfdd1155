import type { ResponsePoint } from '../contracts/response.ts';
import type { GeometryFit, HorizonCheckpoint } from '../model/index.ts';
import { thetaFromHorizonCheckpoint } from '../model/horizon/checkpoint.ts';
import { HorizonGrid } from '../model/horizon/grid.ts';
import { HorizonKernel } from '../model/horizon/kernel.ts';
import { GridSolver } from '../physics/gridSolver.ts';
import { tableMetric } from '../physics/metric.ts';
import { type Prediction, cellKey } from './views.ts';

/** RK4 steps of the disk prediction (Richardson-extrapolated; ample for a chart, ~1e-6 relative). */
const PREDICTION_STEPS = 1000;
/** Disk modes solved between yields to the event loop (about a millisecond each). */
const MODES_PER_SLICE = 8;
/** Horizon modes per forward pass of the network between yields (N = 400: about 0.1 ms per mode). */
const HORIZON_MODES_PER_SLICE = 32;

type Cell = Pick<ResponsePoint, 'omega' | 'gamma' | 'k'>;
type Complex = { re: number; im: number };

/**
 * What the prediction needs of a fit: the metric on its radial grid (disk), the
 * geometry with its checkpoint (horizon: the network's own weights), and the fitted
 * complex scale κ of χ when the fit had one (χ_table ≈ κ·χ_model).
 */
export type PredictableFit = Pick<GeometryFit, 'r' | 'f' | 'g'> & {
  geometry?: GeometryFit['geometry'];
  checkpoint?: GeometryFit['checkpoint'];
  scale?: Complex;
};

/**
 * The model's χ(ω + iγ, k) at every cell of the response table, as the fit
 * describes the table: for the disk, the fitted metric (f, g on the estimate's
 * radial grid, as a tabulated metric) by the grid mode solver (physics.md §3–4);
 * for a horizon fit, the horizon network's own forward pass (physics.md §11: the
 * infalling start at r_h, the RK4 layers, the boundary match with M = r_h²) at
 * the checkpoint's weights and Δ; both times the fit's scale κ when it has one.
 * Runs in slices that yield to the event loop, so acquisition and the WebSocket
 * never wait on it; returns null when `stale()` says a newer fit arrived
 * meanwhile, or when the fitted metric cannot be evaluated (then the panel shows
 * data without the model). `delta` is the fit's Δ (the disk's solver; the horizon
 * network takes its checkpoint's).
 */
export async function predictResponse(fit: PredictableFit, cells: readonly Cell[], delta: number, stale: () => boolean = () => false): Promise<Prediction | null> {
  const unique = new Map<string, Cell>();
  for (const c of cells) if (!unique.has(cellKey(c.omega, c.k))) unique.set(cellKey(c.omega, c.k), c);
  const raw = fit.geometry === 'horizon' && fit.checkpoint?.format === 'holoring-horizon-network'
    ? await horizonChi(fit.checkpoint, unique, stale)
    : await diskChi(fit, unique, delta, stale);
  if (!raw) return null;
  const k = fit.scale;
  if (k) for (const [key, c] of raw) raw.set(key, { re: k.re * c.re - k.im * c.im, im: k.re * c.im + k.im * c.re });
  return raw;
}

async function diskChi(fit: PredictableFit, cells: Map<string, Cell>, delta: number, stale: () => boolean): Promise<Prediction | null> {
  let solver: GridSolver;
  try {
    solver = new GridSolver(tableMetric({ r: [...fit.r], f: [...fit.f], g: [...fit.g] }, 'fit'), delta, { steps: PREDICTION_STEPS });
  } catch {
    return null;
  }
  const out: Prediction = new Map();
  let i = 0;
  for (const [key, c] of cells) {
    if (i++ % MODES_PER_SLICE === 0) {
      await new Promise((r) => setImmediate(r));
      if (stale()) return null;
    }
    try {
      out.set(key, solver.chi({ re: c.omega, im: c.gamma }, Math.abs(c.k)));
    } catch {
      // a mode the solver cannot integrate is left without a model value
    }
  }
  return out;
}

async function horizonChi(cp: HorizonCheckpoint, cells: Map<string, Cell>, stale: () => boolean): Promise<Prediction | null> {
  let grid: HorizonGrid, theta: Float64Array;
  try {
    grid = new HorizonGrid({ layers: cp.layers, nodes: cp.nodes, xi0: cp.xi0, rMaxRatio: cp.rMaxRatio, rCRatio: cp.rCRatio });
    theta = thetaFromHorizonCheckpoint(cp, grid, cp.delta);
  } catch {
    return null;
  }
  const out: Prediction = new Map();
  const entries = [...cells];
  for (let s = 0; s < entries.length; s += HORIZON_MODES_PER_SLICE) {
    await new Promise((r) => setImmediate(r));
    if (stale()) return null;
    const slice = entries.slice(s, s + HORIZON_MODES_PER_SLICE);
    const kernel = new HorizonKernel(grid, cp.delta, slice.map(([, c]) => ({ omegaRe: c.omega, omegaIm: c.gamma, k: Math.abs(c.k) })));
    const chi = kernel.forward(theta, new Float64Array(2 * slice.length));
    slice.forEach(([key], p) => {
      // a mode the network cannot integrate is left without a model value
      if (Number.isFinite(chi[2 * p]) && Number.isFinite(chi[2 * p + 1])) out.set(key, { re: chi[2 * p], im: chi[2 * p + 1] });
    });
  }
  return out;
}
