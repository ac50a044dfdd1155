import { describe, expect, it } from 'vitest';
import { diskChi } from '../../src/physics/closedForm.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { predictResponse } from '../../src/server/prediction.ts';
import { cellKey } from '../../src/server/views.ts';

const grid = (f: (r: number) => number) => {
  const r = Array.from({ length: 321 }, (_, i) => i * 0.025);
  return { r, f: r.map(f), g: r.map(f) };
};

describe('model prediction for the response panel', () => {
  it('reproduces the AdS disk closed form (physics.md §5) from a tabulated pure-AdS fit', async () => {
    const cells = [0.5, 2.25, 4.5, 9].flatMap((omega) => [0, 1, 3].map((k) => ({ omega, gamma: 0.25, k })));
    const pred = await predictResponse(grid((r) => 1 + r * r), cells, 1.5);
    expect(pred).not.toBeNull();
    for (const c of cells) {
      const want = diskChi(1.5, { re: c.omega, im: c.gamma }, c.k);
      const got = pred!.get(cellKey(c.omega, c.k))!;
      expect(Math.hypot(got.re - want.re, got.im - want.im) / Math.hypot(want.re, want.im)).toBeLessThan(1e-4);
    }
  });

  it('gives up when a newer fit arrives, and refuses a metric it cannot tabulate', async () => {
    const m = deformedMetric();
    const cells = Array.from({ length: 40 }, (_, i) => ({ omega: 0.5 + i * 0.25, gamma: 0.25, k: 1 }));
    expect(await predictResponse(grid((r) => m.f(r)), cells, 1.5, () => true)).toBeNull();
    expect(await predictResponse({ r: [0, 1, 2, 3], f: [1, -1, 5, 10], g: [1, 2, 5, 10] }, cells, 1.5)).toBeNull();
  });
});
