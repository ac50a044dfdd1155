import { describe, expect, it } from 'vitest';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { formatResponseTable, parseResponseTable } from '../../src/io/responseTable.ts';
import { correlatedChi2, prepareData } from '../../src/model/data.ts';

const rows: ResponsePoint[] = [0, 1, 2].flatMap((k) => [1, 2].map((omega) => ({ omega, gamma: 0.25, k, chiRe: 1 + k, chiIm: -omega, sigma: 0.01, sigmaCommon: 0.002, sigmaStep: k === 2 ? -0.004 : 0.006 })));

describe('the sigma_step column', () => {
  it('round-trips through the CSV exchange format beside sigma_common, signed', () => {
    const text = formatResponseTable(rows);
    expect(text.split('\n')[0]).toBe('omega,gamma,k,chi_re,chi_im,sigma,sigma_common,sigma_step');
    expect(parseResponseTable(text).points).toEqual(rows);
    // a table without it reads as before
    expect(parseResponseTable(formatResponseTable(rows.map(({ sigmaStep: _, ...p }) => p))).points.every((p) => p.sigmaStep === undefined)).toBe(true);
  });

  it('is refused, naming the line, when its share exceeds the row\'s σ beside sigma_common', () => {
    const text = 'omega,gamma,k,chi_re,chi_im,sigma,sigma_common,sigma_step\n1,0.25,0,1,0,0.01,0.008,0.007\n';
    expect(() => parseResponseTable(text, 't.csv')).toThrow(/t\.csv:2: sigma_step must be .*≤ sigma²/);
  });

  it('enters χ² as the covariance within each ω: the same as the explicit (D + uuᵀ)⁻¹ quadratic form', () => {
    const data = prepareData(rows, 2, { freeScale: true });
    const pred = Float64Array.from(data.chi, (v, i) => v + 0.01 * Math.sin(3 * i + 1));
    // explicit inverse per ω block and component, by Gauss–Jordan on the 3×3 covariance
    let explicit = 0;
    for (const omega of [1, 2]) {
      const idx = rows.map((p, i) => (p.omega === omega ? i : -1)).filter((i) => i >= 0);
      const n = idx.length;
      const cov = idx.flatMap((a) => idx.map((b) => (a === b ? rows[a].sigma ** 2 - rows[a].sigmaCommon! ** 2 : 0) + (a === b ? 0 : rows[a].sigmaStep! * rows[b].sigmaStep!)));
      const inv = invert(cov, n);
      for (const c of [0, 1]) {
        const r = idx.map((p) => pred[2 * p + c] - data.chi[2 * p + c]);
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) explicit += r[a] * inv[a * n + b] * r[b];
      }
    }
    expect(correlatedChi2(data, pred)).toBeCloseTo(explicit, 8);
    // and without the column, the diagonal χ²
    const diag = prepareData(rows.map(({ sigmaStep: _, ...p }) => p), 2, { freeScale: true });
    expect(diag.steps).toBeUndefined();
    expect(correlatedChi2(diag, pred)).toBeCloseTo(diag.invSigma.reduce((a, w, p) => a + w * w * ((pred[2 * p] - diag.chi[2 * p]) ** 2 + (pred[2 * p + 1] - diag.chi[2 * p + 1]) ** 2), 0), 10);
  });
});

function invert(m: number[], n: number): number[] {
  const a = m.map((v) => v);
  const inv = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
  for (let c = 0; c < n; c++) {
    const d = a[c * n + c];
    for (let j = 0; j < n; j++) { a[c * n + j] /= d; inv[c * n + j] /= d; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c];
      for (let j = 0; j < n; j++) { a[r * n + j] -= f * a[c * n + j]; inv[r * n + j] -= f * inv[c * n + j]; }
    }
  }
  return inv;
}
