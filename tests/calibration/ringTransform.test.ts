import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { crelErr } from '../../src/physics/complex.ts';
import { applyCalibration } from '../../src/pipeline/calibrate.ts';
import { frameToChi, ringTransform } from '../../src/pipeline/ringTransform.ts';
import { accumulateResponse } from '../../src/pipeline/responseAccumulator.ts';
import type { CalibrationRecord } from '../../src/contracts/calibration.ts';
import { truthRecord } from './support/truthRecord.ts';

const ident = { model: 'HR-SIM', serial: 'SIM-0001', firmware: 'sim', protocolVersion: '1.0' };

describe('ring transform', () => {
  it('χ of exactly calibrated noiseless frames equals the closed form', () => {
    const sim = new RingSimulator({ seed: 1, noise: 0, noiseFloor: 0 });
    const rec = truthRecord(sim);
    for (const [omega, site] of [[0.5, 0], [2, 17], [7.3, 40]] as const) {
      const f = applyCalibration(sim.frame({ omega, sourceSite: site, amplitude: 2.5 }), rec, ident);
      const chi = frameToChi(f, 12, 0.25);
      expect(chi.calibrationVersion).toBe(rec.version);
      expect(chi.chi).toHaveLength(13);
      for (const s of chi.chi) expect(crelErr({ re: s.re, im: s.im }, diskChi(1.5, { re: omega, im: 0.25 }, s.k))).toBeLessThan(1e-8);
    }
  });

  it('propagated σ matches the scatter of χ over repeated frames', () => {
    const sim = new RingSimulator({ seed: 6 });
    const rec = truthRecord(sim);
    const chis = Array.from({ length: 200 }, () => frameToChi(applyCalibration(sim.frame({ omega: 3, sourceSite: 11 }), rec, ident), 12, 0.25));
    for (const k of [0, 4, 12]) {
      const cf = diskChi(1.5, { re: 3, im: 0.25 }, k);
      let s2 = 0;
      for (const c of chis) s2 += ((c.chi[k].re - cf.re) ** 2 + (c.chi[k].im - cf.im) ** 2) / 2;
      const scatter = Math.sqrt(s2 / chis.length);
      const propagated = chis.reduce((a, c) => a + c.chi[k].sigma, 0) / chis.length;
      expect(propagated / scatter).toBeGreaterThan(0.85);
      expect(propagated / scatter).toBeLessThan(1.15);
    }
  });

  it('skips and counts frames without a usable response; clamps k to the ring', async () => {
    const sim = new RingSimulator({ seed: 1, sites: 16 });
    const rec = truthRecord(sim);
    const frames = [
      applyCalibration(sim.frame({ omega: 1, amplitude: 0 }), rec, ident),
      applyCalibration(sim.frame({ omega: 1 }), null, ident),
      applyCalibration(sim.frame({ omega: 1 }), rec, { ...ident, serial: 'other' }),
      applyCalibration(sim.frame({ omega: 1 }), rec, ident),
    ];
    const counters: Record<string, number> = {};
    const out = await lastValueFrom(from(frames).pipe(ringTransform({ kMax: 12, gamma: 0.25, counters }), toArray()));
    expect(out).toHaveLength(1);
    expect(out[0].chi.map((c) => c.k)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(counters).toEqual({ 'source-off': 1, uncalibrated: 1, 'identity-mismatch': 1 });
    const all = await lastValueFrom(from(frames).pipe(ringTransform({ kMax: 3, gamma: 0.25, allowUncalibrated: true }), toArray()));
    expect(all).toHaveLength(3);
    expect(Number.isNaN(all[0].chi[0].sigma)).toBe(true);
  });

  it('the reference\'s error of the overall constant is counted once: coherently in every χ (sigmaCommon), not again per site through the gains', async () => {
    const sim = new RingSimulator({ seed: 4, sites: 32 });
    const base = truthRecord(sim);
    // the record as calibration/solve.ts writes it: gains λĝ_j, gain σ = hypot(|λ| s_j, |ĝ_j| σ_ref)
    const lam = { re: 1.3 * Math.cos(0.2), im: 1.3 * Math.sin(0.2) }, lamAbs = 1.3, refSigma = 2e-3;
    const hat = base.gains;
    const gains = hat.map((g) => ({ re: g.re * lam.re - g.im * lam.im, im: g.re * lam.im + g.im * lam.re }));
    const own = hat.map((_, j) => 1e-3 * (1 + (j % 5)));
    const rec = (sigma: number): CalibrationRecord => ({
      ...base, gains, reference: { kind: 'uv-ads', factor: lam, sigma },
      gainSigma: hat.map((g, j) => Math.hypot(lamAbs * own[j], Math.hypot(g.re, g.im) * sigma)),
    });
    const withRef = rec(refSigma), without = rec(0);
    const frames = [3, 11, 20].map((site) => sim.frame({ omega: 2, sourceSite: site }));
    const a = frames.map((f) => applyCalibration(f, withRef, ident)), b = frames.map((f) => applyCalibration(f, without, ident));
    // per site, the reference's part is left out: the same σ as with an exact reference
    a.forEach((f, i) => f.siteSigmaSystematic!.forEach((v, j) => expect(v).toBeCloseTo(b[i].siteSigmaSystematic![j], 14)));
    expect(a[0].referenceSigma).toBe(refSigma);
    // per χ, added once: σ_ref·|χ| common to every k, the rest as without it
    const chiA = a.map((f) => frameToChi(f, 6, 0.25)), chiB = b.map((f) => frameToChi(f, 6, 0.25));
    chiA.forEach((c, i) => c.chi.forEach((s, k) => {
      const common = refSigma * Math.hypot(s.re, s.im);
      expect(s.sigmaCommon).toBeCloseTo(common, 15);
      expect(s.sigma).toBeCloseTo(Math.hypot(chiB[i].chi[k].sigma, common), 14);
      expect(s.sigmaSystematic).toBeCloseTo(Math.hypot(chiB[i].chi[k].sigmaSystematic!, common), 14);
      expect(chiB[i].chi[k].sigmaCommon).toBeUndefined();
    }));
    // the table keeps it, never averaged down, and below each row's σ
    const table = await lastValueFrom(from(chiA).pipe(accumulateResponse({ minFrames: 2 })));
    expect(table.points).toHaveLength(7);
    for (const p of table.points) {
      const largest = Math.max(...chiA.map((c) => c.chi[p.k].sigmaCommon!));
      expect(p.sigmaCommon).toBeCloseTo(largest, 15);
      expect(p.sigmaCommon!).toBeLessThan(p.sigma);
    }
  });
});
