import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { adsMetric, btzMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { ringImage } from '../../src/physics/ringImage.ts';
import { runCli } from '../support/cli.ts';

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
    const m = /^ring image at Ω = 12 \+ 0.25i \(\|k\| ≤ 12\): a central spot; brightest at x_S = 0.000, FWHM (\d\.\d+), centre\/mean /.exec(b.stdout);
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

  it('refuses a missing source, an ω the table lacks, naming the flag', () => {
    const none = runCli(['image', '--omega', '12']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give exactly one of --data FILE or --frames FILE');
    const off = runCli(['image', '--data', table, '--omega', '7']);
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/RING_ERR_ARG_INVALID: --omega: the response table has no rows at ω = 7; nearest: /);
  });
});
