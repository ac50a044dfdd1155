import { readFileSync } from 'node:fs';
import { type ErrorCode, ErrorCodes, HoloringError } from '../errors.ts';
import { stripBom } from './json.ts';

/**
 * Reads a UTF-8 file without its byte-order mark, if any. A file that does not
 * exist is refused with RING_ERR_FILE_NOT_FOUND ("no WHAT at PATH"); any other
 * failure (a directory, no permission) with `code` and "cannot read WHAT PATH: reason".
 */
export function readTextFile(path: string, code: ErrorCode, what: string): string {
  try {
    return stripBom(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HoloringError(ErrorCodes.FILE_NOT_FOUND, `no ${what} at ${path}: the file does not exist (check the path and the working directory, ${process.cwd()})`, { path });
    }
    throw new HoloringError(code, `cannot read ${what} ${path}: ${(e as Error).message}`, { path });
  }
}
