/**
 * Δ near an integer: the response gains a contact term growing as 1/|Δ − n| that
 * carries no metric, so at a given relative noise the metric is fixed less well
 * (deltaFree.ts, DELTA_NEAR_INTEGER_BAND: measured 2–12% errors, coverage down to
 * 76%). A fit there says so: a warning naming the distance and the integer, and
 * the verdict `poor` at best; away from the integers nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';
import { DELTA_NEAR_INTEGER_BAND, nearIntegerVerdict } from '../../src/model/deltaFree.ts';
import { reconstructGeometry } from '../../src/model/geometry.ts';
import type { FitQuality } from '../../src/model/quality.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';

const good: FitQuality = { quality: 'good', warnings: [], dominantRows: [] };

describe('the verdict near an integer Δ', () => {
  it('within the band: a warning naming the distance and the integer, `poor` at best; outside: unchanged', () => {
    const near = nearIntegerVerdict(good, 1.985);
    expect(near.quality).toBe('poor');
    expect(near.warnings[0]).toMatch(/^Δ = 1\.985 is within 0\.015 of the integer 2: /);
    expect(nearIntegerVerdict(good, 3.03).warnings[0]).toMatch(/within 0\.03 of the integer 3/);
    expect(nearIntegerVerdict({ quality: 'failed', warnings: ['x'], dominantRows: [] }, 2.01)).toMatchObject({ quality: 'failed', warnings: ['x', expect.stringMatching(/integer 2/)] });
    expect(nearIntegerVerdict(good, 2 + DELTA_NEAR_INTEGER_BAND + 1e-3)).toBe(good);
    expect(nearIntegerVerdict(good, 1.5)).toBe(good);
  });

  it('a deformed disk simulated at Δ = 1.985 (1% noise) fitted at its Δ: `poor` with the warning, where Δ = 1.8 stays good', async () => {
    const at = (delta: number) => simulateResponseTable({ metric: deformedMetric(0.3, -0.2, 1.5), delta, omegas: frequencyGrid(0.5, 6, 0.5), gamma: 0.25, kMax: 4, noise: 0.01, seed: 1 });
    const fit = async (delta: number) => (await reconstructGeometry(at(delta), { geometry: 'disk', delta, layers: 200, nodes: 16 })).output as unknown as { quality: string; warnings: string[]; chi2: number };
    const near = await fit(1.985);
    expect(near.chi2).toBeLessThan(1.5);
    expect(near.quality).toBe('poor');
    expect(near.warnings.join(' ')).toMatch(/Δ = 1\.985 is within 0\.015 of the integer 2/);
    const far = await fit(1.8);
    expect(far.warnings.join(' ')).not.toMatch(/of the integer/);
  }, 60_000);
});
