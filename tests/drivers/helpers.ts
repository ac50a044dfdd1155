import { FrameFlags, type RingFrame } from '../../src/contracts/frame.ts';
import { Rng } from '../../src/util/random.ts';

/** A synthetic ring frame with seeded random readings (independent of the simulator). */
export function syntheticFrame(rng: Rng, seq: number, sites = 64): RingFrame {
  const x = new Float64Array(sites);
  const y = new Float64Array(sites);
  for (let j = 0; j < sites; j++) {
    x[j] = rng.normal() * 10 ** (-3 * rng.uniform());
    y[j] = rng.normal() * 10 ** (-3 * rng.uniform());
  }
  return {
    seq, deviceTimeUs: seq * 50_000, omega: 0.25 * (1 + (seq % 40)), sourceSite: seq % sites, amplitude: 0.5,
    sourceWidth: 0.15, temperatureK: 0.0101, x, y, flags: FrameFlags.SIMULATED, source: 'serial',
  };
}

/** Relative agreement of two readings at the wire precision (8 significant digits). */
export function sameReading(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-7 * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;
}

export function framesAgree(got: RingFrame, want: RingFrame): boolean {
  if (got.seq !== want.seq || got.deviceTimeUs !== want.deviceTimeUs || got.omega !== want.omega) return false;
  if (got.sourceSite !== want.sourceSite || got.amplitude !== want.amplitude || got.flags !== want.flags || got.x.length !== want.x.length) return false;
  for (let j = 0; j < want.x.length; j++) if (!sameReading(got.x[j], want.x[j]) || !sameReading(got.y[j], want.y[j])) return false;
  return sameReading(got.temperatureK, want.temperatureK);
}
