import { ErrorCodes, HoloringError, quoteInput } from '../errors.ts';

/**
 * The CSV dialects a response table is read in (README "Response table"):
 * RFC 4180 records separated by `,`, `;` or a tab, with `.` as the decimal
 * mark, or — with `;` or tab separators only, as European-locale spreadsheets
 * export — `,` as the decimal mark. The separator is read off the header line
 * (header names never contain one); the decimal mark off the numbers.
 */
export interface CsvDialect {
  delimiter: ',' | ';' | '\t';
  decimalComma: boolean;
}

const DELIMITERS: readonly CsvDialect['delimiter'][] = [',', ';', '\t'];

/** Printable name of a delimiter, for messages. */
export const delimiterName = (d: string): string => (d === '\t' ? 'tab' : `"${d}"`);

/** The dialect in words, for stderr: `read with ";" separators and decimal commas`. */
export function describeDialect(d: CsvDialect): string {
  return `read with ${delimiterName(d.delimiter)} separators and ${d.decimalComma ? 'decimal commas' : 'decimal points'}`;
}

/** Index of the first line that is neither blank nor a `#` comment, or -1. */
export function headerLineIndex(lines: readonly string[]): number {
  return lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/**
 * The field separator of a table whose header is `headerLine`: the candidate
 * that occurs most often in it. A header with none of them is refused, saying
 * what was found.
 */
export function detectDelimiter(headerLine: string, source: string, expected: readonly string[]): CsvDialect['delimiter'] {
  const counts = DELIMITERS.map((d) => headerLine.split(d).length - 1);
  const best = counts.indexOf(Math.max(...counts));
  if (counts[best] === 0) {
    throw new HoloringError(
      ErrorCodes.TABLE_FORMAT,
      `${source}: cannot read the header: found one field ${quoteInput(headerLine.trim())}, expected the ${expected.length} columns ${expected.join(', ')} separated by ",", ";" or a tab`,
      { source, found: headerLine.trim().slice(0, 80) },
    );
  }
  return DELIMITERS[best];
}

/** A plain decimal number with `.` as its mark: 12, -0.5, .5, 1e-3, 2.5E+4. */
const DOT_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A number with `,` as its decimal mark: 0,5, -1,25e-3. */
const COMMA_NUMBER = /^[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?$/;

/**
 * Decides the decimal mark from the cells of the data rows. With a `,`
 * separator a comma inside a (quoted) number is ambiguous — a decimal mark or
 * a thousands separator (9,99 or 999?) — and refused; with `;` or tab, cells
 * like `0,5` mean 0.5, and a table that mixes `0,5` and `0.5` (or writes
 * `1.234,5`) is refused naming both lines, never guessed.
 */
export function detectDecimalComma(rows: readonly { cells: readonly string[]; line: number }[], delimiter: CsvDialect['delimiter'], source: string): boolean {
  let commaLine = 0;
  let dotLine = 0;
  for (const r of rows) {
    for (const c of r.cells) {
      if (c.includes(',')) {
        if (delimiter === ',' || !COMMA_NUMBER.test(c)) {
          const why = delimiter === ','
            ? 'a comma inside a number of a comma-separated table is ambiguous (decimal mark or thousands separator?)'
            : 'a number may hold a decimal comma or a decimal point, not both, and no thousands separators';
          throw new HoloringError(ErrorCodes.TABLE_VALUE, `${source}:${r.line}: cannot read ${quoteInput(c)} as a number: ${why}; export with "." as the decimal mark (or ";" as the separator and "," as the decimal mark)`, { source, line: r.line, cell: c });
        }
        commaLine ||= r.line;
      } else if (c.includes('.') && DOT_NUMBER.test(c)) {
        dotLine ||= r.line;
      }
      if (commaLine && dotLine) {
        throw new HoloringError(
          ErrorCodes.TABLE_VALUE,
          `${source}: the table mixes decimal marks: "," on line ${commaLine}, "." on line ${dotLine}; a number like 1,234 could be read two ways, so none is guessed — use one decimal mark throughout`,
          { source, commaLine, dotLine },
        );
      }
    }
  }
  return commaLine > 0;
}

/** The number a cell holds in the dialect, or NaN (empty, text, thousands separators, NaN/Infinity). */
export function cellNumber(cell: string, decimalComma: boolean): number {
  const c = decimalComma ? cell.replace(',', '.') : cell;
  return DOT_NUMBER.test(c) ? Number(c) : NaN;
}
