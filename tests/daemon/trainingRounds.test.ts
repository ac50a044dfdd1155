import { describe, expect, it } from 'vitest';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';
import { type MetricTrainer, type TrainerOptions, createLiveTrainer, createThreadedTrainer } from '../../src/daemon/trainer.ts';
import { DIVERGENCE_PATIENCE, DIVERGENCE_RATIO, roundJudge } from '../../src/daemon/trainingRounds.ts';
import { trainingFaults } from '../../src/cli/commands/start.ts';
import { parseConfig } from '../../src/config/schema.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';

const points = simulateResponseTable({ metric: deformedMetric(), delta: 1.5, omegas: frequencyGrid(0.5, 12, 0.5), gamma: 0.25, kMax: 4, noise: 0.01, seed: 5 });
const base: TrainerOptions = { geometry: 'disk', delta: 1.5, layers: 200, nodes: 16 };

const code = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'kept', (e: { code?: string; context?: Record<string, unknown> }) => ({ code: e.code, context: e.context }));

describe('round judge', () => {
  const good = (chi2: number) => ({ chi2, f: [1], g: [1], f_err: [0.1], g_err: [0.1] });
  it('discards non-finite rounds and rounds far above the last good χ², then gives way to data that changed', () => {
    const j = roundJudge();
    j.next();
    expect(j.keep(good(1.2))).toBeNull();
    j.next();
    expect(j.keep({ ...good(1), f: [Number.NaN] })).toMatchObject({ code: 'RING_ERR_MODEL_DIVERGED', context: { round: 2, lastGoodChi2: 1.2 } });
    j.next();
    expect(j.keep(good(Number.NaN))?.message).toMatch(/round 3 diverged \(its reduced χ² is not finite\)/);
    // just below the bound is kept; the bound counts from a reduced χ² of at least 1
    j.next();
    expect(j.keep(good(DIVERGENCE_RATIO * 1.2 - 1))).toBeNull();
    for (let i = 0; i < DIVERGENCE_PATIENCE; i++) {
      j.next();
      expect(j.keep(good(1e6))?.message).toMatch(/more than 100× the last good 119\b/);
    }
    // persistently far above: the data changed, the round is kept
    j.next();
    expect(j.keep(good(1e6))).toBeNull();
    // a fit's own divergence becomes a discarded round; other errors pass through
    const other = new Error('no table');
    expect(j.failed(other)).toBe(other);
  });
});

/**
 * A round made to yield NaN (its χ spoilt) or to diverge (χ conjugated) is discarded, and the next round starts from the last good weights: it
 * gives exactly what a trainer that never saw the bad round gives.
 */
async function checkTrainer(make: (o: TrainerOptions) => Promise<MetricTrainer>): Promise<void> {
  const faulty = await make({ ...base, faults: { nanRounds: [2], divergeRounds: [3] } });
  const clean = await make(base);
  try {
    const first = await faulty.fit(points);
    expect(Number.isFinite(first.chi2)).toBe(true);
    const nan = await code(faulty.fit(points));
    expect(nan).toMatchObject({ code: 'RING_ERR_MODEL_DIVERGED', context: { round: 2 } });
    const diverged = await code(faulty.fit(points));
    expect(diverged).toMatchObject({ code: 'RING_ERR_MODEL_DIVERGED', context: { round: 3, lastGoodChi2: first.chi2 } });
    expect((diverged as { context: { chi2: number } }).context.chi2).toBeGreaterThan(DIVERGENCE_RATIO * Math.max(1, first.chi2));
    const after = await faulty.fit(points);
    await clean.fit(points);
    const reference = await clean.fit(points);
    expect(after.iterations).toBe(reference.iterations);
    after.f.forEach((v, i) => expect(v).toBe(reference.f[i]));
    after.g.forEach((v, i) => expect(v).toBe(reference.g[i]));
  } finally {
    await faulty.dispose();
    await clean.dispose();
  }
}

describe('discarded training rounds', () => {
  it('in-process trainer: a NaN and a diverged round leave the last good weights to warm-start from', () => checkTrainer(createLiveTrainer), 60_000);
  it('threaded trainer: the same on its worker thread, the reason crossing the thread', () => checkTrainer(createThreadedTrainer), 60_000);
});

describe('model.faultInjection', () => {
  it('is off by default, and refused unless HOLORING_FAULT_INJECTION=1', () => {
    expect(trainingFaults(parseConfig({}), {})).toBeUndefined();
    const config = parseConfig({ model: { faultInjection: { nanRounds: [2] } } });
    expect(() => trainingFaults(config, {})).toThrow(expect.objectContaining({ code: 'RING_ERR_CONFIG_INVALID', message: expect.stringMatching(/HOLORING_FAULT_INJECTION=1/) }));
    expect(() => trainingFaults(config, { HOLORING_FAULT_INJECTION: 'yes' })).toThrow(/test facility/);
    expect(trainingFaults(config, { HOLORING_FAULT_INJECTION: '1' })).toEqual({ nanRounds: [2], divergeRounds: [] });
    expect(() => parseConfig({ model: { faultInjection: { nanRounds: [0] } } })).toThrow();
  });
});
