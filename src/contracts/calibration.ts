import type { RingFrame } from './frame.ts';

/**
 * Calibration types shared by the calibration procedure, the apply operator,
 * the ring transform and the response accumulator. Types only.
 */

export interface ComplexValue {
  re: number;
  im: number;
}

/** Who measured the record: the device identity it belongs to. */
export interface CalibrationDevice {
  model: string;
  serial: string;
  firmware?: string;
}

/** How the overall complex constant left free by redundant calibration is fixed. */
export interface CalibrationReference {
  /**
   * `uv-ads`: the calibrated response at large |k| and low ω equals the closed form of
   * the reference geometry (asymptotically AdS: the UV is universal);
   * `unit-mean`: Σ_j c_j / N = 1 (relative calibration only, overall constant unknown).
   */
  kind: 'uv-ads' | 'unit-mean';
  /** Reference geometry of the closed form: "ads" (disk) or "btz:RH". */
  geometry?: string;
  /** Δ of the closed form (given, or fitted: then `deltaErr` is present). */
  delta?: number;
  /** 1σ of Δ when the reference fitted it (physics.delta "auto"). */
  deltaErr?: number;
  gamma?: number;
  /** Drive frequencies used for the reference. */
  omegas?: number[];
  /** Inclusive range of |k| used for the reference. */
  kMin?: number;
  kMax?: number;
  /** Overall factor λ applied to the relative gains (c = λ ĉ). */
  factor: ComplexValue;
  /** 1σ of λ per real component, relative (0 for unit-mean). */
  sigma: number;
  /** χ²/dof of the per-k estimates of λ about their mean (consistency of the reference). */
  reducedChi2?: number;
}

export interface CalibrationResiduals {
  /** Weighted χ² of the redundant fit (per real component). */
  chi2: number;
  dof: number;
  reducedChi2: number;
  /** Largest |residual|/σ over all measurements. */
  maxNormalized: number;
  /** Condition number of the gain normal matrix with the overall constant removed. */
  condition: number;
  /** Per site reduced χ² of its measurements. */
  perSite: number[];
  iterations: number;
}

export interface CalibrationMethod {
  name: 'redundant-ring-symmetry';
  sourceSites: number[];
  omegas: number[];
  amplitudes: number[];
  framesPerSetting: number;
  offFrames: number;
  framesUsed: number;
  framesRejected: number;
  sourceWidth: number;
  /** Frames flagged SIMULATED were used: the record calibrates a simulator, not a physical ring. */
  simulated: boolean;
}

/** Noise model measured during calibration: complex σ² = (relative·|z|)² + floor². */
export interface CalibrationNoise {
  relative: number;
  floor: number;
}

/** A calibration record (one JSON file, never edited in place). */
export interface CalibrationRecord {
  kind: 'holoring-calibration';
  schemaVersion: 1;
  /** Content hash "cal-" + 16 hex digits of SHA-256 over the record without this field. */
  version: string;
  createdAt: string;
  device: CalibrationDevice;
  sites: number;
  /** Complex offset o_j per site (response units). */
  offsets: ComplexValue[];
  /** 1σ per real component of each offset. */
  offsetSigma: number[];
  /** Complex gain c_j per site. */
  gains: ComplexValue[];
  /** 1σ per real component of each gain (including the reference's). */
  gainSigma: number[];
  noise: CalibrationNoise;
  method: CalibrationMethod;
  reference: CalibrationReference;
  residuals: CalibrationResiduals;
  note: string;
  /** Version of the record this one replaces, if any. */
  supersedes?: string;
}

/** Calibration state of a frame after the apply operator. */
export type CalibrationStatus =
  /** Calibrated with `calibrationVersion`. */
  | 'calibrated'
  /** The device identity does not match the record: left raw. */
  | 'identity-mismatch'
  /** The record does not fit the frame (site count): left raw. */
  | 'record-mismatch'
  /** No record available: left raw. */
  | 'uncalibrated';

/** A frame after calibration: x, y are calibrated readings (or raw when not calibrated). */
export interface CalibratedFrame extends RingFrame {
  /** The frame as the device delivered it (never modified). */
  raw: RingFrame;
  status: CalibrationStatus;
  /** Version id of the record applied; null when not calibrated. */
  calibrationVersion: string | null;
  /** 1σ per real component of each calibrated site reading (noise model + calibration uncertainty); absent when unknown. */
  siteSigma?: Float64Array;
  /**
   * The part of siteSigma that comes from the record's own uncertainty (offsets and
   * gains): the same error in every frame calibrated with the record, so averaging
   * frames does not reduce it.
   */
  siteSigmaSystematic?: Float64Array;
  /** Relative 1σ (per real component) of the record's overall constant: a common scale error of every site. */
  referenceSigma?: number;
}

/** χ(Ω, k) of one frame. */
export interface ChiSample {
  k: number;
  re: number;
  im: number;
  /** 1σ per real component propagated from siteSigma (NaN when unknown). */
  sigma: number;
  /** The calibration (systematic) part of sigma, propagated from siteSigmaSystematic (0 when unknown). */
  sigmaSystematic?: number;
  /** The part of sigmaSystematic common to every site and frame: the reference's overall-constant error σ_ref·|χ| (absent: 0). */
  sigmaCommon?: number;
}

export interface ChiFrame {
  seq: number;
  deviceTimeUs: number;
  omega: number;
  gamma: number;
  sourceSite: number;
  flags: number;
  calibrationVersion: string | null;
  chi: ChiSample[];
  /**
   * Covariance across k of this frame's χ errors (per real component; the ring DFT
   * takes every χ_k from the same sites, so the loudest sites' errors enter every k):
   * K×K row-major over `chi` in order, propagated from siteSigma. `random` is the
   * reading noise (new in every frame), `systematic` the record's per-site errors
   * (the same in every frame); the reference's common error (sigmaCommon) is in neither.
   * Absent when the frame carries no per-site σ.
   */
  kCovariance?: { random: Float64Array; systematic: Float64Array };
}

/** The response table accumulated from χ frames of one calibration version. */
export interface AccumulatedResponse {
  points: import('./response.ts').ResponsePoint[];
  /** True when every sigma is 0 (never for measured data). */
  noiseless: boolean;
  /** Calibration version of every frame in the table (null: uncalibrated data). */
  calibrationVersion: string | null;
  /** χ frames averaged into the table. */
  frames: number;
  /** χ frames not used, by reason. */
  dropped: Record<string, number>;
}
