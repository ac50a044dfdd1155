import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { btzMetric } from '../../src/physics/metric.ts';
import { targets } from './targets.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'holoring-reconstruct-'));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'holoring.mjs'), 'reconstruct', ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const omegas = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5];
let good: string;
let lines: string[];

beforeAll(() => {
  const pts = simulateResponseTable({ metric: targets.deformed(), delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 2 });
  good = join(dir, 'chi.csv');
  writeFileSync(good, formatResponseTable(pts));
  lines = formatResponseTable(pts).trim().split('\n');
});

const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('holoring reconstruct', () => {
  it('--geometry auto picks the horizon for a black-hole table (r_h, T with σ, both χ², the reason); --geometry horizon warm-starts from it', async () => {
    const pts = simulateResponseTable({ metric: btzMetric(1.5), delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 3 });
    const data = write('btz.csv', formatResponseTable(pts));
    const out = join(dir, 'bh.json');
    const r = await run(['--data', data, '--layers', '200', '--nodes', '12', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/geometry horizon: reduced χ² .* against .* for the disk; χ² \+ 2ν lower by .*\(decisive\)/);
    expect(r.stderr).toMatch(/horizon converged .*r_h 1\.\d+ ± 0\.\d+, T 0\.\d+ ± 0\.\d+/);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.geometry).toBe('horizon');
    expect(m.geometry_choice.picked).toBe('horizon');
    expect(m.geometry_choice.disk.chi2).toBeGreaterThan(10 * m.geometry_choice.horizon.chi2);
    expect(Math.abs(m.rh - 1.5)).toBeLessThan(3 * m.rh_err);
    expect(Math.abs(m.temperature - 1.5 / (2 * Math.PI))).toBeLessThan(3 * m.temperature_err);
    expect(m.r[0]).toBe(m.rh);
    expect(m.f[0]).toBe(0);
    for (const key of ['rh_err', 'temperature_err', 'f_err', 'g_err', 'alpha', 'beta', 'nodes_r', 'chi2']) expect(m, key).toHaveProperty(key);
    // the horizon fit gets a verdict by the disk's rules
    expect(m.quality).toBe('good');
    expect(m.warnings).toEqual([]);
    expect(m.dominantRows).toEqual([]);
    // a warm start, and (below) a fit at a wrong Δ, side by side
    const [again, wrongDelta] = await Promise.all([
      run(['--data', data, '--layers', '200', '--nodes', '12', '--geometry', 'horizon', '--init', out, '--out', join(dir, 'bh2.json'), '--quiet']),
      run(['--data', data, '--layers', '200', '--nodes', '12', '--geometry', 'horizon', '--delta', '1.4', '--strict', '--out', join(dir, 'bh3.json'), '--quiet']),
    ]);
    expect(again.code, again.stderr).toBe(0);
    const m2 = JSON.parse(readFileSync(join(dir, 'bh2.json'), 'utf8'));
    expect(m2.geometry_choice).toBeUndefined();
    expect(m2.evaluations).toBeLessThan(m.evaluations);
    expect(Math.abs(m2.rh / m.rh - 1)).toBeLessThan(1e-4);
    // at a wrong Δ the horizon fit is not good: a verdict, warnings on stderr, and --strict exits 1 naming it
    expect(wrongDelta.code, wrongDelta.stderr).toBe(1);
    const m3 = JSON.parse(readFileSync(join(dir, 'bh3.json'), 'utf8'));
    expect(m3.quality).toBe('failed');
    expect(m3.warnings.join('\n')).toMatch(/reduced χ² .* the metric does not describe the data .*--geometry disk; --geometry auto fits both/);
    expect(wrongDelta.stderr).toMatch(/holoring: warning: reduced χ²/);
    expect(wrongDelta.stderr).toMatch(/RING_ERR_MODEL_POOR_FIT: --strict: the fit is failed \(reduced χ² \d/);
    expect(wrongDelta.stderr).not.toMatch(/undefined/);
    // weights of one geometry are refused for the other, and an unknown geometry is a bad flag
    const wrong = await run(['--data', good, '--geometry', 'disk', '--init', out, '--quiet']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/RING_ERR_MODEL_CHECKPOINT.*holds horizon weights but the geometry asked for is disk/);
    const bad = await run(['--data', good, '--geometry', 'torus', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--geometry.*disk, horizon, auto/);
  }, 180_000);


  it('--delta auto on a black-hole table: the horizon fits its own Δ (auto and horizon geometry), r_h within 2%, a verdict', async () => {
    const pts = simulateResponseTable({ metric: btzMetric(1.5), delta: 1.62, omegas: Array.from({ length: 20 }, (_, i) => 0.5 * (i + 1)), gamma: 0.25, kMax: 6, noise: 0.01, seed: 3 });
    const data = write('btz-162.csv', formatResponseTable(pts));
    const out = join(dir, 'bh-auto.json');
    const r = await run(['--data', data, '--delta', 'auto', '--layers', '200', '--nodes', '12', '--strict', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Δ profile on \d+ rows at BTZ with r_h scanned, 4 intervals: \(1, 2\) χ² .*; start Δ = 1\.\d+ in \(1, 2\)/);
    expect(r.stderr).toMatch(/Δ = 1\.6\d+ ± .* \(fitted with the metric\)/);
    expect(r.stderr).toMatch(/geometry horizon: .*\(decisive\)/);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.geometry).toBe('horizon');
    expect(m.delta_auto).toBe(true);
    expect(Math.abs(m.delta - 1.62)).toBeLessThan(Math.min(3 * m.delta_err, 1e-3));
    expect(Math.abs(m.rh / 1.5 - 1)).toBeLessThan(0.02);
    expect(m.quality).toBe('good');
    expect(m.warnings).toEqual([]);
    // --geometry horizon --delta auto works, and warm-starts from that output at its Δ (no start scan)
    const again = await run(['--data', data, '--geometry', 'horizon', '--delta', 'auto', '--layers', '200', '--nodes', '12', '--init', out, '--out', join(dir, 'bh-auto2.json'), '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    const m2 = JSON.parse(readFileSync(join(dir, 'bh-auto2.json'), 'utf8'));
    expect(m2.delta_profile).toBeUndefined();
    expect(m2.geometry_choice).toBeUndefined();
    expect(Math.abs(m2.delta - m.delta)).toBeLessThan(0.2 * m.delta_err);
    expect(Math.abs(m2.rh - m.rh)).toBeLessThan(0.2 * m.rh_err);
  }, 180_000);

  it('fits a table, writes the metric JSON, reports progress, and warm-starts from its own output', async () => {
    const out = join(dir, 'metric.json');
    const r = await run(['--data', good, '--geometry', 'disk', '--layers', '200', '--nodes', '12', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/iteration 1 .*loss .*chi2/);
    expect(r.stderr).toMatch(/tfjs backend: (tensorflow|wasm|cpu)/);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    for (const key of ['r', 'f', 'g', 'f_err', 'g_err', 'resolution', 'alpha', 'beta', 'chi2', 'delta', 'layers', 'nodes', 'backend', 'iterations', 'elapsedMs']) {
      expect(m, key).toHaveProperty(key);
    }
    expect(m.r[0]).toBe(0);
    expect(m.r.at(-1)).toBeGreaterThanOrEqual(6);
    expect(m.f.length).toBe(m.r.length);
    expect(m.layers).toBe(200);
    expect(m.nodes).toBe(12);
    expect(m.alpha.length).toBe(12);
    expect(m.g[0]).toBe(1);
    expect(m.chi2).toBeGreaterThan(0.5);
    expect(m.chi2).toBeLessThan(1.5);
    const truth = targets.deformed();
    // f and g both, against the true bulk (about 1% is reached here; 2% leaves room for the noise draw)
    for (let i = 0; i < m.r.length; i++) {
      if (m.r[i] > 3) continue;
      expect(Math.abs(m.f[i] / truth.f(m.r[i]) - 1)).toBeLessThan(0.02);
      expect(Math.abs(m.g[i] / truth.g(m.r[i]) - 1)).toBeLessThan(0.02);
    }
    // warm start, with the modes over two threads (the process must end: workers stopped)
    const again = await run(['--data', good, '--geometry', 'disk', '--layers', '200', '--nodes', '12', '--init', out, '--threads', '2', '--out', join(dir, 'm2.json'), '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    const m2 = JSON.parse(readFileSync(join(dir, 'm2.json'), 'utf8'));
    expect(m2.evaluations).toBeLessThan(m.evaluations);
    for (let i = 0; i < m.f.length; i++) expect(Math.abs(m2.f[i] / m.f[i] - 1)).toBeLessThan(1e-4);
  });

  it('--delta auto fits Δ with the metric and reports Δ ± σ', async () => {
    const pts = simulateResponseTable({ metric: targets.deformed(), delta: 1.62, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 3 });
    const data = write('chi-162.csv', formatResponseTable(pts));
    const out = join(dir, 'auto.json');
    const r = await run(['--data', data, '--geometry', 'disk', '--delta', 'auto', '--layers', '200', '--nodes', '12', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Δ profile on \d+ UV modes at pure AdS, 4 intervals: \(1, 2\) χ² .*; start Δ = 1\.\d+ in \(1, 2\)/);
    expect(r.stderr).toMatch(/Δ = 1\.6\d+ ± .* \(fitted with the metric\)/);
    const m = JSON.parse(readFileSync(out, 'utf8'));
    expect(m.delta_auto).toBe(true);
    expect(m.delta_err).toBeGreaterThan(0);
    expect(Math.abs(m.delta - 1.62)).toBeLessThan(Math.max(3 * m.delta_err, 1e-3));
    // its output warm-starts the next auto fit at the estimated Δ (no profile)
    const again = await run(['--data', data, '--geometry', 'disk', '--delta', 'auto', '--layers', '200', '--nodes', '12', '--init', out, '--out', join(dir, 'auto2.json'), '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    const m2 = JSON.parse(readFileSync(join(dir, 'auto2.json'), 'utf8'));
    expect(m2.delta_profile).toBeUndefined();
    expect(Math.abs(m2.delta - m.delta)).toBeLessThan(0.1 * m.delta_err);
    const bad = await Promise.all([['--delta', 'automatic'], ['--delta', 'auto', '--delta-start', '3']].map((a) => run(['--data', data, ...a, '--quiet'])));
    expect(bad[0].code).toBe(2);
    expect(bad[0].stderr).toMatch(/--delta: expected a finite number/);
    expect(bad[1].code).toBe(2);
    expect(bad[1].stderr).toMatch(/RING_ERR_DELTA_INTEGER: --delta-start:/);
  });

  it('refuses bad tables and arguments with clear messages', async () => {
    const header = lines[0];
    const cases: Array<[string[], RegExp, number]> = [
      [['--data', write('few.csv', lines.slice(0, 20).join('\n')), '--nodes', '32'], /RING_ERR_MODEL_TOO_FEW_POINTS.*19 point.*61 weights.*--nodes 11 or fewer/, 2],
      [['--data', write('cols.csv', lines.map((l) => l.split(',').slice(0, 5).join(',')).join('\n'))], /--data: .*missing column\(s\) sigma/, 2],
      [['--data', write('nan.csv', [header, ...lines.slice(1, 80), '1,0.25,0,NaN,1,0.01'].join('\n'))], /RING_ERR_TABLE_VALUE.*chi_re is not a finite number/, 2],
      [['--data', write('dup.csv', [...lines, lines[5]].join('\n'))], /RING_ERR_TABLE_DUPLICATE/, 2],
      [['--data', write('mixed.csv', [...lines, '11,0.25,0,1,1,0'].join('\n'))], /sigma = 0 on line\(s\) \d+ while the other \d+ rows have sigma > 0/, 2],
      [['--data', write('k0.csv', [header, ...lines.slice(1).filter((l) => l.split(',')[2] === '0'), '20,0.25,0,1,1,0.01'].join('\n')), '--nodes', '4'], /RING_ERR_MODEL_K_RANGE/, 2],
      [['--data', good, '--layers', '100'], /--layers: must be ≥ 200/, 2],
      [['--data', good, '--delta', '2'], /RING_ERR_DELTA_INTEGER/, 2],
      [['--data', good, '--init', write('bad-init.json', '{"format":"nope"}')], /--init: .*not a metric-network checkpoint/, 2],
    ];
    const results = await Promise.all(cases.map(([args]) => run([...args, '--out', join(dir, 'x.json'), '--quiet'])));
    results.forEach((r, i) => {
      expect(r.code, `${cases[i][0].join(' ')}: ${r.stderr}`).toBe(cases[i][2]);
      expect(r.stderr).toMatch(cases[i][1]);
    });
  }, 240_000);
});
