import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { crelErr } from '../../src/physics/complex.ts';
import { applyCalibration } from '../../src/pipeline/calibrate.ts';
import { frameToChi, ringTransform } from '../../src/pipeline/ringTransform.ts';
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
});
