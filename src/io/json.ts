/**
 * JSON text as the project reads it: a leading UTF-8 byte-order mark (U+FEFF,
 * written by some Windows editors and spreadsheet exports) is not part of the
 * document and is dropped before parsing, for every JSON file holoring reads
 * (configuration, records, checkpoints, metric tables, frames files, captures,
 * scenarios).
 */
export const BOM = '\uFEFF';

/** The text without a leading byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON.parse after dropping a leading byte-order mark; throws JSON.parse's SyntaxError. */
export function parseJson(text: string): unknown {
  return JSON.parse(stripBom(text));
}
