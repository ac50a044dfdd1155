import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResponseTable, RESPONSE_HEADER } from '../../src/io/responseTable.ts';
import { btzChi, diskChi } from '../../src/physics/closedForm.ts';
import { crelErr } from '../../src/physics/complex.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-sim-'));

describe('holoring simulate', () => {
  it('writes the default grid with the exact header, matching the closed form', () => {
    const out = join(dir, 'chi.csv');
    const r = runCli(['simulate', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe(RESPONSE_HEADER);
    const t = parseResponseTable(text);
    expect(t.points).toHaveLength(48 * 13);
    expect(new Set(t.points.map((p) => p.omega)).size).toBe(48);
    expect(Math.max(...t.points.map((p) => p.k))).toBe(12);
    for (const p of t.points) {
      expect(p.sigma).toBe(0);
      expect(crelErr({ re: p.chiRe, im: p.chiIm }, diskChi(1.5, { re: p.omega, im: p.gamma }, p.k))).toBeLessThan(1e-9);
    }
  });

  it('writes to stdout with --out - and honours --metric btz, --delta, --gamma, --kmax, --omega', () => {
    const r = runCli(['simulate', '--metric', 'btz:1.5', '--delta', '2.5', '--gamma', '0.5', '--kmax', '3', '--omega', '1:2:0.5', '--out', '-']);
    expect(r.code).toBe(0);
    const t = parseResponseTable(r.stdout);
    expect(t.points).toHaveLength(3 * 4);
    for (const p of t.points) {
      expect(p.gamma).toBe(0.5);
      expect(crelErr({ re: p.chiRe, im: p.chiIm }, btzChi(2.5, 1.5, { re: p.omega, im: 0.5 }, p.k))).toBeLessThan(1e-8);
    }
  });

  it('adds relative complex noise with σ = ε|χ|/√2 per component, reproducibly per seed', () => {
    const args = ['simulate', '--noise', '0.02', '--seed', '5', '--out', '-'];
    const a = runCli(args);
    const b = runCli(args);
    const c = runCli(['simulate', '--noise', '0.02', '--seed', '6', '--out', '-']);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
    const t = parseResponseTable(a.stdout);
    const z: number[] = [];
    for (const p of t.points) {
      const truth = diskChi(1.5, { re: p.omega, im: p.gamma }, p.k);
      const mag = Math.hypot(truth.re, truth.im);
      expect(p.sigma).toBeCloseTo((0.02 * mag) / Math.SQRT2, 9);
      z.push((p.chiRe - truth.re) / p.sigma, (p.chiIm - truth.im) / p.sigma);
    }
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(0.93);
    expect(sd).toBeLessThan(1.07);
  });

  it('reads a tabulated metric from JSON', () => {
    const m = deformedMetric();
    const r = Array.from({ length: 241 }, (_, i) => i * 0.05);
    const file = join(dir, 'metric.json');
    writeFileSync(file, JSON.stringify({ r, f: r.map((x) => m.f(x)), g: r.map((x) => m.g(x)) }));
    const fromFile = runCli(['simulate', '--metric', file, '--omega', '2:3:1', '--kmax', '2', '--out', '-']);
    const analytic = runCli(['simulate', '--metric', 'deformed', '--omega', '2:3:1', '--kmax', '2', '--out', '-']);
    expect(fromFile.code).toBe(0);
    const a = parseResponseTable(fromFile.stdout).points;
    const b = parseResponseTable(analytic.stdout).points;
    a.forEach((p, i) => expect(crelErr({ re: p.chiRe, im: p.chiIm }, { re: b[i].chiRe, im: b[i].chiIm })).toBeLessThan(1e-4));
  });

  it.each([
    [['--delta', '2'], /--delta/],
    [['--delta', 'abc'], /--delta/],
    [['--omega', '1:x'], /--omega/],
    [['--omega', '3:1:0.5'], /--omega/],
    [['--metric', 'wormhole'], /--metric/],
    [['--noise', '-0.1'], /--noise/],
    [['--kmax', '1.5'], /--kmax/],
    [['--gamma', '-1'], /--gamma/],
    [['--out', '/nonexistent/dir/x.csv'], /--out/],
    [['--bogus'], /bogus/],
  ])('refuses %j naming the argument', (args, re) => {
    const r = runCli(['simulate', ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(re);
  });
});
