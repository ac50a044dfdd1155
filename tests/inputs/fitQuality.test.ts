import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { runProgram } from '../../src/cli/program.ts';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { assessFit, checkSigmaPrecision, modelRelativeError } from '../../src/model/quality.ts';
import { deformedMetric } from '../../src/physics/metric.ts';
import { simulateResponseTable } from '../../src/physics/response.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-quality-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let base: ResponsePoint[];

beforeAll(() => {
  const omegas = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6];
  base = simulateResponseTable({ metric: deformedMetric(), delta: 1.5, omegas, gamma: 0.25, kMax: 4, noise: 0.01, seed: 3 });
});

async function reconstruct(points: ResponsePoint[], extra: string[] = []): Promise<{ code: number; stderr: string; out: Record<string, unknown> | null }> {
  const data = join(dir, `t${Math.abs(points[3].sigma * 1e9) | 0}-${extra.join('')}.csv`);
  const out = `${data}.json`;
  writeFileSync(data, formatResponseTable(points));
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    stderr += String(c);
    return true;
  });
  try {
    const code = await runProgram(['reconstruct', '--data', data, '--layers', '200', '--nodes', '16', '--quiet', '--out', out, ...extra]);
    let json = null;
    try {
      json = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      json = null;
    }
    return { code, stderr, out: json };
  } finally {
    spy.mockRestore();
    process.exitCode = undefined;
  }
}

describe('σ the network cannot honour', () => {
  it('ε(N) follows RK4: 5e-5 at 400 layers, 16× worse per halving', () => {
    expect(modelRelativeError(400)).toBeCloseTo(5e-5, 12);
    expect(modelRelativeError(200) / modelRelativeError(400)).toBeCloseTo(16, 10);
  });

  it.each([1e-5, 1e-12, 1e-200])('one row with σ = %s among σ ≈ 0.02 is refused naming its line and why', async (tiny) => {
    const points = base.map((p, i) => (i === 3 ? { ...p, sigma: tiny } : p));
    expect(() => checkSigmaPrecision(points, 400)).toThrow(/row 4 \(ω = 0\.5, k = 3\)/);
    const r = await reconstruct(points);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_MODEL_SIGMA_BELOW_PRECISION: --data: 1 row\(s\) have σ below the network's own precision .* line 5 \(ω = 0\.5, k = 3\)/);
  });
});

describe('the verdict on a fit', () => {
  it('a good table gives a good fit without warnings', async () => {
    const r = await reconstruct(base, ['--strict']);
    expect(r.code).toBe(0);
    expect(r.out?.quality).toBe('good');
    expect(r.out?.warnings).toEqual([]);
    expect(r.stderr).toBe('');
  });

  it('a wrong Δ (disk geometry): warnings on stderr and in the output, quality "failed", --strict exits 1', async () => {
    const r = await reconstruct(base, ['--delta', '1.6', '--geometry', 'disk']);
    expect(r.code).toBe(0);
    expect(r.out?.quality).toBe('failed');
    expect(r.stderr).toMatch(/holoring: warning: reduced χ² \d+ where 1 ± 0\.1\d is expected for \d+ degrees of freedom: the metric does not describe the data/);
    expect((r.out?.warnings as string[]).length).toBeGreaterThan(0);
    const strict = await reconstruct(base, ['--delta', '1.6', '--geometry', 'disk', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/RING_ERR_MODEL_POOR_FIT: --strict: the fit is failed/);
  });

  it('a wrong Δ with --geometry auto: neither geometry describes the data, exit 1 with RING_ERR_MODEL_NO_GEOMETRY, the output kept for inspection', async () => {
    const r = await reconstruct(base, ['--delta', '1.6']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RING_ERR_MODEL_NO_GEOMETRY/);
    expect(r.out?.quality).toBe('failed');
  });

  it('a row far outside its σ is named as dominating χ²', async () => {
    const points = base.map((p, i) => (i === 17 ? { ...p, chiRe: p.chiRe + 200 * p.sigma } : p));
    const r = await reconstruct(points);
    expect(r.out?.quality).toBe('failed');
    expect(r.stderr).toMatch(/χ² is dominated by 1 row\(s\) \(\d+%\): line 19 \(ω = 2, k = 2\) \d+σ/);
    expect(r.out?.dominantRows).toEqual([expect.objectContaining({ row: 18, line: 19, omega: 2, k: 2 })]);
  });

  it('the χ² window is the χ² distribution\'s: 4σ of 1 for the degrees of freedom', () => {
    const points = base.slice(0, 4);
    const zero = new Float64Array(8);
    const inv = new Float64Array(4).fill(1);
    const at = (chi2: number, dof: number) => assessFit({ chi2, dof, converged: true, evaluations: 5, noiseless: false }, points, zero, inv).quality;
    expect(at(1 + 3.9 * Math.sqrt(2 / 600), 600)).toBe('good');
    expect(at(1 + 4.1 * Math.sqrt(2 / 600), 600)).toBe('poor');
    expect(at(1.5, 20)).toBe('good');
    expect(at(3.5, 2000)).toBe('failed');
    expect(assessFit({ chi2: 1, dof: 600, converged: false, evaluations: 60, noiseless: false }, points, zero, inv).quality).toBe('failed');
  });
});
