import { describe, expect, it } from 'vitest';
import { RESPONSE_HEADER, formatResponseTable, parseResponseTable } from '../../src/io/responseTable.ts';

const H = RESPONSE_HEADER;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  throw new Error('expected a refusal');
}

describe('response table CSV', () => {
  it('round-trips doubles exactly', () => {
    const pts = [
      { omega: 0.25, gamma: 0.25, k: 0, chiRe: -0.1 / 3, chiIm: 1e-300, sigma: 0 },
      { omega: 12, gamma: 0.25, k: 12, chiRe: 123456.789, chiIm: -Math.PI, sigma: 0 },
    ];
    const text = formatResponseTable(pts);
    expect(text.split('\n')[0]).toBe(H);
    const back = parseResponseTable(text);
    expect(back.points).toEqual(pts);
    expect(back.noiseless).toBe(true);
  });

  it('carries the common part of σ in an optional sigma_common column (written only when a row has one), refusing one not below sigma', () => {
    const pts = [
      { omega: 0.5, gamma: 0.25, k: 0, chiRe: 1.25, chiIm: -0.5, sigma: 0.01, sigmaCommon: 0.004 },
      { omega: 0.5, gamma: 0.25, k: 1, chiRe: 0.75, chiIm: 0.125, sigma: 0.02, sigmaCommon: 1 / 3 * 0.01 },
    ];
    const text = formatResponseTable(pts);
    expect(text.split('\n')[0]).toBe(`${H},sigma_common`);
    expect(parseResponseTable(text).points).toEqual(pts);
    // a table without it reads as before, and writes the six columns
    const plain = pts.map(({ sigmaCommon: _c, ...p }) => p);
    expect(parseResponseTable(formatResponseTable(plain)).points).toEqual(plain);
    expect(formatResponseTable(plain).split('\n')[0]).toBe(H);
    expect(() => parseResponseTable(`${H},sigma_common\n0.5,0.25,0,1,1,0.01,0.01\n`, 'a.csv')).toThrow(/a\.csv:2: sigma_common must be a number with 0 ≤ sigma_common < sigma/);
    expect(codeOf(() => parseResponseTable(`${H},sigma_common\n0.5,0.25,0,1,1,0.01,-1e-3\n`))).toBe('RING_ERR_TABLE_VALUE');
  });

  it('accepts columns in another order, comments and blank lines', () => {
    const t = parseResponseTable(`# my data\nk,omega,gamma,sigma,chi_re,chi_im\n\n2,1.5,0.25,0.01,1,2\n`);
    expect(t.points[0]).toEqual({ omega: 1.5, gamma: 0.25, k: 2, chiRe: 1, chiIm: 2, sigma: 0.01 });
    expect(t.noiseless).toBe(false);
  });

  it('refuses bad tables with stable codes', () => {
    expect(codeOf(() => parseResponseTable(''))).toBe('RING_ERR_TABLE_FORMAT');
    expect(codeOf(() => parseResponseTable('omega,gamma,k,chi_re,chi_im\n1,0.25,0,1,1'))).toBe('RING_ERR_TABLE_FORMAT');
    expect(codeOf(() => parseResponseTable(`${H}\n1,0.25,0,1`))).toBe('RING_ERR_TABLE_FORMAT');
    expect(codeOf(() => parseResponseTable(`${H}\n1,0.25,0,NaN,1,0`))).toBe('RING_ERR_TABLE_VALUE');
    expect(codeOf(() => parseResponseTable(`${H}\n1,0.25,0,,1,0`))).toBe('RING_ERR_TABLE_VALUE');
    expect(codeOf(() => parseResponseTable(`${H}\n1,0.25,0.5,1,1,0`))).toBe('RING_ERR_TABLE_VALUE');
    expect(codeOf(() => parseResponseTable(`${H}\n1,0.25,0,1,1,-0.1`))).toBe('RING_ERR_TABLE_VALUE');
    expect(codeOf(() => parseResponseTable(`${H}\n1,0.25,0,1,1,0.1\n1,0.25,1,1,1,0`))).toBe('RING_ERR_TABLE_VALUE');
    expect(codeOf(() => parseResponseTable(`${H}\n1,0.25,2,1,1,0\n1,0.25,-2,1,1,0`))).toBe('RING_ERR_TABLE_DUPLICATE');
    expect(codeOf(() => parseResponseTable(`${H}\n`))).toBe('RING_ERR_TABLE_TOO_SMALL');
  });

  it('names the line of a bad row', () => {
    expect(() => parseResponseTable(`${H}\n1,0.25,0,1,1,0\n1,0.25,1,x,1,0`, 'data.csv')).toThrow(/data\.csv:3: chi_re/);
  });
});
