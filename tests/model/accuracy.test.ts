/**
 * Accuracy of the reconstruction on data from the physics core's simulator
 * (independent of the network), default grid: ω = 0.25…12, |k| ≤ 12, Δ = 1.5,
 * γ = 0.25, 1% noise, N = 400, K = 32, λ = 1, started from pure AdS.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/model/backend.ts';
import { createMetricNetwork, type FitResult } from '../../src/model/network.ts';
import { adsMetric } from '../../src/physics/metric.ts';
import { defaultTable, errorsAgainst, targets } from './targets.ts';

const net = () => createMetricNetwork({ layers: 400, nodes: 32 });

function fitTarget(name: keyof typeof targets, seed: number): { est: FitResult; e: ReturnType<typeof errorsAgainst> } {
  const metric = targets[name]();
  const n = net();
  try {
    const est = n.fit(defaultTable(metric, 0.01, seed), { init: 'ads' });
    return { est, e: errorsAgainst(metric, est) };
  } finally {
    n.dispose();
  }
}

beforeAll(async () => {
  await initBackend();
});

describe('reconstruction accuracy', () => {
  it('noiseless pure AdS: f and g within 1e-3 for r ≤ 3', () => {
    const n = net();
    const est = n.fit(defaultTable(adsMetric(), 0, 1), { init: 'ads' });
    n.dispose();
    const e = errorsAgainst(adsMetric(), est);
    expect(e.max).toBeLessThan(1e-3);
    expect(est.noiseless).toBe(true);
  });

  const smooth: Array<[keyof typeof targets, number[]]> = [
    ['deformed', [1, 2, 3, 4, 5, 6]],
    ['deformedB', [1, 2, 3]],
    ['shell', [1, 2, 3]],
  ];
  const coverage: number[] = [];
  for (const [name, seeds] of smooth) {
    it(`smooth target ${name}: max relative error ≤ 1.5% on r ∈ [0, 3] for seeds ${seeds.join(', ')}`, () => {
      for (const seed of seeds) {
        const { est, e } = fitTarget(name, seed);
        expect(e.max, `${name} seed ${seed}`).toBeLessThan(0.015);
        expect(est.chi2, `${name} seed ${seed} reduced chi2`).toBeGreaterThan(0.9);
        expect(est.chi2, `${name} seed ${seed} reduced chi2`).toBeLessThan(1.1);
        expect(est.converged).toBe(true);
        coverage.push(e.coverage);
      }
    });
  }

  it('2σ bands cover the truth on ≥ 90% of radii in [0, 3] for every smooth fit', () => {
    expect(coverage.length).toBe(12);
    for (const c of coverage) expect(c).toBeGreaterThanOrEqual(0.9);
  });

  for (const [name, seeds] of [['bumpF', [1, 2, 3]], ['dipG', [1, 2, 3]]] as const) {
    it(`narrow feature ${name}: max relative error ≤ 2.5% for seeds ${seeds.join(', ')}`, () => {
      for (const seed of seeds) {
        const { e } = fitTarget(name, seed);
        expect(e.max, `${name} seed ${seed}`).toBeLessThan(0.025);
      }
    });
  }

  it('lean live mode (|k| ≤ 4, N = 200, K = 16) stays within 2% on the deformed family', () => {
    const metric = targets.deformed();
    for (const seed of [1, 2]) {
      const n = createMetricNetwork({ layers: 200, nodes: 16 });
      const est = n.fit(defaultTable(metric, 0.01, seed, 4), { init: 'ads' });
      n.dispose();
      expect(errorsAgainst(metric, est).max, `seed ${seed}`).toBeLessThan(0.02);
    }
  });

  it('reports the radial resolution Δr = Δρ(1 + r²) with Δρ a quarter wavelength at the top frequency', () => {
    const n = net();
    const est = n.fit(defaultTable(adsMetric(), 0.01, 3, 6), { init: 'ads' });
    n.dispose();
    const dRho = Math.PI / (2 * Math.hypot(12, 0.25));
    est.r.forEach((r, i) => expect(est.resolution[i]).toBeCloseTo(dRho * (1 + r * r), 10));
    // error bands widen where the data say less: the centre is known less well than r ≈ 1
    const at = (r: number) => est.f_err[Math.round(r / 0.025)] / est.f[Math.round(r / 0.025)];
    expect(at(0)).toBeGreaterThan(at(1));
  });

  it('is deterministic for a given table', () => {
    const table = defaultTable(targets.deformed(), 0.01, 9);
    const a = net(), b = net();
    const ea = a.fit(table, { init: 'ads' });
    const eb = b.fit(table, { init: 'ads' });
    a.dispose();
    b.dispose();
    expect(eb.alpha).toEqual(ea.alpha);
    expect(eb.beta).toEqual(ea.beta);
    expect(eb.f_err).toEqual(ea.f_err);
    expect(eb.chi2).toBe(ea.chi2);
  });
});
