/**
 * Δ from the data for black-hole samples (physics.md §10, §11): the horizon
 * network's profile over Δ on tables the mode solver simulated at Δ ∈ {1.3, 1.62,
 * 2.4} for BTZ and deformed black holes at 1% noise, each compared with the truth
 * and with a fit at the true Δ on the same table.
 */
import { describe, expect, it } from 'vitest';
import { fitHorizonDelta, horizonDeltaStart } from '../../src/model/horizon/deltaProfile.ts';
import { createHorizonNetwork } from '../../src/model/horizon/network.ts';
import { ErrorCodes } from '../../src/errors.ts';
import { defaultTableAt } from './targets.ts';
import { type HorizonTarget, horizonTargets, scoreHorizon } from './horizonTargets.ts';

const cases: Array<{ target: HorizonTarget; delta: number; start: number; seed: number }> = [
  { target: 'btz', delta: 1.3, start: 1.5, seed: 2 },
  { target: 'bumpF', delta: 1.3, start: 1.5, seed: 3 },
  { target: 'btz', delta: 1.62, start: 1.5, seed: 2 },
  { target: 'dipG', delta: 1.62, start: 1.5, seed: 3 },
  { target: 'btz', delta: 2.4, start: 2.5, seed: 3 },
  { target: 'bumpF', delta: 2.4, start: 2.5, seed: 2 },
];

describe('horizon network: Δ profiled with the metric', () => {
  for (const c of cases) {
    it(`${c.target} at Δ = ${c.delta} (start ${c.start}, seed ${c.seed}): Δ within 3σ and 1e-3, r_h within 2%, as accurate as at the true Δ`, () => {
      const metric = horizonTargets[c.target]();
      const table = defaultTableAt(metric, c.delta, 0.01, c.seed);
      const start = horizonDeltaStart(table, { deltaStart: c.start });
      expect(Math.abs(start.delta - c.delta)).toBeLessThan(0.05);
      const { net, fit } = fitHorizonDelta(table, { start: start.delta, rhGuess: start.rh });
      const known = createHorizonNetwork({ delta: c.delta }).fit(table);
      expect(net.delta).toBe(fit.delta);
      expect(fit.converged).toBe(true);
      expect(fit.delta_auto).toBe(true);
      expect(fit.delta_err).toBeGreaterThan(0);
      expect(fit.delta_err).toBeLessThan(5e-4);
      expect(Math.abs(fit.delta - c.delta)).toBeLessThan(3 * fit.delta_err);
      expect(Math.abs(fit.delta - c.delta)).toBeLessThan(1e-3);
      // the estimate is the lowest point of the profile, which rises on both sides
      const { deltas, loss } = fit.delta_search;
      const i = deltas.indexOf(fit.delta);
      expect(loss[i]).toBe(Math.min(...loss));
      expect(deltas.some((d) => d < fit.delta) && deltas.some((d) => d > fit.delta)).toBe(true);
      const s = scoreHorizon(metric, fit), sk = scoreHorizon(metric, known);
      expect(Math.abs(s.rhRel)).toBeLessThan(0.02);
      expect(Math.abs(s.rhZ)).toBeLessThan(2.5);
      expect(Math.abs(s.tZ)).toBeLessThan(3);
      expect(s.fg, `auto ${s.fg} known ${sk.fg}`).toBeLessThan(Math.max(1.15 * sk.fg, sk.fg + 2e-3));
      expect(s.coverage).toBeGreaterThanOrEqual(0.9);
      expect(fit.chi2).toBeGreaterThan(0.85);
      expect(fit.chi2).toBeLessThan(1.15);
      // σ_Δ is carried into the bands: never narrower than with Δ known (up to the Jacobian at Δ̂ ≠ Δ)
      expect(fit.rh_err).toBeGreaterThanOrEqual(known.rh_err * 0.99);
      expect(fit.temperature_err).toBeGreaterThanOrEqual(known.temperature_err * 0.99);
      expect(fit.dof).toBeCloseTo(known.dof - 1, 0);
    });
  }

  it('a table whose Δ lies beyond the interval of the start is refused with RING_ERR_DELTA_INTEGER, naming --delta-start', () => {
    // Δ = 2.1 searched in (1, 2): trial fits that run r_h away are rejected steps, and the profile falls on out of the interval
    const table = defaultTableAt(horizonTargets.btz(), 2.1, 0.01, 1).filter((_, i) => i % 3 === 0);
    expect(() => fitHorizonDelta(table, { start: 1.9, shape: { layers: 200 } })).toThrow(
      expect.objectContaining({ code: ErrorCodes.DELTA_INTEGER, message: expect.stringMatching(/past the end of the interval \(1, 2\).*--delta-start/) }),
    );
  });
});
