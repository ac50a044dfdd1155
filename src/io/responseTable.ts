import { ErrorCodes, HoloringError, quoteInput } from '../errors.ts';
import type { ResponsePoint, ResponseTable } from '../contracts/response.ts';
import { parse } from 'csv-parse/sync';
import { type CsvDialect, cellNumber, delimiterName, detectDecimalComma, detectDelimiter, headerLineIndex } from './csvDialect.ts';
import { stripBom } from './json.ts';
import { readTextFile } from './readText.ts';

/** The exchange format's header, exactly. */
export const RESPONSE_HEADER = 'omega,gamma,k,chi_re,chi_im,sigma';
const COLUMNS = RESPONSE_HEADER.split(',');

/** Shortest round-trip representation of a double. */
const num = (v: number): string => (Object.is(v, -0) ? '0' : String(v));

/** The optional seventh column: the part of sigma common to every row (ResponsePoint.sigmaCommon). */
export const SIGMA_COMMON_COLUMN = 'sigma_common';

/** The optional column of each row's share of the error common to its ω (ResponsePoint.sigmaStep, signed). */
export const SIGMA_STEP_COLUMN = 'sigma_step';

/**
 * The table as CSV; with a `sigma_common` column when any row has a common part of σ
 * (0 where a row has none), and a `sigma_step` column when every row has its share
 * of the error common to its ω.
 */
export function formatResponseTable(points: readonly ResponsePoint[]): string {
  const common = points.some((p) => p.sigmaCommon !== undefined);
  const step = points.length > 0 && points.every((p) => p.sigmaStep !== undefined);
  const lines = [[RESPONSE_HEADER, ...(common ? [SIGMA_COMMON_COLUMN] : []), ...(step ? [SIGMA_STEP_COLUMN] : [])].join(',')];
  for (const p of points) lines.push([p.omega, p.gamma, p.k, p.chiRe, p.chiIm, p.sigma, ...(common ? [p.sigmaCommon ?? 0] : []), ...(step ? [p.sigmaStep!] : [])].map(num).join(','));
  return lines.join('\n') + '\n';
}

/** A table as read from text: its points, the source line of each, and the CSV dialect found. */
export interface ParsedResponseTable extends ResponseTable {
  /** Source line (1-based) of each point. */
  lines: number[];
  dialect: CsvDialect;
}

/** Header name → column: case-insensitive, an optional bracketed unit (`omega [v/R]`, `sigma (1)`) dropped. */
export function normaliseHeaderName(name: string): string {
  return name.trim().replace(/\s*(\[[^\]]*\]|\([^)]*\))\s*$/, '').trim().toLowerCase();
}

/** Lists line numbers, the first few in full. */
export function formatLines(lines: readonly number[], max = 8): string {
  return lines.length <= max ? lines.join(', ') : `${lines.slice(0, max).join(', ')} and ${lines.length - max} more`;
}

/**
 * Parses a response table (RFC 4180 CSV, read by csv-parse). Header names
 * match the six columns case-insensitively, in any order, each with an
 * optional bracketed unit, an optional `sigma_common` (the part of sigma
 * common to every row, 0 ≤ sigma_common < sigma, or 0 where sigma = 0) and an
 * optional `sigma_step` (the row's signed share of the error common to its ω,
 * sigma_step² + sigma_common² ≤ sigma²); the separator (`,` `;` tab) and the decimal mark
 * are detected (csvDialect.ts) and reported in `dialect`. Blank lines and
 * lines starting with '#' are ignored. Refuses, naming the line: a wrong
 * number of fields, non-numbers and non-finite values, non-integer k, σ < 0,
 * σ = 0 mixed with σ > 0 (every such line), and duplicate (ω, γ, |k|) rows.
 */
export function parseResponseTable(text: string, source = 'table'): ParsedResponseTable {
  const body = stripBom(text);
  const headerAt = headerLineIndex(body.split(/\r?\n/));
  if (headerAt < 0) throw new HoloringError(ErrorCodes.TABLE_FORMAT, `${source}: empty response table (expected header "${RESPONSE_HEADER}")`, { source });
  const delimiter = detectDelimiter(body.split(/\r?\n/)[headerAt], source, COLUMNS);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, { delimiter, comment: '#', comment_no_infix: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    // csv-parse quotes the whole offending field: a binary file's can be kilobytes
    const why = (e as Error).message;
    throw new HoloringError(ErrorCodes.TABLE_FORMAT, `${source}${line ? `:${line}` : ''}: not readable as CSV: ${why.length > 240 ? `${why.slice(0, 240)}…` : why}`, { source, line });
  }
  const rows = records.filter((r) => r.record.some((c) => c !== '')).map((r) => ({ cells: r.record, line: r.info.lines }));
  const header = rows[0].cells.map(normaliseHeaderName);
  const idx = COLUMNS.map((c) => header.indexOf(c));
  const missing = COLUMNS.filter((_, i) => idx[i] < 0);
  if (missing.length > 0) {
    throw new HoloringError(
      ErrorCodes.TABLE_FORMAT,
      `${source}:${rows[0].line}: missing column(s) ${missing.join(', ')}: the header (separated by ${delimiterName(delimiter)}) has ${rows[0].cells.map((c) => quoteInput(c)).join(', ')}; it must name ${COLUMNS.join(', ')} (any order and case, optionally with a unit in brackets)`,
      { source, missing, found: rows[0].cells },
    );
  }
  const data = rows.slice(1);
  for (const r of data) {
    if (r.cells.length !== header.length) {
      const hint = delimiter === ',' && r.cells.length > header.length ? ' (decimal commas in a comma-separated table? export with ";" as the separator, or "." as the decimal mark)' : '';
      throw new HoloringError(ErrorCodes.TABLE_FORMAT, `${source}:${r.line}: expected ${header.length} fields, got ${r.cells.length}${hint}`, { source, line: r.line });
    }
  }
  const commonAt = header.indexOf(SIGMA_COMMON_COLUMN);
  const stepAt = header.indexOf(SIGMA_STEP_COLUMN);
  const decimalComma = detectDecimalComma(data.map((r) => ({ cells: idx.map((i) => r.cells[i]), line: r.line })), delimiter, source);
  const points: ResponsePoint[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  for (const { cells, line: lineNo } of data) {
    const vals = idx.map((i) => cellNumber(cells[i], decimalComma));
    for (let c = 0; c < COLUMNS.length; c++) {
      if (!Number.isFinite(vals[c])) {
        throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}:${lineNo}: ${COLUMNS[c]} is not a finite number (${quoteInput(cells[idx[c]])})`, { source, line: lineNo, column: COLUMNS[c] });
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
    const sigmaCommon = commonAt < 0 ? undefined : cellNumber(cells[commonAt], decimalComma);
    if (sigmaCommon !== undefined && !(sigmaCommon >= 0 && (sigmaCommon < sigma || sigmaCommon === 0))) {
      throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}:${lineNo}: ${SIGMA_COMMON_COLUMN} must be a number with 0 ≤ ${SIGMA_COMMON_COLUMN} < sigma (got "${cells[commonAt]}" with sigma ${sigma}): it is the part of sigma common to every row`, { source, line: lineNo, column: SIGMA_COMMON_COLUMN });
    }
    const sigmaStep = stepAt < 0 ? undefined : cellNumber(cells[stepAt], decimalComma);
    // u² + sigma_common² ≤ sigma² (a rounding's worth of slack: the writer prints full precision)
    if (sigmaStep !== undefined && !(Number.isFinite(sigmaStep) && sigmaStep * sigmaStep + (sigmaCommon ?? 0) ** 2 <= sigma * sigma * (1 + 1e-12))) {
      throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}:${lineNo}: ${SIGMA_STEP_COLUMN} must be a number with ${SIGMA_STEP_COLUMN}² + ${SIGMA_COMMON_COLUMN}² ≤ sigma² (got "${cells[stepAt]}" with sigma ${sigma}): it is the row's share of the error common to its ω`, { source, line: lineNo, column: SIGMA_STEP_COLUMN });
    }
    points.push({ omega, gamma, k, chiRe, chiIm, sigma, ...(sigmaCommon !== undefined ? { sigmaCommon } : {}), ...(sigmaStep !== undefined ? { sigmaStep } : {}) });
    lines.push(lineNo);
  }
  if (points.length === 0) throw new HoloringError(ErrorCodes.TABLE_TOO_SMALL, `${source}: response table has a header but no rows`, { source });
  const zeroLines = lines.filter((_, i) => points[i].sigma === 0);
  if (zeroLines.length > 0 && zeroLines.length < points.length) {
    throw new HoloringError(
      ErrorCodes.TABLE_VALUE,
      `${source}: sigma = 0 on line(s) ${formatLines(zeroLines)} while the other ${points.length - zeroLines.length} rows have sigma > 0; noisy data needs sigma > 0 on every row (σ = 0 everywhere marks an exact, simulated table)`,
      { source, lines: zeroLines },
    );
  }
  return { points, lines, noiseless: zeroLines.length === points.length, dialect: { delimiter, decimalComma } };
}

/** Reads and parses a response table file (see parseResponseTable). */
export function readResponseTable(path: string): ParsedResponseTable {
  const text = readTextFile(path, ErrorCodes.TABLE_FORMAT, 'response table');
  return parseResponseTable(text, path);
}
