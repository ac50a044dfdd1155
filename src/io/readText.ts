import { readFileSync } from 'node:fs';
import { type ErrorCode, HoloringError } from '../errors.ts';
import { stripBom } from './json.ts';

/**
 * Reads a UTF-8 file without its byte-order mark, if any; a failure is refused
 * with `code` and "cannot read WHAT PATH: reason".
 */
export function readTextFile(path: string, code: ErrorCode, what: string): string {
  try {
    return stripBom(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new HoloringError(code, `cannot read ${what} ${path}: ${(e as Error).message}`, { path });
  }
}
