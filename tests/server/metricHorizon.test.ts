import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.ts';
import type { FitSummary } from '../../src/daemon/daemon.ts';
import { type GeometryFigures, type GeometryFit, chooseGeometry } from '../../src/model/geometry.ts';
import { createServer } from '../../src/server/index.ts';
import { blackHoleMetric, deformedMetric } from '../../src/physics/metric.ts';
import { truthView } from '../../src/server/views.ts';
import { standInDaemon } from './standInDaemon.ts';

/**
 * GET /api/metric for a black-hole fit: r_h, T with σ, r_c, the geometry
 * choice with both fits' figures and the sample temperature against T_HP,
 * which the dashboard's horizon view draws.
 */
const RH = 1.5;

/** A horizon fit on BTZ (f = g = r² − r_h²) from r_h outwards, as the trainer hands it over (only what the server reads). */
function btzFit(choice?: GeometryFit['choice']): GeometryFit & { sweep: number } {
  const r = Array.from({ length: 20 }, (_, i) => RH + 0.25 * i);
  const f = r.map((x) => (x - RH) * (x + RH));
  return {
    sweep: 3, geometry: 'horizon', r, f, g: [...f], f_err: r.map(() => 0.01), g_err: r.map(() => 0.01), resolution: r.map(() => 0.2),
    chi2: 1.02, loss: 150, iterations: 4, converged: true, elapsedMs: 300,
    rh: RH, rh_err: 0.004, temperature: RH / (2 * Math.PI), temperature_err: 0.008,
    checkpoint: { rCRatio: 4 }, ...(choice ? { choice } : {}),
  } as unknown as GeometryFit & { sweep: number };
}

const fitDaemon = (lastFit: Partial<FitSummary>) => standInDaemon({ status: { sweeps: 3, calibrationVersion: 'cal-test', lastFit: lastFit as FitSummary } });

const config = parseConfig({ server: { port: 0 } });
const figures = (chi2: number, criterion: number): GeometryFigures => ({ chi2, chi2_total: chi2 * 100, dof: 100, criterion, converged: true, elapsedMs: 10 });

describe('the metric of a horizon fit', () => {
  it('serves r_h, T, r_c, the geometry choice with both reduced χ² and the sample temperature in units of T_HP', async () => {
    const { daemon, fits$ } = fitDaemon({ sampleTemperatureRatio: 1.5, geometry: 'horizon' });
    const server = createServer(daemon, config);
    const choice = chooseGeometry(figures(41.3, 4890.2), figures(1.02, 160.1), 1.5);
    fits$.next(btzFit(choice));
    const m = (await server.app.inject({ url: '/api/metric' })).json();
    expect(m).toMatchObject({ geometry: 'horizon', rh: RH, rh_err: 0.004, temperature_err: 0.008, rc: 4 * RH, sampleTemperatureRatio: 1.5 });
    // T = r_h/2π for BTZ (physics.md §5): 1.5 T_HP
    expect(m.temperature * 2 * Math.PI).toBeCloseTo(1.5, 12);
    expect(m.r[0]).toBe(RH);
    expect(m.f[0]).toBe(0);
    expect(m.choice).toEqual({ picked: 'horizon', reason: choice.reason, disk: { chi2: 41.3, criterion: 4890.2 }, horizon: { chi2: 1.02, criterion: 160.1 } });
    expect(m.choice.reason).toMatch(/^horizon: reduced χ² 1\.02 against 41\.30 for the disk; χ² \+ 2ν lower by 4730 \(decisive\)/);
    await server.close();
  });

  it('leaves out the choice when the geometry is fixed and the temperature when no Hawking–Page point is configured', async () => {
    const { daemon, fits$ } = fitDaemon({ geometry: 'horizon' });
    const server = createServer(daemon, config);
    fits$.next(btzFit());
    const m = (await server.app.inject({ url: '/api/metric' })).json();
    expect(m.geometry).toBe('horizon');
    expect(m).not.toHaveProperty('choice');
    expect(m).not.toHaveProperty('sampleTemperatureRatio');
    await server.close();
  });
});

describe('the true metric of a simulated ring (the dashed curves)', () => {
  it('is served over BTZ at the true horizon for a black hole: e^α, e^β from r_h on, with r_h', () => {
    const m = blackHoleMetric(1.2, 0.3, -0.2, 2, 0.6);
    const t = truthView(m);
    expect(t.rh).toBe(1.2);
    expect(t.r[0]).toBe(1.2);
    expect(t.r[1]).toBeCloseTo(1.25, 12);
    for (let i = 0; i < t.r.length; i++) {
      const bump = Math.exp(-(((t.r[i] - 2) / 0.6) ** 2));
      expect(t.fRel[i]).toBeCloseTo(1 + 0.3 * bump, 5);
      expect(t.gRel[i]).toBeCloseTo(1 - 0.2 * bump, 5);
      // and f, g themselves, (r² − r_h²)(1 + a·bump)
      expect(t.f[i]).toBeCloseTo((t.r[i] ** 2 - 1.44) * (1 + 0.3 * bump), 4);
    }
    expect(truthView(blackHoleMetric(1.5, 0, 0, 2, 0.6)).fRel.every((v) => v === 1)).toBe(true);
  });

  it('is served over pure AdS for a disk, from the centre, without r_h', () => {
    const m = deformedMetric();
    const t = truthView(m);
    expect(t).not.toHaveProperty('rh');
    expect(t.r[0]).toBe(0);
    t.r.forEach((r, i) => expect(t.fRel[i]).toBeCloseTo(m.f(r) / (1 + r * r), 5));
  });
});
