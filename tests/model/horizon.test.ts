/**
 * The horizon network (physics.md §11): forward pass against the BTZ closed form
 * and against the mode solver on a deformed black hole, the exact Jacobian against
 * finite differences, checkpoints, and accuracy on a reduced set of seeds (the full
 * sweep over seeds is `npm run accuracy:horizon`).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_HORIZON_SHAPE, HorizonGrid } from '../../src/model/horizon/grid.ts';
import { HorizonKernel } from '../../src/model/horizon/kernel.ts';
import { createHorizonNetwork } from '../../src/model/horizon/network.ts';
import { parseHorizonCheckpoint, thetaFromHorizonCheckpoint } from '../../src/model/horizon/checkpoint.ts';
import type { KernelMode } from '../../src/model/kernel.ts';
import { btzChi } from '../../src/physics/closedForm.ts';
import { GridSolver } from '../../src/physics/gridSolver.ts';
import type { Metric } from '../../src/physics/metric.ts';
import { Rng } from '../../src/util/random.ts';
import { DEFAULT_OMEGAS } from './targets.ts';
import { predictHorizon } from './horizonPrediction.ts';
import { type HorizonTarget, horizonTable, horizonTargets, scoreHorizon } from './horizonTargets.ts';

const defaultModes: KernelMode[] = DEFAULT_OMEGAS.flatMap((w) => Array.from({ length: 13 }, (_, k) => ({ omegaRe: w, omegaIm: 0.25, k })));
const rel = (a: number, b: number, c: number, d: number): number => Math.hypot(a - c, b - d) / Math.hypot(c, d);

function randomTheta(grid: HorizonGrid, seed: number, rh: number): Float64Array {
  const rng = new Rng(seed);
  const t = Float64Array.from({ length: grid.nw }, () => 0.2 * (2 * rng.uniform() - 1));
  t[grid.iq] = Math.log(rh);
  return t;
}

/** The network's metric for weights θ, as a physics Metric the mode solver integrates independently. */
function metricOf(grid: HorizonGrid, theta: Float64Array): Metric {
  const rh = Math.exp(theta[grid.iq]), K = grid.K;
  const fn = (off: number) => (r: number): number => {
    const { c } = grid.basisAt(Math.atan(r / rh));
    return c.reduce((s, ci, j) => s + ci * theta[off + j], 0);
  };
  const alpha = fn(0), beta = fn(K);
  const z = (r: number): number => (r - rh) * (r + rh);
  return { kind: 'blackhole', label: 'network', centre: { type: 'horizon', rh, alpha, beta }, M: rh * rh, rExact: rh * grid.shape.rCRatio, f: (r) => z(r) * Math.exp(alpha(r)), g: (r) => z(r) * Math.exp(beta(r)) };
}

describe('horizon network: forward pass', () => {
  const grid = new HorizonGrid(DEFAULT_HORIZON_SHAPE);
  const ker = new HorizonKernel(grid, 1.5, defaultModes);
  const chi = new Float64Array(2 * defaultModes.length);

  for (const rh of [1.5, 2.2]) {
    it(`BTZ weights (α = β = 0, r_h = ${rh}) reproduce the closed form within 1e-5 at N = 400 on the default 624 modes`, () => {
      const theta = new Float64Array(grid.nw);
      theta[grid.iq] = Math.log(rh);
      ker.forward(theta, chi);
      let worst = 0;
      defaultModes.forEach((m, p) => {
        const t = btzChi(1.5, rh, { re: m.omegaRe, im: m.omegaIm }, m.k);
        worst = Math.max(worst, rel(chi[2 * p], chi[2 * p + 1], t.re, t.im));
      });
      expect(worst).toBeLessThan(1e-5);
    });
  }

  // random node values (±0.2 each) make a rougher metric than any target: RK4 at N = 400 is then within ~2e-5
  it('deformed weights agree with the mode solver on the same metric within 3e-5', () => {
    const theta = randomTheta(grid, 3, 1.3);
    const modes = defaultModes.filter((_, i) => i % 7 === 0);
    const k2 = new HorizonKernel(grid, 1.5, modes);
    const out = k2.forward(theta, new Float64Array(2 * modes.length));
    const solver = new GridSolver(metricOf(grid, theta), 1.5, { rMax: 1.3 * grid.shape.rMaxRatio });
    let worst = 0, moved = 0;
    modes.forEach((m, p) => {
      const om = { re: m.omegaRe, im: m.omegaIm };
      const s = solver.chi(om, m.k), b = btzChi(1.5, 1.3, om, m.k);
      worst = Math.max(worst, rel(out[2 * p], out[2 * p + 1], s.re, s.im));
      moved = Math.max(moved, rel(s.re, s.im, b.re, b.im));
    });
    expect(moved).toBeGreaterThan(0.05);
    expect(worst).toBeLessThan(3e-5);
  });
});

describe('horizon network: exact Jacobian', () => {
  it('every column (node values, horizon slopes, ln r_h) matches central finite differences', () => {
    const grid = new HorizonGrid({ ...DEFAULT_HORIZON_SHAPE, layers: 200, nodes: 8 });
    const modes: KernelMode[] = [];
    for (const w of [0.5, 3.25, 11]) for (const k of [0, 1, 4, 12, 30]) modes.push({ omegaRe: w, omegaIm: 0.25, k });
    const ker = new HorizonKernel(grid, 1.5, modes);
    const theta = randomTheta(grid, 5, 1.4);
    const P2 = 2 * modes.length;
    const J = ker.jacobian(theta, new Float64Array(P2));
    const eps = 1e-6;
    for (let a = 0; a < grid.nw; a++) {
      const tp = theta.slice(), tm = theta.slice();
      tp[a] += eps;
      tm[a] -= eps;
      const cp = ker.forward(tp, new Float64Array(P2)), cm = ker.forward(tm, new Float64Array(P2));
      let err = 0, size = 0;
      for (let r = 0; r < P2; r++) {
        const fd = (cp[r] - cm[r]) / (2 * eps);
        err = Math.max(err, Math.abs(fd - J[r * grid.nw + a]));
        size = Math.max(size, Math.abs(fd));
      }
      expect(size, `column ${a}`).toBeGreaterThan(0);
      expect(err / size, `column ${a}`).toBeLessThan(1e-5);
    }
  });
});

describe('horizon network: checkpoints', () => {
  it('round-trips the weights and resamples them to another K', () => {
    const net = createHorizonNetwork({ nodes: 12 });
    const theta = randomTheta(net.grid, 9, 1.7);
    net.setWeights(theta);
    const cp = parseHorizonCheckpoint(JSON.parse(JSON.stringify(net.checkpoint())));
    const back = thetaFromHorizonCheckpoint(cp, net.grid, 1.5);
    back.forEach((v, i) => expect(v).toBeCloseTo(theta[i], 12));
    const fine = createHorizonNetwork({ nodes: 24 });
    fine.restore(cp);
    // the resampled spline follows the old one between the nodes
    const t2 = fine.weights();
    for (const ratio of [1.05, 1.4, 2.2, 3.5]) {
      for (const off of [0, 1]) {
        const a = net.grid.basisAt(Math.atan(ratio)).c.reduce((s, c, j) => s + c * theta[off * 12 + j], 0);
        const b = fine.grid.basisAt(Math.atan(ratio)).c.reduce((s, c, j) => s + c * t2[off * 24 + j], 0);
        expect(Math.abs(a - b)).toBeLessThan(2e-3);
      }
    }
    expect(() => parseHorizonCheckpoint({ format: 'holoring-metric-network' })).toThrow(/not a horizon-network checkpoint/);
  });
});

describe('horizon network: accuracy at 1% noise (default grid, from the r_h scan)', () => {
  const cases: Array<[HorizonTarget, number[]]> = [['btz', [2, 3]], ['bumpF', [2, 3]], ['dipG', [2, 3]]];
  for (const [name, seeds] of cases) {
    it(`${name}: r_h within 2% and 2.5σ, T within 3σ, f and g within 2% on [1.5 r_h, 3], 2σ coverage ≥ 90% on [1.1 r_h, 3] (seeds ${seeds.join(', ')})`, () => {
      for (const seed of seeds) {
        const net = createHorizonNetwork();
        const est = net.fit(horizonTable(name, seed));
        const s = scoreHorizon(horizonTargets[name](), est);
        const tag = `${name} seed ${seed}`;
        expect(est.converged, tag).toBe(true);
        expect(Math.abs(s.rhRel), tag).toBeLessThan(0.02);
        expect(Math.abs(s.rhZ), tag).toBeLessThan(2.5);
        expect(Math.abs(s.tZ), tag).toBeLessThan(3);
        expect(s.fg, tag).toBeLessThan(0.02);
        expect(s.coverage, tag).toBeGreaterThanOrEqual(0.9);
        expect(est.chi2, tag).toBeGreaterThan(0.85);
        expect(est.chi2, tag).toBeLessThan(1.15);
      }
    });
  }
});

describe('horizon network: bias and sampling spread (exact tables with the σ of 1% noise)', () => {
  for (const name of ['bumpF', 'dipG'] as const) {
    it(`${name}: the exact-table fit is unbiased (r_h within 0.3σ, f and g within 1% on [1.5 r_h, 3]) and its sampling spread lies inside its bands`, () => {
      const p = predictHorizon(name, {}, 400);
      expect(Math.abs(p.rhBiasZ)).toBeLessThan(0.3);
      expect(p.fgBias).toBeLessThan(0.01);
      // C JᵀJ C ≤ C: the posterior band also holds the prior's uncertainty
      expect(p.sdF).toBeLessThan(p.bandF);
      expect(p.sdG).toBeLessThan(p.bandG);
      // knowing r_h narrows the bands near the horizon, but not to zero: g there is limited by the data, not by r_h alone
      expect(p.bandGivenRhG).toBeLessThan(p.bandG);
      expect(p.bandGivenRhG).toBeGreaterThan(0.5 * p.bandG);
      expect(p.pass).toBeGreaterThan(0.5);
    });
  }
});
