import { HoloringError } from '../../../src/errors.ts';

/** The HoloringError code `fn` throws, or "no error". Other errors propagate. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof HoloringError) return e.code;
    throw e;
  }
  return 'no error';
}
