/**
 * `--geometry auto` never calls a failed fit decisive: a deformed disk at Δ = 2.8
 * fitted at a wrong Δ fails as disk and as horizon, and the command says so and
 * exits 1; with --delta auto and no --delta-start the scan finds Δ and the disk.
 * A table as small as the field tables (ω ≤ 6, |k| ≤ 4) fits without --nodes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type GeometryFigures, chooseGeometry } from '../../src/model/geometry.ts';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { type CliResult, runCliAsync } from '../support/cli.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'holoring-geometry-choice-'));

const run = (args: string[]): Promise<CliResult> => runCliAsync(['reconstruct', ...args], { cwd: root });

const figures = (chi2: number, quality: GeometryFigures['quality'], converged = true): GeometryFigures => ({ chi2, chi2_total: chi2 * 1000, dof: 1000, criterion: chi2 * 1000, converged, elapsedMs: 1, quality });

describe('the geometry choice and failed fits', () => {
  it('two failed fits: neither, never decisive; one failed: the other, whatever the criterion', () => {
    const both = chooseGeometry(figures(9924, 'failed'), figures(9879, 'failed'));
    expect(both.verdict).toBe('neither');
    expect(both.reason).toMatch(/^none: neither geometry describes the data: both fits failed \(reduced χ² 9924 for the disk, 9879 for the horizon\)/);
    expect(both.reason).not.toMatch(/decisive/);
    // the sample temperature does not rescue a failed fit
    expect(chooseGeometry(figures(50, 'failed'), figures(40, 'failed'), 2).verdict).toBe('neither');
    const only = chooseGeometry(figures(1.02, 'good'), figures(0.9, 'failed', false));
    expect(only).toMatchObject({ picked: 'disk', verdict: 'only' });
    expect(only.reason).toMatch(/^disk: the only fit that describes the data .*the horizon's failed \(reduced χ² 0\.90, not converged\)/);
    expect(chooseGeometry(figures(1.02, 'good'), figures(40, 'failed'))).toMatchObject({ picked: 'disk', verdict: 'decisive' });
    expect(chooseGeometry(figures(1.02, 'good'), figures(1.0205, 'good'), 2)).toMatchObject({ picked: 'horizon', verdict: 'temperature' });
    expect(chooseGeometry(figures(1.02, 'good'), figures(1.0205, 'poor'))).toMatchObject({ picked: 'disk', verdict: 'weak' });
  });

  it('a deformed disk at Δ = 2.8: at Δ = 2.6 both fits fail (exit 1, output written); with --delta auto the scan finds Δ and the disk', async () => {
    const omegas = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5];
    const data = join(dir, 'disk-2.8.csv');
    writeFileSync(data, formatResponseTable(simulateResponseTable({ metric: deformedMetric(), delta: 2.8, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 2 })));
    const common = ['--data', data, '--layers', '200', '--nodes', '12'];
    const [wrong, scan] = await Promise.all([
      run([...common, '--delta', '2.6', '--out', join(dir, 'wrong.json')]),
      run([...common, '--delta', 'auto', '--out', join(dir, 'scan.json')]),
    ]);
    expect(wrong.code, wrong.stderr).toBe(1);
    expect(wrong.stderr).toMatch(/holoring: error RING_ERR_MODEL_NO_GEOMETRY: none: neither geometry describes the data: both fits failed \(reduced χ² \d+ for the disk, \d+ for the horizon\).*written for inspection/);
    expect(wrong.stderr).not.toMatch(/decisive/);
    const w = JSON.parse(readFileSync(join(dir, 'wrong.json'), 'utf8'));
    expect(w.geometry_choice.verdict).toBe('neither');
    expect(w.quality).toBe('failed');

    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stderr).toMatch(/Δ profile on \d+ UV modes at pure AdS, 4 intervals: \(1, 2\) χ² .*\(2, 3\) χ² .*\(3, 4\) χ² .*\(4, 5\) χ² .*; start Δ = 2\.\d+ in \(2, 3\)/);
    expect(scan.stderr).toMatch(/geometry disk: .*\(decisive\)/);
    const s = JSON.parse(readFileSync(join(dir, 'scan.json'), 'utf8'));
    expect(s.geometry).toBe('disk');
    expect(s.quality).toBe('good');
    expect(Math.abs(s.delta - 2.8)).toBeLessThan(Math.min(1e-3, 3 * s.delta_err));
    expect(s.delta_profile.intervals).toHaveLength(4);
  });

  it('a field-size table (ω = 0.5…6, |k| ≤ 4: 60 rows) fits without --nodes: 16 nodes, said on stderr', async () => {
    const omegas = Array.from({ length: 12 }, (_, i) => 0.5 * (i + 1));
    const data = join(dir, 'field.csv');
    writeFileSync(data, formatResponseTable(simulateResponseTable({ metric: deformedMetric(), delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 3 })));
    const [auto, many] = await Promise.all([
      run(['--data', data, '--layers', '200', '--geometry', 'disk', '--out', join(dir, 'field.json')]),
      run(['--data', data, '--layers', '200', '--geometry', 'disk', '--nodes', '32', '--out', join(dir, 'many.json')]),
    ]);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toMatch(/disk network with 16 nodes per function, fewer than 32 for a table of 60 rows up to ω = 6 \(--nodes to choose\)/);
    const m = JSON.parse(readFileSync(join(dir, 'field.json'), 'utf8'));
    expect(m.nodes).toBe(16);
    expect(m.quality).not.toBe('failed');
    expect(Math.abs(m.f[0] / 1.3 - 1)).toBeLessThan(0.05);
    // an explicit --nodes that the table cannot carry is refused, naming the largest that fits
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/RING_ERR_MODEL_TOO_FEW_POINTS: --data: response table has 60 point\(s\) but the network has 61 weights.*--nodes 31 or fewer/);
  });
});

describe('a geometry whose fit stops with an error', () => {
  const stoppedFigures = (code: string): GeometryFigures => ({ chi2: NaN, chi2_total: NaN, dof: NaN, criterion: NaN, converged: false, elapsedMs: 0, quality: 'failed', error: { code, message: 'Δ ran to an integer' } });

  it('is judged failed: the other is picked as the only fit, or neither when the other failed too', () => {
    const only = chooseGeometry(figures(0.98, 'good'), stoppedFigures('RING_ERR_DELTA_INTEGER'));
    expect(only).toMatchObject({ picked: 'disk', verdict: 'only' });
    expect(only.reason).toMatch(/^disk: the only fit that describes the data \(reduced χ² 0\.98\); the horizon fit stopped: RING_ERR_DELTA_INTEGER/);
    const otherWay = chooseGeometry(stoppedFigures('RING_ERR_MODEL_DIVERGED'), figures(1.01, 'poor'), 0.5);
    expect(otherWay).toMatchObject({ picked: 'horizon', verdict: 'only' });
    const neither = chooseGeometry(stoppedFigures('RING_ERR_MODEL_DIVERGED'), figures(40, 'failed'));
    expect(neither.verdict).toBe('neither');
    expect(neither.reason).toMatch(/^none: neither geometry describes the data: the disk fit stopped: RING_ERR_MODEL_DIVERGED.*the horizon fit failed \(reduced χ² 40\.00\)/);
  });

  it('a disk at Δ = 3.5 under --geometry auto --delta auto: the horizon profile stops in (1, 2), the disk is still picked with Δ found', async () => {
    const points = simulateResponseTable({ metric: deformedMetric(), delta: 3.5, omegas: Array.from({ length: 16 }, (_, i) => 0.5 + 0.75 * i), gamma: 0.25, kMax: 6, noise: 0.01, seed: 1 });
    const data = join(dir, 'disk35.csv');
    const out = join(dir, 'disk35.json');
    writeFileSync(data, formatResponseTable(points));
    const r = await run(['--data', data, '--delta', 'auto', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8')) as { geometry: string; delta: number; delta_err: number; geometry_choice: { verdict: string; horizon: GeometryFigures } };
    expect(res.geometry).toBe('disk');
    expect(Math.abs(res.delta - 3.5)).toBeLessThan(Math.max(3 * res.delta_err, 1e-3));
    expect(res.geometry_choice.verdict).toBe('only');
    expect(res.geometry_choice.horizon.error?.code).toBe('RING_ERR_DELTA_INTEGER');
    expect(r.stderr).toMatch(/the horizon fit stopped: RING_ERR_DELTA_INTEGER/);
  }, 120_000);

  it('a diffusive ring (physics.md §12) at a given Δ: both fits stop, exit 1 with RING_ERR_MODEL_NO_GEOMETRY naming both, never a crash of the comparison', async () => {
    const data = join(dir, 'diffusion.csv');
    const sim = await runCliAsync(['simulate', '--quiet', '--model', 'diffusion:0.5', '--noise', '0.01', '--seed', '1', '--out', data], { cwd: root });
    expect(sim.code, sim.stderr).toBe(0);
    const r = await run(['--data', data, '--delta', '1.5', '--quiet', '--out', join(dir, 'diffusion.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RING_ERR_MODEL_NO_GEOMETRY: none: neither geometry/);
    expect(r.stderr).toMatch(/the disk fit (stopped|failed)/);
    expect(r.stderr).toMatch(/the horizon fit (stopped|failed)/);
  }, 120_000);
});
