import type { SimulatorTruth } from './simulator.ts';

/**
 * The injected calibration errors as JSON, in the same shape as a calibration
 * record's `gains` and `offsets`: arrays indexed by site of {"re": x, "im": y}.
 */
export interface TruthFile {
  kind: 'holoring-calibration-truth';
  sites: number;
  seed: number;
  gains: { re: number; im: number }[];
  offsets: { re: number; im: number }[];
}

export function truthToJson(truth: SimulatorTruth, seed: number): TruthFile {
  return {
    kind: 'holoring-calibration-truth',
    sites: truth.gains.length,
    seed,
    gains: truth.gains.map(({ re, im }) => ({ re, im })),
    offsets: truth.offsets.map(({ re, im }) => ({ re, im })),
  };
}
