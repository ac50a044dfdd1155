/**
 * `holoring reconstruct --free-scale`: a table whose calibration constant is off
 * by a complex factor κ common to every row (a run's export), fitted with κ free
 * by either network. Checked against the truth the table was simulated from
 * (the disk's metric; BTZ r_h = 1.5, T = r_h/2π, physics.md §5) and the κ it was
 * multiplied by, never against the fit alone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { btzMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { targets } from './targets.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'holoring-scale-'));
const omegas = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5];
/** The calibration constant's error: |κ| 2% high, arg κ = −0.015. */
const KAPPA = { re: 1.02 * Math.cos(-0.015), im: 1.02 * Math.sin(-0.015) };

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'holoring.mjs'), 'reconstruct', ...args], { cwd: root }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

const scaled = (pts: ResponsePoint[], k: { re: number; im: number }): ResponsePoint[] =>
  pts.map((p) => ({ ...p, chiRe: k.re * p.chiRe - k.im * p.chiIm, chiIm: k.re * p.chiIm + k.im * p.chiRe }));

function writeTable(name: string, pts: ResponsePoint[]): string {
  const path = join(dir, name);
  writeFileSync(path, formatResponseTable(pts));
  return path;
}

interface Scale { re: number; im: number; re_err: number; im_err: number }

describe('holoring reconstruct --free-scale', () => {
  it('disk: κ found within 3σ, the metric as with the true scale, reduced χ² near 1 (without κ: a bad fit)', async () => {
    const metric = targets.deformed();
    const data = writeTable('disk.csv', scaled(simulateResponseTable({ metric, delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 4 }), KAPPA));
    const [free, fixed] = await Promise.all([
      run(['--data', data, '--geometry', 'disk', '--free-scale', '--layers', '200', '--nodes', '12', '--out', join(dir, 'disk-free.json')]),
      run(['--data', data, '--geometry', 'disk', '--layers', '200', '--nodes', '12', '--out', join(dir, 'disk-fixed.json')]),
    ]);
    expect(free.code, free.stderr).toBe(0);
    expect(free.stderr).toMatch(/scale κ = 1\.0\d+ ± \d\.\de-\d [−+] 0\.0\d+ ± \d\.\de-\d i \(fitted with the metric\)/);
    const m = JSON.parse(readFileSync(join(dir, 'disk-free.json'), 'utf8')) as { scale: Scale; chi2: number; r: number[]; f: number[]; g: number[]; f_err: number[]; g_err: number[] };
    expect(Math.abs(m.scale.re - KAPPA.re)).toBeLessThan(3 * m.scale.re_err);
    expect(Math.abs(m.scale.im - KAPPA.im)).toBeLessThan(3 * m.scale.im_err);
    expect(m.chi2).toBeGreaterThan(0.7);
    expect(m.chi2).toBeLessThan(1.3);
    // the metric against the truth, within its bands where the data see it
    m.r.forEach((r, i) => {
      if (r < 0.3 || r > 2.5) return;
      const f = metric.f(r), g = metric.g(r);
      expect(Math.abs(m.f[i] - f), `f(${r})`).toBeLessThan(3 * m.f_err[i] + 1e-3 * f);
      expect(Math.abs(m.g[i] - g), `g(${r})`).toBeLessThan(3 * m.g_err[i] + 1e-3 * g);
    });
    expect(fixed.code, fixed.stderr).toBe(0);
    const n = JSON.parse(readFileSync(join(dir, 'disk-fixed.json'), 'utf8')) as { chi2: number; scale?: Scale };
    expect(n.scale).toBeUndefined();
    expect(n.chi2).toBeGreaterThan(3 * m.chi2);
  });

  it('horizon: κ within 3σ, r_h and T of BTZ within their σ, the r_c search and a verdict', async () => {
    const rh = 1.5;
    const data = writeTable('btz.csv', scaled(simulateResponseTable({ metric: btzMetric(rh), delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 5 }), KAPPA));
    const out = join(dir, 'btz.json');
    const r = await run(['--data', data, '--geometry', 'horizon', '--free-scale', '--layers', '200', '--nodes', '12', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/scale κ = /);
    const m = JSON.parse(readFileSync(out, 'utf8')) as { scale: Scale; rh: number; rh_err: number; temperature: number; temperature_err: number; chi2: number; rc_search: unknown[]; quality: string };
    expect(Math.abs(m.scale.re - KAPPA.re)).toBeLessThan(3 * m.scale.re_err);
    expect(Math.abs(m.scale.im - KAPPA.im)).toBeLessThan(3 * m.scale.im_err);
    expect(Math.abs(m.rh - rh)).toBeLessThan(2.5 * m.rh_err);
    expect(Math.abs(m.rh / rh - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.temperature - rh / (2 * Math.PI))).toBeLessThan(3 * m.temperature_err);
    expect(m.rc_search.length).toBeGreaterThanOrEqual(1);
    expect(m.chi2).toBeLessThan(1.3);
    expect(m.quality).toBe('good');
  });
});
