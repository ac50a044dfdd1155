import { readFileSync } from 'node:fs';
import { type ErrorCode, HoloringError } from '../errors.ts';

/** Reads a UTF-8 file; a failure is refused with `code` and "cannot read WHAT PATH: reason". */
export function readTextFile(path: string, code: ErrorCode, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new HoloringError(code, `cannot read ${what} ${path}: ${(e as Error).message}`, { path });
  }
}
