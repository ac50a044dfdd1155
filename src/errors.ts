/**
 * One errors module for the whole project: every refusal carries a stable
 * string code (documented in README "Error codes") and a context object.
 */
export const ErrorCodes = {
  // physics / parameters
  DELTA_INVALID: 'RING_ERR_DELTA_INVALID',
  DELTA_INTEGER: 'RING_ERR_DELTA_INTEGER',
  NON_FINITE: 'RING_ERR_NON_FINITE',
  METRIC_INVALID: 'RING_ERR_METRIC_INVALID',
  METRIC_CONICAL: 'RING_ERR_METRIC_CONICAL',
  METRIC_NOT_POSITIVE: 'RING_ERR_METRIC_NOT_POSITIVE',
  METRIC_NOT_ADS: 'RING_ERR_METRIC_NOT_ADS',
  METRIC_FILE: 'RING_ERR_METRIC_FILE',
  SOLVER_FAILED: 'RING_ERR_SOLVER_FAILED',
  // tables / files
  TABLE_FORMAT: 'RING_ERR_TABLE_FORMAT',
  TABLE_VALUE: 'RING_ERR_TABLE_VALUE',
  TABLE_DUPLICATE: 'RING_ERR_TABLE_DUPLICATE',
  TABLE_TOO_SMALL: 'RING_ERR_TABLE_TOO_SMALL',
  /** A file named by a flag, an argument or the configuration does not exist. */
  FILE_NOT_FOUND: 'RING_ERR_FILE_NOT_FOUND',
  // CLI / config
  ARG_INVALID: 'RING_ERR_ARG_INVALID',
  CONFIG_INVALID: 'RING_ERR_CONFIG_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes] | `RING_ERR_${string}`;

/**
 * Characters never written raw into a message: C0 controls but the tab (NUL,
 * ESC, CR, LF, …), DEL, C1 controls, and the bidirectional overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) — a binary file quoted in an error
 * would otherwise drive the terminal or reorder what it shows.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/**
 * `text` with every unprintable character (UNPRINTABLE above) written as an
 * escape: `\n`, `\r`, `\0`, `\xNN` (up to U+00FF), `\u{NNNN}`. Every
 * HoloringError message goes through it, so input quoted in any refusal is
 * shown, never executed by the terminal.
 */
export function escapeControl(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}

/**
 * A piece of input for a message: in double quotes, control characters
 * escaped (escapeControl), cut to `max` characters of the input with the
 * number of characters left out (a binary file's line can be megabytes).
 */
export function quoteInput(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return `"${escapeControl(cut)}"`;
}

export class HoloringError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  /** `message` is shown with its control characters escaped (escapeControl). */
  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(escapeControl(message));
    this.name = 'HoloringError';
    this.code = code;
    this.context = Object.freeze({ ...context });
  }
  toJSON(): { code: string; message: string; context: Record<string, unknown> } {
    return { code: this.code, message: this.message, context: { ...this.context } };
  }
}

export function isHoloringError(e: unknown): e is HoloringError {
  return e instanceof HoloringError;
}

/** Throws RING_ERR_NON_FINITE unless every value is a finite number. */
export function assertFinite(name: string, ...values: number[]): void {
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new HoloringError(ErrorCodes.NON_FINITE, `${name} must be a finite number (got ${String(v)})`, { name, value: v });
    }
  }
}
