import { describe, expect, it } from 'vitest';
import { btzChi, diskChi, diskBoverA } from '../../src/physics/closedForm.ts';
import { type Complex, crelErr } from '../../src/physics/complex.ts';
import { GridSolver } from '../../src/physics/gridSolver.ts';
import { adsMetric, btzMetric, deformedMetric, tableMetric } from '../../src/physics/metric.ts';
import { solveMode } from '../../src/physics/solver.ts';
import { SPOT_VALUES } from '../fixtures/spotValues.ts';

const DELTAS = [1.3, 1.5, 2.5];
const KS = [0, 1, -2, 3, 5, -8, 12];

/** Distance of real Ω from the disk's poles and zeros (where relative errors are ill-defined). */
function awayFromPolesAndZeros(delta: number, w: number, k: number): boolean {
  const ak = Math.abs(k);
  for (let n = 0; n < 20; n++) {
    if (Math.abs(Math.abs(w) - (delta + ak + 2 * n)) < 0.08) return false;
    if (Math.abs(Math.abs(w) - (2 - delta + ak + 2 * n)) < 0.08) return false;
  }
  return true;
}

describe('mode solver against the closed forms (disk)', () => {
  for (const delta of DELTAS) {
    it(`Δ = ${delta}: grid and adaptive solvers within 1e-6 for |k| ≤ 12, real and complex Ω`, () => {
      const grid = new GridSolver(adsMetric(), delta);
      const omegas: Complex[] = [
        { re: 0.25, im: 0.25 }, { re: 1.7, im: 0.25 }, { re: 4.1, im: 0.5 }, { re: 9.6, im: 0.25 }, { re: 12, im: 0.25 },
        { re: 0.6, im: 0 }, { re: 2.9, im: 0 }, { re: 7.45, im: 0 }, { re: 0, im: 1 },
      ];
      let worstGrid = 0;
      let worstAdaptive = 0;
      let checked = 0;
      for (const om of omegas) {
        for (const k of KS) {
          if (om.im === 0 && !awayFromPolesAndZeros(delta, om.re, k)) continue;
          const truth = diskChi(delta, om, k);
          worstGrid = Math.max(worstGrid, crelErr(grid.chi(om, k), truth));
          worstAdaptive = Math.max(worstAdaptive, crelErr(solveMode(adsMetric(), delta, om, k).chi, truth));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(50);
      expect(worstGrid).toBeLessThan(1e-6);
      expect(worstAdaptive).toBeLessThan(1e-6);
    });
  }

  it.each(SPOT_VALUES)('reproduces the spot value Δ=$delta, Ω=$re+$im i, k=$k to its printed digits', ({ delta, re, im, k, chi }) => {
    const v = new GridSolver(adsMetric(), delta).chi({ re, im }, k);
    expect(Math.abs(v.re - chi[0])).toBeLessThan(5.1e-7);
    expect(Math.abs(v.im - chi[1])).toBeLessThan(5.1e-7);
  });
});

describe('mode solver against the closed forms (BTZ)', () => {
  for (const delta of DELTAS) {
    for (const rh of [1.5, 2.2]) {
      it(`Δ = ${delta}, r_h = ${rh}: within 1e-6 for |k| ≤ 12`, () => {
        const grid = new GridSolver(btzMetric(rh), delta);
        let worst = 0;
        for (const om of [{ re: 0.5, im: 0.25 }, { re: 3.2, im: 0.25 }, { re: 11, im: 0.25 }, { re: 0.8, im: 0 }, { re: 6.5, im: 0 }]) {
          for (const k of KS) {
            const truth = btzChi(delta, rh, om, k);
            worst = Math.max(worst, crelErr(grid.chi(om, k), truth));
            worst = Math.max(worst, crelErr(solveMode(btzMetric(rh), delta, om, k).chi, truth));
          }
        }
        expect(worst).toBeLessThan(1e-6);
      });
    }
  }
});

describe('normal modes of the disk', () => {
  // A/B vanishes at a pole of χ; for real Ω on the disk it is real, so bisect on its sign.
  const inverse = (solver: GridSolver, w: number, k: number): number => {
    const b = solver.bOverA({ re: w, im: 0 }, k);
    return b.re / (b.re * b.re + b.im * b.im);
  };
  for (const delta of [1.3, 1.5, 2.5]) {
    it(`Δ = ${delta}: poles at Ω = Δ + |k| + 2n`, () => {
      const solver = new GridSolver(adsMetric(), delta);
      for (const k of [0, 1, 3, 7]) {
        for (const n of [0, 1, 2]) {
          const expected = delta + k + 2 * n;
          let lo = expected - 0.3;
          let hi = expected + 0.3;
          let flo = inverse(solver, lo, k);
          expect(Math.sign(flo)).not.toBe(Math.sign(inverse(solver, hi, k)));
          for (let it = 0; it < 60; it++) {
            const mid = (lo + hi) / 2;
            const fm = inverse(solver, mid, k);
            if (Math.sign(fm) === Math.sign(flo)) { lo = mid; flo = fm; } else hi = mid;
          }
          expect(Math.abs((lo + hi) / 2 - expected)).toBeLessThan(1e-6);
        }
      }
    });
  }

  it('the closed form itself has a zero of A/B there (consistency of the truth)', () => {
    const b = diskBoverA(1.5, { re: 1.5 + 1e-7, im: 0 }, 0);
    expect(Math.abs(b.re)).toBeGreaterThan(1e5);
  });
});

describe('deformed and tabulated metrics', () => {
  it('the two independent integrators agree on the deformed family', () => {
    const m = deformedMetric(0.3, -0.2, 1.5);
    const grid = new GridSolver(m, 1.5);
    for (const om of [{ re: 0.75, im: 0.25 }, { re: 5.5, im: 0.25 }, { re: 11.25, im: 0.25 }]) {
      for (const k of [0, 2, 9]) {
        expect(crelErr(grid.chi(om, k), solveMode(m, 1.5, om, k).chi)).toBeLessThan(1e-8);
      }
    }
  });

  it('the deformation changes χ substantially (up to ~80%)', () => {
    const a = new GridSolver(adsMetric(), 1.5);
    const d = new GridSolver(deformedMetric(), 1.5);
    let worst = 0;
    for (let i = 1; i <= 48; i++) for (let k = 0; k <= 12; k++) {
      const om = { re: 0.25 * i, im: 0.25 };
      worst = Math.max(worst, crelErr(d.chi(om, k), a.chi(om, k)));
    }
    expect(worst).toBeGreaterThan(0.3);
  });

  it('a fine table of the deformed metric reproduces its χ (spline interpolation)', () => {
    const m = deformedMetric();
    const r = Array.from({ length: 241 }, (_, i) => i * 0.05);
    const t = tableMetric({ r, f: r.map((x) => m.f(x)), g: r.map((x) => m.g(x)) });
    expect(t.centre).toMatchObject({ type: 'regular' });
    const gt = new GridSolver(t, 1.5);
    const gm = new GridSolver(m, 1.5);
    for (const om of [{ re: 1, im: 0.25 }, { re: 6.25, im: 0.25 }]) {
      for (const k of [0, 3]) expect(crelErr(gt.chi(om, k), gm.chi(om, k))).toBeLessThan(1e-4);
    }
  });

  it('a table of pure AdS gives the closed form', () => {
    const r = Array.from({ length: 50 }, (_, i) => i * 0.2);
    const t = tableMetric({ r, f: r.map((x) => 1 + x * x), g: r.map((x) => 1 + x * x) });
    const om = { re: 2.2, im: 0.25 };
    expect(crelErr(new GridSolver(t, 1.5).chi(om, 2), diskChi(1.5, om, 2))).toBeLessThan(1e-9);
  });
});

describe('quasinormal modes of BTZ', () => {
  // Poles of χ in the lower half plane at Ω = ±k − i·4πT(n + Δ/2), T = r_h/2π.
  it('the solver finds Ω = k − 2i r_h (n + Δ/2) by Newton iteration on A/B', () => {
    const rh = 1.5;
    const delta = 1.5;
    const solver = new GridSolver(btzMetric(rh), delta);
    const inv = (om: Complex, k: number): Complex => {
      const b = solver.bOverA(om, k);
      const d = b.re * b.re + b.im * b.im;
      return { re: b.re / d, im: -b.im / d };
    };
    for (const [k, n] of [[1, 0], [2, 0], [3, 1], [5, 0]] as const) {
      const expected = { re: k, im: -2 * rh * (n + delta / 2) };
      let om = { re: expected.re + 0.2, im: expected.im + 0.15 };
      for (let it = 0; it < 30; it++) {
        const h = 1e-6;
        const f0 = inv(om, k);
        const f1 = inv({ re: om.re + h, im: om.im }, k);
        const dre = (f1.re - f0.re) / h, dim = (f1.im - f0.im) / h; // holomorphic derivative
        const den = dre * dre + dim * dim;
        const step = { re: (f0.re * dre + f0.im * dim) / den, im: (f0.im * dre - f0.re * dim) / den };
        om = { re: om.re - step.re, im: om.im - step.im };
        if (Math.hypot(step.re, step.im) < 1e-12) break;
      }
      // (k = 0 is a double pole, where Newton converges only linearly: left out)
      expect(Math.abs(om.re - expected.re)).toBeLessThan(1e-5);
      expect(Math.abs(om.im - expected.im)).toBeLessThan(1e-5);
    }
  });
});
