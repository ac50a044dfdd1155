import { ErrorCodes, HoloringError, assertFinite } from '../errors.ts';

/** Validates a conformal dimension Δ: finite, Δ > 1, not an integer (integer Δ needs log terms). */
export function validateDelta(delta: number): number {
  assertFinite('delta', delta);
  if (!(delta > 1)) {
    throw new HoloringError(ErrorCodes.DELTA_INVALID, `conformal dimension delta must be > 1 (got ${delta})`, { delta });
  }
  if (Math.abs(delta - Math.round(delta)) < 1e-6) {
    throw new HoloringError(
      ErrorCodes.DELTA_INTEGER,
      `integer conformal dimension delta = ${delta} needs logarithmic boundary terms and is not supported; use a non-integer value such as ${delta + 0.5}`,
      { delta },
    );
  }
  return delta;
}

/** Scalar mass squared m² = Δ(Δ − 2). */
export const massSquared = (delta: number): number => delta * (delta - 2);
