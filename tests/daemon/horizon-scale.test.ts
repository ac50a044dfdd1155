/**
 * The live horizon fit on a small ring (|k| ≤ 4, N = 200, the e2e set-up): the
 * table's overall complex scale comes from the calibration reference, whose
 * error is common to every row, and the horizon fit carries a free scale κ for
 * it (HorizonNetwork with freeScale, src/model/horizonScale.ts). Checked against the BTZ closed form
 * (physics.md §5: χ, T = r_h/2π), never against the fit alone.
 */
import { describe, expect, it } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { createLiveTrainer } from '../../src/daemon/trainer.ts';
import { prepareData } from '../../src/model/data.ts';
import { HorizonKernel } from '../../src/model/horizon/kernel.ts';
import { createHorizonNetwork } from '../../src/model/horizon/network.ts';
import { ScaledModes } from '../../src/model/scaledKernel.ts';
import { btzChi } from '../../src/physics/closedForm.ts';
import { Rng } from '../../src/util/random.ts';
import { spdInverse } from '../../src/util/linalg.ts';

const RH = 1.5;
const DELTA = 1.5;
const T_TRUE = RH / (2 * Math.PI);

/**
 * The small ring's table of a BTZ sample: ω = 0.5…12, |k| ≤ 4, γ = 0.25, χ of the
 * closed form times a calibration constant κ, with σ = `rel`·|χ| per component
 * (about a live table's after five sweeps) and, with a seed, that noise drawn;
 * with `common`, σ holds `common`·|χ| more, marked as the rows' common part.
 */
function smallRingTable(kappa: { re: number; im: number }, o: { rel?: number; seed?: number; common?: number } = {}): ResponsePoint[] {
  const rel = o.rel ?? 6e-4;
  const rng = o.seed === undefined ? null : new Rng(o.seed);
  const pts: ResponsePoint[] = [];
  for (let i = 1; i <= 24; i++) {
    for (let k = 0; k <= 4; k++) {
      const omega = i / 2;
      const w = btzChi(DELTA, RH, { re: omega, im: 0.25 }, k);
      const own = rel * Math.hypot(w.re, w.im);
      const re = kappa.re * w.re - kappa.im * w.im + (rng ? own * rng.normal() : 0);
      const im = kappa.re * w.im + kappa.im * w.re + (rng ? own * rng.normal() : 0);
      // with `common`: σ also holds a calibration constant's error common to every row (κ is that error)
      const sigmaCommon = o.common === undefined ? undefined : o.common * Math.hypot(w.re, w.im);
      pts.push({ omega, gamma: 0.25, k, chiRe: re, chiIm: im, sigma: Math.hypot(own, sigmaCommon ?? 0), ...(sigmaCommon === undefined ? {} : { sigmaCommon }) });
    }
  }
  return pts;
}

/** The overall constant of a calibration 2–3σ of its reference off (as on the e2e run: κ − 1 ≈ −5·10⁻⁴ − 3·10⁻⁴i). */
const OFF = { re: 1 - 5.4e-4, im: -3.0e-4 };

describe('the live horizon fit with the calibration scale free', () => {
  it('finds r_h and T of BTZ within their σ on a small-ring table whose calibration constant is off (a fit without κ: r_h 1.3% low, 5σ)', async () => {
    const trainer = await createLiveTrainer({ geometry: 'horizon', delta: DELTA, layers: 200, nodes: 16 });
    try {
      for (const seed of [1, 2]) {
        trainer.reset();
        const fit = await trainer.fit(smallRingTable(OFF, { seed }), RH);
        if (!('rh' in fit)) throw new Error('expected a horizon fit');
        expect(fit.geometry).toBe('horizon');
        expect(Math.abs(fit.rh - RH)).toBeLessThan(2.5 * fit.rh_err);
        expect(Math.abs(fit.rh / RH - 1)).toBeLessThan(0.02);
        expect(Math.abs(fit.temperature - T_TRUE)).toBeLessThan(3 * fit.temperature_err);
        const scale = (fit as { scale?: { re: number; im: number; re_err: number; im_err: number } }).scale!;
        expect(Math.abs(scale.re - OFF.re)).toBeLessThan(3 * scale.re_err);
        expect(Math.abs(scale.im - OFF.im)).toBeLessThan(3 * scale.im_err);
        expect(fit.chi2).toBeGreaterThan(0.7);
        expect(fit.chi2).toBeLessThan(1.3);
      }
    } finally {
      await trainer.dispose();
    }
  });

  it('counts the common part of σ once: κ carries it, the rows are weighed by the rest (reduced χ² ≈ 1; with it counted in σ as well ≈ 0.5)', () => {
    for (const seed of [3, 4]) {
      const table = smallRingTable(OFF, { seed, common: 6e-4 });
      const fit = createHorizonNetwork({ delta: DELTA, layers: 200, freeScale: true }).fit(table, { init: 'scan', rhGuess: 1.4 });
      expect(fit.chi2).toBeGreaterThan(0.75);
      expect(fit.chi2).toBeLessThan(1.3);
      expect(Math.abs(fit.rh - RH)).toBeLessThan(2.5 * fit.rh_err);
      // the same rows with the common part not marked: σ counts it besides κ
      const twice = createHorizonNetwork({ delta: DELTA, layers: 200, freeScale: true }).fit(table.map(({ sigmaCommon: _c, ...p }) => p), { init: 'scan', rhGuess: 1.4 });
      expect(twice.chi2).toBeLessThan(0.65);
      expect(twice.chi2 / fit.chi2).toBeCloseTo(0.5, 1);
      // without a free scale the common part stays in σ: the rows are weighed by all of it
      const fixed = createHorizonNetwork({ delta: DELTA, layers: 200 });
      expect(fixed.prepare(table).data.invSigma[7]).toBeCloseTo(1 / table[7].sigma, 12);
    }
  });

  it('recovers r_h and κ exactly from a noiseless table, and its r_h σ is the marginal one of the full posterior', () => {
    const kappa = { re: 1.0007, im: -4e-4 };
    const table = smallRingTable(kappa);
    const net = createHorizonNetwork({ delta: DELTA, layers: 200, freeScale: true });
    const fit = net.fit(table, { init: 'scan', rhGuess: 1.4 });
    if (!fit.scale) throw new Error('expected the fitted scale');
    expect(Math.abs(fit.rh / RH - 1)).toBeLessThan(1e-5);
    expect(Math.abs(fit.scale.re - kappa.re)).toBeLessThan(1e-7);
    expect(Math.abs(fit.scale.im - kappa.im)).toBeLessThan(1e-7);
    expect(fit.converged).toBe(true);
    // the network keeps the fitted weights (its checkpoint is the daemon's)
    expect(net.checkpoint().rh).toBeCloseTo(fit.rh, 12);
    // σ(r_h) from the Schur complement equals √C of the full posterior over (θ, κ); a fit without κ is sure of more
    const nw = net.grid.nw, nt = nw + 2;
    const data = prepareData(table, nw);
    const scaled = new ScaledModes(new HorizonKernel(net.grid, DELTA, data.modes));
    const theta = net.weights();
    expect(theta[nw]).toBeCloseTo(fit.scale.re - 1, 15);
    const A = new Float64Array(nt * nt), b = new Float64Array(nt);
    scaled.normal(theta, data.chi, data.invSigma, new Float64Array(2 * data.modes.length), A, b);
    for (let i = 0; i < nt; i++) for (let j = 0; j < i; j++) A[i * nt + j] = A[j * nt + i];
    for (let i = 0; i < nw; i++) for (let j = 0; j < nw; j++) A[i * nt + j] += net.prior[i * nw + j];
    const C = spdInverse(A, nt)!;
    const iq = net.grid.iq;
    expect(fit.rh_err / fit.rh).toBeCloseTo(Math.sqrt(C[iq * nt + iq]), 8);
    expect(fit.scale.re_err).toBeCloseTo(Math.sqrt(C[nw * nt + nw]), 10);
    const fixed = createHorizonNetwork({ delta: DELTA, layers: 200 }).fit(smallRingTable({ re: 1, im: 0 }), { init: 'scan', rhGuess: 1.4 });
    expect(fit.rh_err).toBeGreaterThan(1.1 * fixed.rh_err);
  });

  it('differentiates χ exactly with respect to κ and the network weights through the scale', () => {
    const net = createHorizonNetwork({ delta: DELTA, layers: 200 });
    const modes = [{ omegaRe: 2, omegaIm: 0.25, k: 1 }, { omegaRe: 7.5, omegaIm: 0.25, k: 4 }];
    const kernel = new ScaledModes(new HorizonKernel(net.grid, DELTA, modes));
    const nw = net.grid.nw, nt = nw + 2;
    const theta = new Float64Array(nt);
    theta[net.grid.iq] = Math.log(1.3);
    theta[2] = 0.05;
    theta[nw] = 0.01;
    theta[nw + 1] = -0.02;
    const J = kernel.jacobian(theta, new Float64Array(4));
    for (const j of [2, net.grid.iq, nw, nw + 1]) {
      const h = 1e-6;
      const up = theta.slice(), dn = theta.slice();
      up[j] += h;
      dn[j] -= h;
      const cu = kernel.forward(up, new Float64Array(4)), cd = kernel.forward(dn, new Float64Array(4));
      for (let q = 0; q < 4; q++) {
        const fd = (cu[q] - cd[q]) / (2 * h);
        expect(Math.abs(J[q * nt + j] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});
