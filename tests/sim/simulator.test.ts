import { describe, expect, it } from 'vitest';
import { RingSimulator, frequencyGrid } from '../../drivers/sim/simulator.ts';
import { FrameFlags } from '../../src/contracts/frame.ts';
import { diskChi, btzChi } from '../../src/physics/closedForm.ts';
import { crelErr } from '../../src/physics/complex.ts';
import { btzMetric } from '../../src/physics/metric.ts';
import { chiFromSites } from '../../src/physics/ring.ts';

const IDEAL = { noise: 0, noiseFloor: 0, gainError: 0, phaseErrorDeg: 0, offsetError: 0 };

describe('RingSimulator', () => {
  it('a DFT over a noiseless frame recovers the closed-form χ to ≤ 1e-9 for |k| ≤ 12', () => {
    const sim = new RingSimulator(IDEAL);
    let worst = 0;
    for (const omega of [0.25, 1.5, 4.75, 7.3, 12]) {
      for (const [site, amp] of [[0, 1], [23, 0.4], [63, 2.5]] as const) {
        const f = sim.frame({ omega, sourceSite: site, amplitude: amp });
        const chis = chiFromSites(f.x, f.y, site, f.sourceWidth, f.amplitude, 12);
        chis.forEach((c, k) => { worst = Math.max(worst, crelErr(c, diskChi(1.5, { re: omega, im: 0.25 }, k))); });
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('the same holds for BTZ, Δ = 2.5 and another ring size', () => {
    const sim = new RingSimulator({ ...IDEAL, metric: btzMetric(1.5), delta: 2.5, sites: 48, width: 0.2 });
    const f = sim.frame({ omega: 3.5, sourceSite: 5 });
    const chis = chiFromSites(f.x, f.y, 5, 0.2, 1, 12);
    // 48 sites alias k = 12 onto k = −36: e^{−(36²−12²)σ²/2}·|χ(36)/χ(12)| ≈ 3e-9 at σ = 0.2, Δ = 2.5
    chis.forEach((c, k) => expect(crelErr(c, btzChi(2.5, 1.5, { re: 3.5, im: 0.25 }, k))).toBeLessThan(1e-8));
  });

  it('the same seed gives the same frames; another seed does not', () => {
    const a = new RingSimulator({ seed: 7 });
    const b = new RingSimulator({ seed: 7 });
    const c = new RingSimulator({ seed: 8 });
    const grid = frequencyGrid(0.5, 2, 0.5);
    const fa = [...a.sweep(grid, { sourceSite: 3 })];
    const fb = [...b.sweep(grid, { sourceSite: 3 })];
    const fc = [...c.sweep(grid, { sourceSite: 3 })];
    expect(fa).toEqual(fb);
    expect(fa[0].x).not.toEqual(fc[0].x);
    expect(a.truth()).toEqual(b.truth());
    expect(a.truth()).not.toEqual(c.truth());
  });

  it('frames carry sequence numbers, device time, source settings and the simulated flag', () => {
    const sim = new RingSimulator({ dwellUs: 1000 });
    const f0 = sim.frame({ omega: 1, sourceSite: 2, amplitude: 0.5 });
    const f1 = sim.frame({ omega: 1.25, sourceSite: 2, amplitude: 0 });
    expect(f0.seq).toBe(0);
    expect(f1.seq).toBe(1);
    expect(f1.deviceTimeUs - f0.deviceTimeUs).toBe(1000);
    expect(f0).toMatchObject({ omega: 1, sourceSite: 2, amplitude: 0.5, sourceWidth: 0.15, source: 'sim' });
    expect(f0.flags & FrameFlags.SIMULATED).toBeTruthy();
    expect(f0.flags & FrameFlags.SOURCE_OFF).toBe(0);
    expect(f1.flags & FrameFlags.SOURCE_OFF).toBeTruthy();
    expect(f0.x).toHaveLength(64);
  });

  it('injects gains, offsets and noise at the stated levels', () => {
    const sim = new RingSimulator({ seed: 3, sites: 256 });
    const { gains, offsets } = sim.truth();
    const mags = gains.map((g) => Math.hypot(g.re, g.im) - 1);
    const phases = gains.map((g) => (Math.atan2(g.im, g.re) * 180) / Math.PI);
    const sd = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(sd(mags)).toBeGreaterThan(0.008);
    expect(sd(mags)).toBeLessThan(0.012);
    expect(sd(phases)).toBeGreaterThan(0.8);
    expect(sd(phases)).toBeLessThan(1.2);
    expect(sd(offsets.flatMap((o) => [o.re, o.im])) * Math.SQRT2).toBeCloseTo(1e-3, 3);

    // residual noise relative to the local response ≈ 1% (complex)
    const ideal = sim.idealResponse({ omega: 2.5, sourceSite: 0, amplitude: 1 });
    const rel: number[] = [];
    for (let n = 0; n < 20; n++) {
      const f = sim.frame({ omega: 2.5 });
      for (let j = 0; j < 256; j++) {
        const g = gains[j];
        const er = g.re * ideal.re[j] - g.im * ideal.im[j] + offsets[j].re;
        const ei = g.re * ideal.im[j] + g.im * ideal.re[j] + offsets[j].im;
        const local = Math.hypot(ideal.re[j], ideal.im[j]);
        if (local > 0.05) rel.push(Math.hypot(f.x[j] - er, f.y[j] - ei) / local);
      }
    }
    const rms = Math.sqrt(rel.reduce((s, x) => s + x * x, 0) / rel.length);
    expect(rms).toBeGreaterThan(0.0095);
    expect(rms).toBeLessThan(0.0105);
  });

  it('near a normal mode the response refocuses at the antipode', () => {
    const sim = new RingSimulator({ ...IDEAL, gamma: 0.1 });
    const onMode = sim.idealResponse({ omega: 1.5 + 2 * 3, sourceSite: 0 }); // Δ + 2n, k = 0 family
    const mag = (i: number) => Math.hypot(onMode.re[i], onMode.im[i]);
    expect(mag(32)).toBeGreaterThan(3 * mag(16));
  });

  it('refuses bad settings with stable codes', () => {
    expect(() => new RingSimulator({ sites: 2 })).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID' }));
    expect(() => new RingSimulator({ noise: -1 })).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID' }));
    const sim = new RingSimulator();
    expect(() => sim.frame({ omega: 1, sourceSite: 64 })).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID' }));
    expect(() => sim.frame({ omega: Number.NaN })).toThrow(expect.objectContaining({ code: 'RING_ERR_NON_FINITE' }));
    expect(() => frequencyGrid(1, 0, 0.1)).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID' }));
  });

  it('frequencyGrid is inclusive and free of rounding drift', () => {
    const g = frequencyGrid(0.25, 12, 0.25);
    expect(g).toHaveLength(48);
    expect(g[47]).toBe(12);
    expect(g[2]).toBe(0.75);
  });
});

describe('RingSimulator options', () => {
  it('takes the default for an option given as undefined', () => {
    const a = new RingSimulator({ seed: undefined, sites: undefined });
    expect(a.sites).toBe(64);
    expect(a.truth()).toEqual(new RingSimulator({ seed: 1 }).truth());
  });
});
