import { describe, expect, it } from 'vitest';
import { btzChi } from '../../src/physics/closedForm.ts';
import { crelErr } from '../../src/physics/complex.ts';
import { boundarySeries } from '../../src/physics/boundary.ts';
import { GridSolver } from '../../src/physics/gridSolver.ts';
import { scaledBoundarySeries } from '../../src/physics/horizon.ts';
import { blackHoleMetric, btzMetric, hawkingTemperature, parseMetricSpec } from '../../src/physics/metric.ts';
import { massSquared } from '../../src/physics/params.ts';
import { solveMode } from '../../src/physics/solver.ts';

const OMEGAS = [{ re: 0.25, im: 0.25 }, { re: 3.1, im: 0.25 }, { re: 12, im: 0.25 }, { re: 6.5, im: 0 }];
const KS = [0, 1, -3, 8, 12];

describe('general horizon start (infalling series in ln(r − r_h))', () => {
  for (const delta of [1.3, 1.5, 2.5]) {
    for (const rh of [1.2, 2.3]) {
      it(`an undeformed black hole reproduces the BTZ closed form: Δ = ${delta}, r_h = ${rh}`, () => {
        const m = blackHoleMetric(rh, 0, 0, 2, 0.5);
        const grid = new GridSolver(m, delta);
        let worst = 0;
        for (const om of OMEGAS) {
          for (const k of KS) {
            const truth = btzChi(delta, rh, om, k);
            worst = Math.max(worst, crelErr(grid.chi(om, k), truth), crelErr(solveMode(m, delta, om, k).chi, truth));
          }
        }
        expect(worst).toBeLessThan(1e-8);
      });
    }
  }

  it('deformed black holes: the grid and adaptive solvers agree, and absorb (Im χ > 0 for real ω > 0)', () => {
    for (const m of [blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7), blackHoleMetric(1.2, 0, -0.2, 2.0, 0.6)]) {
      const grid = new GridSolver(m, 1.5);
      for (const om of OMEGAS) {
        for (const k of KS) {
          const a = solveMode(m, 1.5, om, k).chi;
          expect(crelErr(grid.chi(om, k), a)).toBeLessThan(1e-8);
          if (om.im === 0) expect(a.im).toBeGreaterThan(0);
        }
      }
      // the deformation matters: far from BTZ at the same r_h
      const rh = (m.centre as { rh: number }).rh;
      expect(crelErr(grid.chi({ re: 2, im: 0.25 }, 1), btzChi(1.5, rh, { re: 2, im: 0.25 }, 1))).toBeGreaterThan(0.01);
    }
  });

  it('Hawking temperature √(f′g′)/4π: BTZ r_h/2π, deformed from the derivative of f and g at r_h', () => {
    expect(hawkingTemperature({ type: 'horizon', rh: 1.5 })).toBeCloseTo(1.5 / (2 * Math.PI), 14);
    const m = blackHoleMetric(1.2, 0.25, -0.1, 1.6, 0.5);
    const h = 1e-6;
    const fp = (m.f(1.2 + h) - m.f(1.2 - h)) / (2 * h), gp = (m.g(1.2 + h) - m.g(1.2 - h)) / (2 * h);
    expect(hawkingTemperature(m.centre as never)).toBeCloseTo(Math.sqrt(fp * gp) / (4 * Math.PI), 8);
  });

  it('parses blackhole[:rh,af,ag,c,w] and refuses bad parameters', () => {
    expect(parseMetricSpec('blackhole:1.2,0,-0.2,2,0.6').label).toBe('blackhole:1.2,0,-0.2,2,0.6');
    expect(parseMetricSpec('blackhole').kind).toBe('blackhole');
    expect(() => parseMetricSpec('blackhole:1,2')).toThrow(/expected 5/);
    expect(() => parseMetricSpec('blackhole:-1,0,0,2,1')).toThrow(/r_h/);
    expect(() => parseMetricSpec('blackhole:1,-1.5,0,2,1')).toThrow(/1 \+ af/);
  });
});

describe('boundary series in ρ = r/r_h', () => {
  it('equals r_h^{p₀}·u(r) of the series with M = r_h², and its ln r_h derivative is exact', () => {
    const m2 = massSquared(1.5);
    for (const [rh, k] of [[1.5, 0], [1.2, 5], [2.5, 12]] as const) {
      for (const p0 of [0.5, 1.5]) {
        const om = { re: 7.3, im: 0.25 }, rho = 8;
        const s = scaledBoundarySeries(p0, om.re, om.im, k, m2, rh, rho);
        const u = boundarySeries(p0, om, k, m2, rh * rh, rh * rho);
        const sc = Math.pow(rh, p0);
        expect(Math.hypot(s.re - sc * u.re, s.im - sc * u.im) / Math.hypot(s.re, s.im)).toBeLessThan(1e-13);
        expect(Math.hypot(s.dre - sc * rh * u.dre, s.dim - sc * rh * u.dim) / Math.hypot(s.dre, s.dim)).toBeLessThan(1e-12);
        const e = 1e-6;
        const sp = scaledBoundarySeries(p0, om.re, om.im, k, m2, rh * Math.exp(e), rho);
        const sm = scaledBoundarySeries(p0, om.re, om.im, k, m2, rh * Math.exp(-e), rho);
        for (const [v, p, mm] of [[s.qre, sp.re, sm.re], [s.qim, sp.im, sm.im], [s.qdre, sp.dre, sm.dre], [s.qdim, sp.dim, sm.dim]]) {
          expect(Math.abs(v - (p - mm) / (2 * e))).toBeLessThan(1e-8 * (1 + Math.abs(v)));
        }
      }
    }
  });

  it('BTZ through the series path still matches the closed form (btzMetric untouched)', () => {
    expect(crelErr(new GridSolver(btzMetric(1.5), 1.5).chi({ re: 2, im: 0.25 }, 1), btzChi(1.5, 1.5, { re: 2, im: 0.25 }, 1))).toBeLessThan(1e-9);
  });
});
