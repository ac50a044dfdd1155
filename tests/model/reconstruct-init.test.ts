/**
 * `reconstruct --init` and a given Δ: a warm start from a `--delta auto` output is
 * taken at a --delta within the checkpoint's own σ_Δ (or 1e-4) of its Δ, refused
 * further away saying why and what to give; a checkpoint's refusals name --init,
 * not --data; a Δ within 0.01 of an integer is refused naming the integer and a Δ
 * inside an interval (or --delta auto) to use instead.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';
import { runCliAsync } from '../support/cli.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'holoring-reconstruct-init-'));
const data = join(dir, 'disk17.csv');
writeFileSync(data, formatResponseTable(simulateResponseTable({ metric: deformedMetric(0.3, -0.2, 1.5), delta: 1.7, omegas: frequencyGrid(0.5, 6, 0.5), gamma: 0.25, kMax: 4, noise: 0.01, seed: 1 })));
const run = (args: string[]) => runCliAsync(['reconstruct', '--data', data, '--geometry', 'disk', '--layers', '200', '--nodes', '12', '--quiet', ...args], { cwd: root });

describe('reconstruct --init at a given Δ', () => {
  it('a --delta auto output warm-starts a fit at its Δ rounded within σ_Δ; 0.05 away, or for the other geometry, it is refused naming --init', async () => {
    const auto = join(dir, 'auto.json');
    const a = await run(['--delta', 'auto', '--delta-start', '1.5', '--out', auto]);
    expect(a.code, a.stderr).toBe(0);
    const res = JSON.parse(readFileSync(auto, 'utf8')) as { delta: number; delta_err: number };
    expect(Math.abs(res.delta - 1.7)).toBeLessThan(3 * res.delta_err);
    expect(res.delta).not.toBe(1.7);
    // the Δ as a person reads it off the output: 1.7 here, within the checkpoint's σ_Δ (or 1e-4)
    const given = Number(res.delta.toFixed(4));
    const warm = await run(['--delta', String(given), '--init', auto, '--out', join(dir, 'warm.json')]);
    expect(warm.code, warm.stderr).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'warm.json'), 'utf8')) as { delta: number }).delta).toBe(given);
    const far = await run(['--delta', '1.75', '--init', auto, '--out', join(dir, 'far.json')]);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/RING_ERR_MODEL_CHECKPOINT: --init: the checkpoint was fitted at Δ = 1\.\d+ ± [\d.]+e-\d, 0\.0\d+ from --delta 1\.75.*give --delta 1\.\d+, or --delta auto/);
    expect(far.stderr).not.toMatch(/--data:/);
    // a checkpoint of the other geometry than the one asked for (the later --geometry wins)
    const other = await run(['--delta', '1.7', '--init', auto, '--geometry', 'horizon', '--out', join(dir, 'other.json')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/RING_ERR_MODEL_CHECKPOINT: --init: the checkpoint holds disk weights but the geometry asked for is horizon/);
    expect(other.stderr).not.toMatch(/--data:/);
  }, 120_000);

  it('--delta within 0.01 of an integer: refused naming the integer, suggesting a Δ inside an interval or --delta auto', async () => {
    for (const d of ['2.0000001', '1.995']) {
      const r = await run(['--delta', d, '--out', join(dir, 'int.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`RING_ERR_DELTA_INTEGER: --delta: Δ = ${d.replace('.', '\\.')} is within 0\\.01 of the integer 2: .*such as 1\\.5 or 2\\.5, or --delta auto`));
      expect(r.stderr).not.toMatch(/2\.5000001/);
    }
  }, 60_000);
});
