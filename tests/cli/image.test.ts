import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { adsMetric, btzMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { ringImage } from '../../src/physics/ringImage.ts';
import { runCli, runInProcess } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('holoring image', () => {
  const table = join(dir, 'chi.csv');
  writeFileSync(table, formatResponseTable(simulateResponseTable({ metric: adsMetric(), delta: 1.5, omegas: [11.5, 12], gamma: 0.25, kMax: 12 })));

  it('reports a central spot of the simulated disk at ω = 12 (|k| ≤ 12), matching the closed-form image', () => {
    const r = runCli(['image', '--data', table, '--omega', '12', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const W = { re: 12, im: 0.25 };
    const truth = ringImage(Array.from({ length: 13 }, (_, k) => diskChi(1.5, W, k)), W);
    expect(s).toMatchObject({ spot: true, position: 0, omega: 12, gamma: 0.25, kMax: 12, aperture: 0.5, focal: 1 });
    expect(s.width).toBeCloseTo(truth.width, 6);
    expect(s.contrast).toBeCloseTo(truth.contrast, 6);
  });

  it('writes the image as CSV or SVG next to the --json summary', () => {
    const csv = join(dir, 'img.csv');
    const svg = join(dir, 'img.svg');
    const a = runCli(['image', '--data', table, '--omega', '12', '--out', csv, '--samples', '201', '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).spot).toBe(true);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('x_s,intensity');
    expect(lines).toHaveLength(202);
    expect(lines[101].split(',').map(Number)).toEqual([0, 1]);
    const b = runCli(['image', '--data', table, '--omega', '12', '--aperture', '0.3', '--out', svg]);
    expect(b.code).toBe(0);
    // a narrower aperture: a wider spot than the 0.80 of d = 0.5
    const m = /^ring image at Ω = 12 \+ 0.25i \(\|k\| ≤ 12\): a central spot \(the response refocuses at the antipode\); brightest at x_S = 0.000, FWHM (\d\.\d+), centre\/mean /.exec(b.stdout);
    expect(Number(m?.[1])).toBeGreaterThan(0.85);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  });

  it('a black-hole table has no central spot', () => {
    const btz = join(dir, 'btz.csv');
    writeFileSync(btz, formatResponseTable(simulateResponseTable({ metric: btzMetric(1.5), delta: 1.5, omegas: [12], gamma: 0.25, kMax: 12 })));
    const s = JSON.parse(runCli(['image', '--data', btz, '--omega', '12', '--json']).stdout);
    expect(s.spot).toBe(false);
    expect(s.contrast).toBeLessThan(0.1);
  });

  it('images calibrated raw frames (--frames): the emulated disk focuses at ω = 12 with |k| ≤ 31', () => {
    const store = join(dir, 'records');
    const frames = join(dir, 'f.jsonl');
    const cal = runCli(['calibrate', '--omegas', '2,12', '--store', store, '--save-frames', frames, '--quiet', '--json']);
    expect(cal.code).toBe(0);
    const r = runCli(['image', '--frames', frames, '--store', store, '--omega', '12', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.kMax).toBe(31);
    expect(s.spot).toBe(true);
    expect(Math.abs(s.width - 0.8)).toBeLessThan(0.03);
  });

  it('a diffusive ring (physics.md §12, D = 2, 1% noise) gives a centred image but no focused spot: the text says why', async () => {
    const diff = join(dir, 'diffusion.csv');
    expect((await runInProcess(['simulate', '--model', 'diffusion:2', '--omega', '4:8:4', '--noise', '0.01', '--quiet', '--out', diff])).code).toBe(0);
    for (const w of ['4', '8']) {
      const s = JSON.parse((await runInProcess(['image', '--data', diff, '--omega', w, '--json'])).stdout);
      expect(s).toMatchObject({ spot: false, central: true, position: 0 });
      expect(s.refocusing).toBeLessThan(1.5);
    }
    const t = await runInProcess(['image', '--data', diff, '--omega', '8']);
    expect(t.stdout).toMatch(/a centred image but no focused spot: the response does not refocus at the antipode \(gain 0\.\d\d < 3; a wave along the ring reaches at most 2\.56\)/);
    // the deformed disk at 1% noise keeps its spot
    const def = join(dir, 'deformed.csv');
    expect((await runInProcess(['simulate', '--metric', 'deformed', '--delta', '2.2', '--omega', '8:12:4', '--noise', '0.01', '--quiet', '--out', def])).code).toBe(0);
    for (const w of ['8', '12']) expect(JSON.parse((await runInProcess(['image', '--data', def, '--omega', w, '--json'])).stdout)).toMatchObject({ spot: true, central: true });
  });

  it('refuses a lens outside §13: --aperture beyond (0, π), --focal and --omega ≤ 0, with exit 2 naming the flag', async () => {
    for (const [flag, value, why] of [
      ['--aperture', '4', /RING_ERR_ARG_INVALID: --aperture: must be < π \(got "4"\): the arc \[−d, d\] around the antipode must stay on the ring and off the source at ±π/],
      ['--aperture', '3.1416', /--aperture: must be < π/],
      ['--aperture', '3.1', /--aperture: lens half-aperture d must be in \(0, π − 3σ\) = \(0, 2\.692\)/],
      ['--aperture', '0', /--aperture: must be > 0/],
      ['--focal', '0', /RING_ERR_ARG_INVALID: --focal: must be > 0/],
      ['--focal', 'Infinity', /--focal: expected a finite number/],
      ['--omega', '-1', /RING_ERR_ARG_INVALID: --omega: must be > 0/],
    ] as const) {
      const r = await runInProcess(['image', '--data', table, '--omega', '12', flag, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(why);
    }
  });

  it('refuses a missing source, an ω the table lacks, naming the flag', () => {
    const none = runCli(['image', '--omega', '12']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give exactly one of --data FILE or --frames FILE');
    const off = runCli(['image', '--data', table, '--omega', '7']);
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/RING_ERR_ARG_INVALID: --omega: the response table has no rows at ω = 7; nearest: /);
  });
});
