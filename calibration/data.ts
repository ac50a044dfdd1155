import { FrameFlags, type RingFrame } from '../src/contracts/frame.ts';
import type { ComplexValue } from '../src/contracts/calibration.ts';
import { HoloringError } from '../src/errors.ts';
import { CalibrationErrorCodes as E } from './errors.ts';
import { implausibleReading } from '../src/pipeline/plausibility.ts';

/**
 * Prepares calibration frames for the solver: rejects flagged frames, measures
 * the offsets from source-off frames, averages the repeated frames of every
 * source setting (σ from their scatter) and fits the noise model.
 */

/** Frames with any of these flags are not used for calibration. */
export const REJECT_FLAGS = FrameFlags.OVERLOAD | FrameFlags.UNLOCKED | FrameFlags.SETTLING;

export interface DataOptions {
  /** Fewest source-off frames (default 4). */
  minOffFrames?: number;
  /** Fewest frames per source setting (site, ω, amplitude) for a scatter estimate (default 2). */
  minFramesPerSetting?: number;
}

/** The averaged readings of one source setting, offsets subtracted, per unit amplitude. */
export interface SettingMean {
  sourceSite: number;
  omega: number;
  amplitude: number;
  frames: number;
  /** Mean reading per site minus offset, divided by the amplitude. */
  re: Float64Array;
  im: Float64Array;
  /** Sample complex variance E|z − z̄|² per site of a single frame (raw units). */
  variance: Float64Array;
}

export interface PreparedData {
  sites: number;
  sourceWidth: number;
  offsets: ComplexValue[];
  offsetSigma: number[];
  offFrames: number;
  settings: SettingMean[];
  /** Complex σ² of a single reading: (relative·|z|)² + floor². */
  noise: { relative: number; floor: number };
  framesUsed: number;
  framesRejected: number;
}

const isOff = (f: RingFrame): boolean => f.amplitude === 0 || (f.flags & FrameFlags.SOURCE_OFF) !== 0;

export function prepareCalibrationData(frames: readonly RingFrame[], opts: DataOptions = {}): PreparedData {
  const minOff = opts.minOffFrames ?? 4;
  const minPer = opts.minFramesPerSetting ?? 2;
  if (frames.length === 0) throw new HoloringError(E.DATA, 'no calibration frames were given', {});
  const sites = frames[0].x.length;
  let rejected = 0;
  const good: RingFrame[] = [];
  for (const f of frames) {
    if (f.x.length !== sites || f.y.length !== sites) {
      throw new HoloringError(E.DATA, `frame seq ${f.seq} has ${f.x.length} sites, the first frame ${sites}; calibrate one device configuration at a time`, { seq: f.seq, sites: f.x.length, expected: sites });
    }
    if ((f.flags & REJECT_FLAGS) !== 0 || implausibleReading(f)) rejected++;
    else good.push(f);
  }
  const off = good.filter(isOff);
  const on = good.filter((f) => !isOff(f));
  if (off.length < minOff) {
    throw new HoloringError(E.NO_OFFSETS, `offsets need at least ${minOff} usable frames with the source off (amplitude 0); got ${off.length}`, { offFrames: off.length, minOffFrames: minOff });
  }
  if (on.length === 0) {
    throw new HoloringError(E.NO_SOURCE, 'no frames with the source on: the gains cannot be determined from source-off frames alone (move the source over several sites with amplitude > 0)', { offFrames: off.length });
  }
  const width = on[0].sourceWidth;
  for (const f of on) {
    if (Math.abs(f.sourceWidth - width) > 1e-12 * Math.max(1, width)) {
      throw new HoloringError(E.DATA, `frames disagree on the source width (${width} vs ${f.sourceWidth} at seq ${f.seq})`, { seq: f.seq });
    }
    if (!Number.isInteger(f.sourceSite) || f.sourceSite < 0 || f.sourceSite >= sites) {
      throw new HoloringError(E.DATA, `frame seq ${f.seq} has source site ${f.sourceSite}, outside 0..${sites - 1}`, { seq: f.seq });
    }
  }
  // offsets: mean of source-off frames; σ per real component from their scatter
  const offMean = meanAndVariance(off, sites);
  const offsets: ComplexValue[] = [];
  const offsetSigma: number[] = [];
  let floorVar = 0;
  for (let j = 0; j < sites; j++) {
    offsets.push({ re: offMean.re[j], im: offMean.im[j] });
    offsetSigma.push(Math.sqrt(offMean.variance[j] / 2 / off.length));
    floorVar += offMean.variance[j];
  }
  floorVar /= sites;
  // group repeated frames per setting
  const groups = new Map<string, RingFrame[]>();
  for (const f of on) {
    const key = `${f.sourceSite}|${f.omega}|${f.amplitude}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
  }
  const settings: SettingMean[] = [];
  for (const g of groups.values()) {
    const f0 = g[0];
    if (g.length < minPer) {
      throw new HoloringError(E.TOO_FEW_FRAMES, `source setting site ${f0.sourceSite}, ω ${f0.omega}, amplitude ${f0.amplitude} has ${g.length} frame(s); at least ${minPer} are needed to measure the scatter`, { sourceSite: f0.sourceSite, omega: f0.omega, frames: g.length, minFramesPerSetting: minPer });
    }
    const mv = meanAndVariance(g, sites);
    const re = new Float64Array(sites);
    const im = new Float64Array(sites);
    for (let j = 0; j < sites; j++) {
      re[j] = (mv.re[j] - offsets[j].re) / f0.amplitude;
      im[j] = (mv.im[j] - offsets[j].im) / f0.amplitude;
    }
    settings.push({ sourceSite: f0.sourceSite, omega: f0.omega, amplitude: f0.amplitude, frames: g.length, re, im, variance: mv.variance });
  }
  settings.sort((a, b) => a.omega - b.omega || a.sourceSite - b.sourceSite || a.amplitude - b.amplitude);
  // relative noise: ratio of pooled excess variance to pooled |z|² (raw units)
  let excess = 0;
  let power = 0;
  for (const s of settings) {
    const a2 = s.amplitude * s.amplitude;
    for (let j = 0; j < sites; j++) {
      excess += s.variance[j] - floorVar;
      power += a2 * (s.re[j] * s.re[j] + s.im[j] * s.im[j]);
    }
  }
  const relative = power > 0 ? Math.sqrt(Math.max(0, excess / power)) : 0;
  return {
    sites,
    sourceWidth: width,
    offsets,
    offsetSigma,
    offFrames: off.length,
    settings,
    noise: { relative, floor: Math.sqrt(floorVar) },
    framesUsed: good.length,
    framesRejected: rejected,
  };
}

function meanAndVariance(frames: readonly RingFrame[], sites: number): { re: Float64Array; im: Float64Array; variance: Float64Array } {
  const n = frames.length;
  const re = new Float64Array(sites);
  const im = new Float64Array(sites);
  for (const f of frames) {
    for (let j = 0; j < sites; j++) {
      re[j] += f.x[j] / n;
      im[j] += f.y[j] / n;
    }
  }
  const variance = new Float64Array(sites);
  if (n > 1) {
    for (const f of frames) {
      for (let j = 0; j < sites; j++) {
        const dr = f.x[j] - re[j];
        const di = f.y[j] - im[j];
        variance[j] += (dr * dr + di * di) / (n - 1);
      }
    }
  }
  return { re, im, variance };
}
