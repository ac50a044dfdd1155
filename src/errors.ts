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

export class HoloringError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(message);
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
