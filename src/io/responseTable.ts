import { ErrorCodes, HoloringError } from '../errors.ts';
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { readTextFile } from './readText.ts';

/** The exchange format's header, exactly. */
export const RESPONSE_HEADER = 'omega,gamma,k,chi_re,chi_im,sigma';
const COLUMNS = RESPONSE_HEADER.split(',');

/** Shortest round-trip representation of a double. */
const num = (v: number): string => (Object.is(v, -0) ? '0' : String(v));

export function formatResponseTable(points: readonly ResponsePoint[]): string {
  const lines = [RESPONSE_HEADER];
  for (const p of points) lines.push([p.omega, p.gamma, p.k, p.chiRe, p.chiIm, p.sigma].map(num).join(','));
  return lines.join('\n') + '\n';
}

/**
 * Parses a response table. Columns may appear in any order but all six are required;
 * blank lines and lines starting with '#' are ignored. Refuses non-finite values,
 * negative σ, σ = 0 mixed with σ > 0, non-integer k and duplicate (ω, γ, |k|) rows.
 */
export function parseResponseTable(text: string, source = 'table'): ResponseTable {
  const lines = text.split(/\r?\n/);
  let li = 0;
  while (li < lines.length && (lines[li].trim() === '' || lines[li].trim().startsWith('#'))) li++;
  if (li >= lines.length) throw new HoloringError(ErrorCodes.TABLE_FORMAT, `${source}: empty response table (expected header "${RESPONSE_HEADER}")`, { source });
  const header = lines[li].split(',').map((h) => h.trim());
  const idx = COLUMNS.map((c) => header.indexOf(c));
  const missing = COLUMNS.filter((_, i) => idx[i] < 0);
  if (missing.length > 0) {
    throw new HoloringError(ErrorCodes.TABLE_FORMAT, `${source}: missing column(s) ${missing.join(', ')} (header must contain ${RESPONSE_HEADER})`, { source, missing });
  }
  const points: ResponsePoint[] = [];
  const seen = new Map<string, number>();
  for (li = li + 1; li < lines.length; li++) {
    const raw = lines[li].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const cells = raw.split(',');
    const lineNo = li + 1;
    if (cells.length !== header.length) {
      throw new HoloringError(ErrorCodes.TABLE_FORMAT, `${source}:${lineNo}: expected ${header.length} fields, got ${cells.length}`, { source, line: lineNo });
    }
    const vals = idx.map((i) => Number(cells[i].trim()));
    for (let c = 0; c < COLUMNS.length; c++) {
      if (cells[idx[c]].trim() === '' || !Number.isFinite(vals[c])) {
        throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}:${lineNo}: ${COLUMNS[c]} is not a finite number ("${cells[idx[c]].trim()}")`, { source, line: lineNo, column: COLUMNS[c] });
      }
    }
    const [omega, gamma, k, chiRe, chiIm, sigma] = vals;
    if (!Number.isInteger(k)) throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}:${lineNo}: k must be an integer (got ${k})`, { source, line: lineNo });
    if (sigma < 0) throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}:${lineNo}: sigma must be ≥ 0 (got ${sigma})`, { source, line: lineNo });
    const key = `${omega}|${gamma}|${Math.abs(k)}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new HoloringError(ErrorCodes.TABLE_DUPLICATE, `${source}:${lineNo}: duplicate row for omega=${omega}, gamma=${gamma}, |k|=${Math.abs(k)} (first at line ${prev}; χ is even in k)`, { source, line: lineNo, first: prev });
    }
    seen.set(key, lineNo);
    points.push({ omega, gamma, k, chiRe, chiIm, sigma });
  }
  if (points.length === 0) throw new HoloringError(ErrorCodes.TABLE_TOO_SMALL, `${source}: response table has a header but no rows`, { source });
  const zero = points.filter((p) => p.sigma === 0).length;
  if (zero > 0 && zero < points.length) {
    throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}: ${zero} row(s) have sigma = 0 while others have sigma > 0; noisy data needs sigma > 0 on every row`, { source, zero });
  }
  return { points, noiseless: zero === points.length };
}

export function readResponseTable(path: string): ResponseTable {
  const text = readTextFile(path, ErrorCodes.TABLE_FORMAT, 'response table');
  return parseResponseTable(text, path);
}
