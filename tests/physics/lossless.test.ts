/**
 * Tables at γ = 0 (a lossless ring): a grid point on a normal mode of the disk,
 * Ω = Δ + |k| + 2n (physics.md §5), has an infinite response and is refused naming
 * it; a point near a mode is kept with the closed form's large finite value, and a
 * black hole (no real poles, physics.md §4) is never refused.
 */
import { describe, expect, it } from 'vitest';
import { diskChi } from '../../src/physics/closedForm.ts';
import { adsMetric, btzMetric } from '../../src/physics/metric.ts';
import { responseTableOf, simulateResponseTable } from '../../src/physics/response.ts';
import { runInProcess } from '../support/cli.ts';
import { thrown } from '../support/thrown.ts';

describe('γ = 0: normal modes of a lossless ring', () => {
  it('a grid point on a closed-form pole is refused naming Ω and k; one 10⁻⁴ away is the closed form', () => {
    const chi = (W: { re: number; im: number }, k: number) => diskChi(1.5, W, k);
    const e = thrown(() => responseTableOf(chi, { omegas: [0.5, 4.5], gamma: 0, kMax: 1 }));
    expect(e.code).toBe('RING_ERR_ARG_INVALID');
    // Δ + |k| + 2n = 4.5 for k = 1, n = 1; at k = 0 the poles are 1.5, 3.5, 5.5 (0.5 and 4.5 are zeros there)
    expect(e.context).toMatchObject({ omega: 4.5, k: 1 });
    expect(e.message).toMatch(/Ω = 4\.5 \(k = 1\) is a normal mode/);
    const near = responseTableOf(chi, { omegas: [4.5 - 1e-4], gamma: 0, kMax: 1 });
    const exact = diskChi(1.5, { re: 4.5 - 1e-4, im: 0 }, 1);
    expect(Math.abs(near[1].chiRe / exact.re - 1)).toBeLessThan(1e-12);
    expect(Math.abs(near[1].chiRe)).toBeGreaterThan(1e3);
  });

  it('the mode solver on pure AdS is refused at a mode; a black hole at γ = 0 is not', () => {
    expect(thrown(() => simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas: [2.5], gamma: 0, kMax: 2 })).context).toMatchObject({ omega: 2.5, k: 1 });
    const bh = simulateResponseTable({ metric: btzMetric(1.5), delta: 1.5, omegas: [1.5, 2.5, 3.5], gamma: 0, kMax: 2 });
    expect(bh.every((p) => Number.isFinite(p.chiRe) && p.chiIm > 0)).toBe(true);
  });

  it('holoring simulate --gamma 0 on a grid through the modes exits 2 naming --gamma', async () => {
    const r = await runInProcess(['simulate', '--metric', 'ads', '--gamma', '0', '--omega', '1:2:0.5', '--kmax', '1', '--out', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_ARG_INVALID: --gamma: Ω = 1\.5 \(k = 0\) is a normal mode/);
  });
});
