import { describe, expect, it } from 'vitest';
import { RESPONSE_HEADER, formatResponseTable, normaliseHeaderName, parseResponseTable } from '../../src/io/responseTable.ts';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { HoloringError } from '../../src/errors.ts';

/** A small table with values that change when misread (9.99 vs 999, 0.5 vs 5). */
const points: ResponsePoint[] = [
  { omega: 0.5, gamma: 0.25, k: 0, chiRe: 9.99, chiIm: -0.0625, sigma: 0.0125 },
  { omega: 0.5, gamma: 0.25, k: 1, chiRe: -1.5e-3, chiIm: 12.75, sigma: 0.02 },
  { omega: 1.25, gamma: 0.25, k: 2, chiRe: 1234.5, chiIm: 0.001, sigma: 2.5e-2 },
];
const plain = formatResponseTable(points);

/** The same table in another dialect: separator, decimal mark, header. */
function dialect(sep: string, decimal: '.' | ',', header = RESPONSE_HEADER.split(',')): string {
  const rows = plain.trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.replace('.', decimal)).join(sep));
  return [header.join(sep), ...rows].join('\r\n') + '\r\n';
}

function refusal(fn: () => unknown): HoloringError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HoloringError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('response table dialects (csv-parse, RFC 4180)', () => {
  it('reads header names in any case and with a bracketed unit', () => {
    expect(normaliseHeaderName(' Omega [v/R] ')).toBe('omega');
    expect(normaliseHeaderName('SIGMA (1)')).toBe('sigma');
    const t = parseResponseTable(dialect(',', '.', ['omega [v/R]', 'GAMMA [v/R]', 'K', 'Chi_Re [1]', 'chi_im (1)', 'Sigma']));
    expect(t.points).toEqual(points);
    expect(t.dialect).toEqual({ delimiter: ',', decimalComma: false });
  });

  it('reads ";" and tab separators, with decimal commas, to the same numbers (never 9,99 as 999)', () => {
    for (const sep of [';', '\t']) {
      const comma = parseResponseTable(dialect(sep, ','));
      expect(comma.points).toEqual(points);
      expect(comma.dialect).toEqual({ delimiter: sep, decimalComma: true });
      const dot = parseResponseTable(dialect(sep, '.'));
      expect(dot.points).toEqual(points);
      expect(dot.dialect.decimalComma).toBe(false);
    }
  });

  it('reads quoted fields and reports each row\'s line', () => {
    const t = parseResponseTable(`# exported\n\n"omega","gamma","k","chi_re","chi_im","sigma"\n"0.5","0.25","1","1","2","0.1"\n\n0.5,0.25,2,3,4,0.1\n`);
    expect(t.points.map((p) => p.k)).toEqual([1, 2]);
    expect(t.lines).toEqual([4, 6]);
  });

  it('refuses a comma inside a number of a comma-separated table, naming the line and the cause', () => {
    const e = refusal(() => parseResponseTable(`${RESPONSE_HEADER}\n0.5,0.25,0,"9,99",1,0.1\n`, 't.csv'));
    expect(e.code).toBe('RING_ERR_TABLE_VALUE');
    expect(e.message).toMatch(/t\.csv:2: cannot read "9,99".*ambiguous/);
    const unquoted = refusal(() => parseResponseTable(`${RESPONSE_HEADER}\n0,5,0,25,0,9,99,1,0,1\n`, 't.csv'));
    expect(unquoted.code).toBe('RING_ERR_TABLE_FORMAT');
    expect(unquoted.message).toMatch(/t\.csv:2: expected 6 fields, got 10 \(decimal commas/);
  });

  it('refuses mixed decimal marks and thousands separators instead of guessing', () => {
    const mixed = dialect(';', ',').replace('0,02', '0.02');
    const e = refusal(() => parseResponseTable(mixed, 'm.csv'));
    expect(e.message).toMatch(/mixes decimal marks: "," on line 2, "\." on line 3/);
    const grouped = dialect(';', ',').replace('1234,5', '1.234,5');
    expect(refusal(() => parseResponseTable(grouped, 'g.csv')).message).toMatch(/g\.csv:4: cannot read "1\.234,5"/);
  });

  it('says what it found when the header cannot be read', () => {
    const one = refusal(() => parseResponseTable('omega gamma k chi_re chi_im sigma\n1 2 3 4 5 6\n', 'h.csv'));
    expect(one.code).toBe('RING_ERR_TABLE_FORMAT');
    expect(one.message).toMatch(/found one field "omega gamma k chi_re chi_im sigma"/);
    const wrong = refusal(() => parseResponseTable('w,gamma,k,re,im,sigma\n1,2,3,4,5,6\n', 'h.csv'));
    expect(wrong.message).toMatch(/missing column\(s\) omega, chi_re, chi_im: the header .* has "w", "gamma", "k", "re", "im", "sigma"/);
  });

  it('refuses σ = 0 among σ > 0 naming every such line', () => {
    const lines = plain.trim().split('\n');
    lines[1] = lines[1].replace(/,[^,]+$/, ',0');
    lines[3] = lines[3].replace(/,[^,]+$/, ',0');
    const e = refusal(() => parseResponseTable(lines.join('\n'), 'z.csv'));
    expect(e.code).toBe('RING_ERR_TABLE_VALUE');
    expect(e.message).toMatch(/z\.csv: sigma = 0 on line\(s\) 2, 4 while the other 1 rows have sigma > 0/);
    expect(e.context.lines).toEqual([2, 4]);
  });

  it('accepts a byte-order mark and refuses words and non-finite numbers', () => {
    expect(parseResponseTable('\uFEFF' + plain).points).toEqual(points);
    for (const bad of ['Infinity', 'NaN', '1e400', '0x10', 'abc']) {
      expect(refusal(() => parseResponseTable(`${RESPONSE_HEADER}\n0.5,0.25,0,${bad},1,0.1\n`)).code).toBe('RING_ERR_TABLE_VALUE');
    }
  });
});
