/**
 * Stable error codes of the calibration area (documented in docs/calibration.md).
 */
export const CalibrationErrorCodes = {
  /** Frames given to the solver are inconsistent (site count, source width) or malformed. */
  DATA: 'RING_ERR_CALIB_DATA',
  /** Not enough source-off frames to measure the offsets. */
  NO_OFFSETS: 'RING_ERR_CALIB_NO_OFFSETS',
  /** No frames with the source on (nothing to determine gains from). */
  NO_SOURCE: 'RING_ERR_CALIB_NO_SOURCE',
  /** A source setting has fewer frames than the scatter estimate needs. */
  TOO_FEW_FRAMES: 'RING_ERR_CALIB_TOO_FEW_FRAMES',
  /** The data cannot determine the gains (source at one site, degenerate site pattern, ill-conditioned). */
  UNDETERMINED: 'RING_ERR_CALIB_UNDETERMINED',
  /** The fit does not describe the data (residuals too large: not rotation-symmetric, non-linear, drifting). */
  RESIDUAL: 'RING_ERR_CALIB_RESIDUAL',
  /** The overall reference could not be fixed or is inconsistent across k. */
  REFERENCE: 'RING_ERR_CALIB_REFERENCE',
  /** A record file is not valid JSON or does not match the schema. */
  RECORD_INVALID: 'RING_ERR_CALIB_RECORD_INVALID',
  /** A record's content does not match its version id (edited or corrupted). */
  RECORD_TAMPERED: 'RING_ERR_CALIB_RECORD_TAMPERED',
  /** No record with that version, or no active record. */
  RECORD_NOT_FOUND: 'RING_ERR_CALIB_RECORD_NOT_FOUND',
  /** A record file for that version exists with different content, or the store cannot be written. */
  STORE: 'RING_ERR_CALIB_STORE',
  /** A record does not fit the frames it is applied to (site count). */
  MISMATCH: 'RING_ERR_CALIB_MISMATCH',
  /** The device did not deliver the frames the procedure asked for in time. */
  DEVICE: 'RING_ERR_CALIB_DEVICE',
} as const;
