import { describe, expect, it } from 'vitest';
import { DEFAULT_SHAPE, NetworkGrid } from '../../src/model/grid.ts';
import { FusedKernel, type KernelMode } from '../../src/model/kernel.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { Rng } from '../../src/util/random.ts';
import { jacobianErrors, refModel } from './reference.ts';

const shape = { ...DEFAULT_SHAPE, layers: 200, nodes: 12 };
const modes: KernelMode[] = [];
for (const w of [0.25, 3.3, 7.9, 12]) for (const k of [0, 1, 2, 5, 12]) modes.push({ omegaRe: w, omegaIm: 0.25, k });
modes.push({ omegaRe: 2, omegaIm: 0.25, k: 30 }); // exercises the state rescaling

function randomTheta(nw: number, seed: number, scale = 0.25): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: nw }, () => scale * (2 * rng.uniform() - 1));
}

const rel = (a: number, b: number, c: number, d: number): number => Math.hypot(a - c, b - d) / Math.hypot(c, d);

describe('fused kernel', () => {
  const grid = new NetworkGrid(shape);
  const ker = new FusedKernel(grid, 1.5, modes);
  const theta = randomTheta(grid.nw, 7);
  const chi = new Float64Array(2 * modes.length);

  it('pure AdS weights reproduce the closed form (RK4 at N = 400)', () => {
    const g400 = new NetworkGrid(DEFAULT_SHAPE);
    const k400 = new FusedKernel(g400, 1.5, modes.slice(0, -1));
    const out = k400.forward(new Float64Array(g400.nw), new Float64Array(2 * (modes.length - 1)));
    modes.slice(0, -1).forEach((m, p) => {
      const c = diskChi(1.5, { re: m.omegaRe, im: m.omegaIm }, m.k);
      expect(rel(out[2 * p], out[2 * p + 1], c.re, c.im)).toBeLessThan(2e-4);
    });
  });

  it('matches the straightforward reference implementation to 1e-10', () => {
    for (const seed of [7, 8]) {
      const th = randomTheta(grid.nw, seed);
      ker.forward(th, chi);
      const ref = refModel(shape, 1.5, th);
      modes.forEach((m, p) => {
        const c = ref.chi({ re: m.omegaRe, im: m.omegaIm }, m.k);
        expect(rel(chi[2 * p], chi[2 * p + 1], c.re, c.im)).toBeLessThan(1e-10);
      });
      const prof = ker.profiles();
      for (let i = 0; i < prof.r.length; i += 5) {
        expect(Math.abs(prof.alpha[i] - ref.alpha(prof.r[i]))).toBeLessThan(1e-12);
        expect(Math.abs(prof.beta[i] - ref.beta(prof.r[i]))).toBeLessThan(1e-12);
      }
    }
  });

  it('the spline basis rows reproduce the weights used by the layers', () => {
    ker.setWeights(theta);
    const prof = ker.profiles();
    for (let i = 0; i < prof.r.length; i += 11) {
      const { a, b } = grid.basisAt(prof.r[i]);
      let al = 0, be = 0;
      for (let j = 0; j < grid.nw; j++) {
        al += a[j] * theta[j];
        be += b[j] * theta[j];
      }
      expect(al).toBeCloseTo(prof.alpha[i], 12);
      expect(be).toBeCloseTo(prof.beta[i], 12);
    }
  });

  it('the adjoint Jacobian agrees with central finite differences', () => {
    const J = ker.jacobian(theta, chi);
    const worst = Math.max(...jacobianErrors((t, out) => ker.forward(t, out), theta, chi, J));
    expect(worst).toBeLessThan(1e-6);
  });

  it('normal equations and the vector–Jacobian product equal their dense forms', () => {
    const nw = grid.nw, P = modes.length;
    const J = ker.jacobian(theta, chi);
    const rng = new Rng(3);
    const data = Float64Array.from(chi, (v) => v * (1 + 0.05 * rng.normal()));
    const invSigma = Float64Array.from({ length: P }, () => 1 + rng.uniform());
    const A = new Float64Array(nw * nw), b = new Float64Array(nw);
    const chi2 = ker.normal(theta, data, invSigma, new Float64Array(2 * P), A, b);
    let c2 = 0;
    const Ad = new Float64Array(nw * nw), bd = new Float64Array(nw);
    for (let row = 0; row < 2 * P; row++) {
      const w = invSigma[row >> 1];
      const r = (chi[row] - data[row]) * w;
      c2 += r * r;
      for (let i = 0; i < nw; i++) {
        bd[i] += J[row * nw + i] * w * r;
        for (let j = 0; j < nw; j++) Ad[i * nw + j] += J[row * nw + i] * J[row * nw + j] * w * w;
      }
    }
    expect(chi2).toBeCloseTo(c2, 8);
    let scale = 0;
    for (let i = 0; i < nw * nw; i++) scale = Math.max(scale, Math.abs(Ad[i]));
    for (let i = 0; i < nw; i++) {
      expect(Math.abs(b[i] - bd[i])).toBeLessThan(1e-11 * Math.max(1, Math.abs(bd[i])) * 1e3);
      for (let j = i; j < nw; j++) expect(Math.abs(A[i * nw + j] - Ad[i * nw + j])).toBeLessThan(1e-12 * scale);
    }
    const dy = Float64Array.from({ length: 2 * P }, () => rng.normal());
    const grad = new Float64Array(nw);
    ker.vjp(theta, dy, new Float64Array(2 * P), grad);
    for (let i = 0; i < nw; i++) {
      let s = 0;
      for (let row = 0; row < 2 * P; row++) s += dy[row] * J[row * nw + i];
      expect(grad[i]).toBeCloseTo(s, 8);
    }
  });
});
