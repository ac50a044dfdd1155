/**
 * Δ as a weight of the fused kernel (physics.md §10): its exact derivative
 * (through m² in every RK4 layer, the Frobenius start, the boundary basis and
 * the prefactor 2Δ − 2) against central finite differences, and at pure AdS
 * against the derivative of the closed form (physics.md §5).
 */
import { describe, expect, it } from 'vitest';
import { isUvMode, profileDelta } from '../../src/model/deltaFree.ts';
import { prepareData } from '../../src/model/data.ts';
import { DEFAULT_SHAPE, NetworkGrid } from '../../src/model/grid.ts';
import { FusedKernel, type KernelMode } from '../../src/model/kernel.ts';
import { ScaledKernel } from '../../src/model/scaledKernel.ts';
import { boundarySeries, boundarySeriesDerivative } from '../../src/physics/boundary.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { massSquared } from '../../src/physics/params.ts';
import { Rng } from '../../src/util/random.ts';
import { jacobianErrors } from './reference.ts';
import { defaultTableAt, targets } from './targets.ts';

const shape = { ...DEFAULT_SHAPE, layers: 200, nodes: 12 };
const modes: KernelMode[] = [];
for (const w of [0.25, 3.3, 7.9, 12]) for (const k of [0, 1, 2, 5, 12]) modes.push({ omegaRe: w, omegaIm: 0.25, k });
modes.push({ omegaRe: 2, omegaIm: 0.25, k: 30 }); // exercises the state rescaling

const rel = (a: number, b: number, c: number, d: number): number => Math.hypot(a - c, b - d) / Math.hypot(c, d);

describe('boundary series derivative along Δ', () => {
  it('equals central differences of the series in Δ (both bases, disk and M > 0)', () => {
    const om = { re: 3.3, im: 0.25 };
    for (const delta of [1.3, 1.62, 2.4]) {
      for (const M of [-1, 2.25]) {
        for (const [p0, sign] of [[2 - delta, -1], [delta, 1]] as const) {
          const { value, d } = boundarySeriesDerivative(p0, om, 3, massSquared(delta), M, 12, { p0: sign, m2: 2 * delta - 2 });
          const plain = boundarySeries(p0, om, 3, massSquared(delta), M, 12);
          expect(value).toEqual(plain);
          const eps = 1e-6;
          const at = (x: number) => boundarySeries(x === delta ? p0 : sign < 0 ? 2 - x : x, om, 3, massSquared(x), M, 12);
          const hi = at(delta + eps), lo = at(delta - eps);
          for (const key of ['re', 'im', 'dre', 'dim'] as const) {
            const fd = (hi[key] - lo[key]) / (2 * eps);
            expect(Math.abs(fd - d[key])).toBeLessThan(1e-6 * (Math.abs(fd) + Math.hypot(value.re, value.im, value.dre, value.dim)));
          }
        }
      }
    }
  });
});

describe('fused kernel with a free Δ', () => {
  const grid = new NetworkGrid(shape);

  for (const delta of [1.3, 1.62, 2.4]) {
    it(`Δ = ${delta}: the adjoint Jacobian (metric weights and Δ) agrees with central finite differences`, () => {
      const ker = new FusedKernel(grid, 1.5, modes, { freeDelta: true });
      expect(ker.nt).toBe(grid.nw + 1);
      const rng = new Rng(11);
      const theta = Float64Array.from({ length: ker.nt }, () => 0.25 * (2 * rng.uniform() - 1));
      theta[grid.nw] = delta;
      const chi = new Float64Array(2 * modes.length);
      const J = ker.jacobian(theta, chi);
      expect(ker.delta).toBe(delta);
      const worst = jacobianErrors((t, out) => ker.forward(t, out), theta, chi, J);
      const worstDelta = worst[grid.nw], worstMetric = Math.max(...worst.subarray(0, grid.nw));
      let dScale = 0;
      for (let r = 0; r < chi.length; r++) dScale = Math.max(dScale, Math.abs(J[r * ker.nt + grid.nw]) / Math.hypot(chi[r & ~1], chi[r | 1]));
      expect(dScale).toBeGreaterThan(0.1); // χ does depend on Δ
      // the Frobenius start alone contributes ~2e-6 relative (r₀² = 1e-6): the check must resolve it
      expect(worstDelta).toBeLessThan(3e-7);
      expect(worstMetric).toBeLessThan(1e-6);
      // the same χ as the kernel with Δ fixed at that value
      const fixed = new FusedKernel(grid, delta, modes).forward(theta.subarray(0, grid.nw), new Float64Array(chi.length));
      ker.forward(theta, chi);
      for (let i = 0; i < chi.length; i++) expect(chi[i]).toBe(fixed[i]);
    });
  }

  it('with a free complex scale κ the Jacobian (metric, Δ, κ) agrees with central finite differences', () => {
    const ker = new ScaledKernel(grid, 1.5, modes, { freeDelta: true });
    expect(ker.nt).toBe(grid.nw + 3);
    const rng = new Rng(5);
    const theta = Float64Array.from({ length: ker.nt }, () => 0.25 * (2 * rng.uniform() - 1));
    theta[grid.nw] = 1.62;
    const chi = new Float64Array(2 * modes.length);
    const J = ker.jacobian(theta, chi);
    expect(Math.max(...jacobianErrors((t, out) => ker.forward(t, out), theta, chi, J))).toBeLessThan(1e-6);
    // χ = κ χ_network
    const raw = new FusedKernel(grid, 1.62, modes).forward(theta.subarray(0, grid.nw), new Float64Array(chi.length));
    const kr = 1 + theta[grid.nw + 1], ki = theta[grid.nw + 2];
    for (let p = 0; p < modes.length; p++) {
      expect(chi[2 * p]).toBeCloseTo(kr * raw[2 * p] - ki * raw[2 * p + 1], 12);
      expect(chi[2 * p + 1]).toBeCloseTo(kr * raw[2 * p + 1] + ki * raw[2 * p], 12);
    }
  });

  it('at pure AdS, χ and ∂χ/∂Δ follow the closed form and its Δ-derivative (N = 400)', () => {
    const g400 = new NetworkGrid(DEFAULT_SHAPE);
    const ms = modes.slice(0, -1);
    for (const delta of [1.3, 2.4]) {
      const ker = new FusedKernel(g400, 1.5, ms, { freeDelta: true });
      const theta = new Float64Array(ker.nt);
      theta[g400.nw] = delta;
      const chi = new Float64Array(2 * ms.length);
      const J = ker.jacobian(theta, chi);
      ms.forEach((m, p) => {
        const om = { re: m.omegaRe, im: m.omegaIm };
        const c = diskChi(delta, om, m.k);
        expect(rel(chi[2 * p], chi[2 * p + 1], c.re, c.im)).toBeLessThan(3e-4);
        const eps = 1e-5;
        const hi = diskChi(delta + eps, om, m.k), lo = diskChi(delta - eps, om, m.k);
        const dre = (hi.re - lo.re) / (2 * eps), dim = (hi.im - lo.im) / (2 * eps);
        const jre = J[2 * p * ker.nt + g400.nw], jim = J[(2 * p + 1) * ker.nt + g400.nw];
        // relative to |χ| + |∂χ/∂Δ|: RK4 error of the network at N = 400
        expect(Math.hypot(jre - dre, jim - dim) / (Math.hypot(c.re, c.im) + Math.hypot(dre, dim))).toBeLessThan(1e-3);
      });
    }
  });
});

describe('coarse Δ profile on the UV modes', () => {
  it('finds Δ within 0.03 of the truth for deformed metrics anywhere in the interval', () => {
    const grid = new NetworkGrid(DEFAULT_SHAPE);
    for (const [delta, start] of [[1.3, 1.95], [1.62, 1.05], [2.4, 2.9]] as const) {
      const data = prepareData(defaultTableAt(targets.deformedB(), delta, 0.01, 4), grid.nw);
      const prof = profileDelta(grid, data, start);
      expect(prof.modes).toBe(data.modes.filter(isUvMode).length);
      expect(prof.modes).toBeGreaterThan(20);
      expect(Math.abs(prof.delta - delta), `Δ = ${delta}`).toBeLessThan(0.03);
      expect(prof.deltas[0]).toBeGreaterThan(Math.floor(start));
      expect(prof.deltas[prof.deltas.length - 1]).toBeLessThan(Math.floor(start) + 1);
    }
  });
});
