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
      `conformal dimension delta = ${delta} is the integer ${Math.round(delta)}: integer Δ needs logarithmic boundary terms and is not supported; use a Δ inside an integer interval, such as ${[Math.round(delta) - 0.5, Math.round(delta) + 0.5].filter((v) => v > 1).join(' or ')}`,
      { delta },
    );
  }
  return delta;
}

/** Scalar mass squared m² = Δ(Δ − 2). */
export const massSquared = (delta: number): number => delta * (delta - 2);
