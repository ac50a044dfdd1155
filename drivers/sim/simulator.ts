import { ErrorCodes, HoloringError, assertFinite } from '../../src/errors.ts';
import { FrameFlags, type RingFrame } from '../../src/contracts/frame.ts';
import type { Complex } from '../../src/physics/complex.ts';
import { GridSolver } from '../../src/physics/gridSolver.ts';
import { type Metric, adsMetric } from '../../src/physics/metric.ts';
import { ringResponse } from '../../src/physics/ring.ts';
import { Rng } from '../../src/util/random.ts';
import { definedOnly } from '../../src/util/options.ts';

/** Simulated ring defaults (physics.md §9). */
export const SIM_DEFAULTS = {
  sites: 64,
  width: 0.15,
  delta: 1.5,
  gamma: 0.25,
  amplitude: 1,
  sourceSite: 0,
  noise: 0.01,
  noiseFloor: 1e-5,
  gainError: 0.01,
  phaseErrorDeg: 1,
  offsetError: 1e-3,
  temperatureK: 0.01,
  dwellUs: 50_000,
  seed: 1,
} as const;

export interface SimulatorOptions {
  metric?: Metric;
  /** Conformal dimension Δ of the probe operator. */
  delta?: number;
  /** Number of sites N_s around the ring. */
  sites?: number;
  /** Source profile width σ (radians). */
  width?: number;
  /** Material damping γ (Ω = ω + iγ). */
  gamma?: number;
  /** Relative complex Gaussian noise of each site's reading (fraction of the local response). */
  noise?: number;
  /** Absolute complex Gaussian noise floor of each channel (response units at J₀ = 1). */
  noiseFloor?: number;
  /** Injected channel gain errors: relative 1σ of |c_j|. */
  gainError?: number;
  /** Injected channel phase errors: 1σ of arg c_j in degrees. */
  phaseErrorDeg?: number;
  /** Injected channel offsets: complex 1σ in response units. */
  offsetError?: number;
  /** Sample temperature reported in frames (K). */
  temperatureK?: number;
  /** Device time advanced per frame (µs). */
  dwellUs?: number;
  seed?: number;
}

export interface SimulatorTruth {
  /** Complex gain c_j of each site. */
  gains: Complex[];
  /** Complex offset o_j of each site. */
  offsets: Complex[];
}

export interface FrameRequest {
  omega: number;
  sourceSite?: number;
  amplitude?: number;
}

/**
 * Seeded simulator of the ring hardware (physics.md §6–7): per drive frequency it
 * yields one frame with every site's lock-in reading
 *   z_j = c_j ⟨O(θ_j)⟩ + o_j + noise,
 * flagged SIMULATED. The same seed and the same calls give the same frames.
 */
export class RingSimulator {
  readonly metric: Metric;
  readonly delta: number;
  readonly sites: number;
  readonly width: number;
  readonly gamma: number;
  readonly noise: number;
  readonly noiseFloor: number;
  readonly temperatureK: number;
  readonly dwellUs: number;
  /** Largest |k| kept in the ring sum (where the source profile falls below 1e-18). */
  readonly kSum: number;
  private readonly solver: GridSolver;
  private readonly rng: Rng;
  private readonly truthData: SimulatorTruth;
  private readonly chiCache = new Map<number, Complex[]>();
  private seq = 0;
  private timeUs = 0;

  constructor(opts: SimulatorOptions = {}) {
    // an option given as undefined takes its default
    const given = definedOnly(opts);
    const o = { ...SIM_DEFAULTS, ...given };
    this.metric = opts.metric ?? adsMetric();
    assertFinite('simulator option', o.delta, o.sites, o.width, o.gamma, o.noise, o.noiseFloor, o.gainError, o.phaseErrorDeg, o.offsetError, o.seed);
    if (!Number.isInteger(o.sites) || o.sites < 4) throw new HoloringError(ErrorCodes.ARG_INVALID, `sites must be an integer ≥ 4 (got ${o.sites})`, { sites: o.sites });
    if (!(o.width >= 0.05 && o.width <= Math.PI)) throw new HoloringError(ErrorCodes.ARG_INVALID, `source width must be in [0.05, π] rad (got ${o.width})`, { width: o.width });
    if (!(o.gamma >= 0)) throw new HoloringError(ErrorCodes.ARG_INVALID, `damping gamma must be ≥ 0 (got ${o.gamma})`, { gamma: o.gamma });
    for (const [name, v] of [['noise', o.noise], ['noiseFloor', o.noiseFloor], ['gainError', o.gainError], ['phaseErrorDeg', o.phaseErrorDeg], ['offsetError', o.offsetError]] as const) {
      if (!(v >= 0)) throw new HoloringError(ErrorCodes.ARG_INVALID, `${name} must be ≥ 0 (got ${v})`, { [name]: v });
    }
    this.delta = o.delta;
    this.sites = o.sites;
    this.width = o.width;
    this.gamma = o.gamma;
    this.noise = o.noise;
    this.noiseFloor = o.noiseFloor;
    this.temperatureK = o.temperatureK;
    this.dwellUs = o.dwellUs;
    this.kSum = Math.ceil(Math.sqrt(2 * 41.5) / this.width);
    this.solver = new GridSolver(this.metric, this.delta);
    this.rng = new Rng(o.seed);
    // calibration errors come from their own stream, so they do not depend on how many frames were drawn
    const crng = new Rng(o.seed ^ 0x5a5a5a5a);
    const gains: Complex[] = [];
    const offsets: Complex[] = [];
    for (let j = 0; j < this.sites; j++) {
      const mag = 1 + o.gainError * crng.normal();
      const ph = ((o.phaseErrorDeg * Math.PI) / 180) * crng.normal();
      gains.push({ re: mag * Math.cos(ph), im: mag * Math.sin(ph) });
      const os = o.offsetError / Math.SQRT2;
      offsets.push({ re: os * crng.normal(), im: os * crng.normal() });
    }
    this.truthData = { gains, offsets };
  }

  /** The injected calibration errors (for scoring calibrations). */
  truth(): SimulatorTruth {
    return { gains: this.truthData.gains.map((g) => ({ ...g })), offsets: this.truthData.offsets.map((g) => ({ ...g })) };
  }

  /** χ(ω + iγ, k) for k = 0..kSum (cached per ω). */
  chiByK(omega: number): Complex[] {
    let chis = this.chiCache.get(omega);
    if (!chis) {
      chis = [];
      const Om = { re: omega, im: this.gamma };
      for (let k = 0; k <= this.kSum; k++) chis.push(this.solver.chi(Om, k));
      if (this.chiCache.size > 4096) this.chiCache.clear();
      this.chiCache.set(omega, chis);
    }
    return chis;
  }

  /** The ideal (error- and noise-free) response ⟨O(θ_j)⟩. */
  idealResponse(req: FrameRequest): { re: Float64Array; im: Float64Array } {
    const site = req.sourceSite ?? SIM_DEFAULTS.sourceSite;
    const amp = req.amplitude ?? SIM_DEFAULTS.amplitude;
    if (amp === 0) return { re: new Float64Array(this.sites), im: new Float64Array(this.sites) };
    return ringResponse(this.chiByK(req.omega), this.sites, site, this.width, amp);
  }

  /** One frame of the whole ring at drive frequency ω. */
  frame(req: FrameRequest): RingFrame {
    assertFinite('omega', req.omega);
    const site = req.sourceSite ?? SIM_DEFAULTS.sourceSite;
    const amp = req.amplitude ?? SIM_DEFAULTS.amplitude;
    if (!Number.isInteger(site) || site < 0 || site >= this.sites) {
      throw new HoloringError(ErrorCodes.ARG_INVALID, `source site must be an integer in 0..${this.sites - 1} (got ${site})`, { site });
    }
    assertFinite('amplitude', amp);
    const ideal = this.idealResponse({ omega: req.omega, sourceSite: site, amplitude: amp });
    const x = new Float64Array(this.sites);
    const y = new Float64Array(this.sites);
    const { gains, offsets } = this.truthData;
    for (let j = 0; j < this.sites; j++) {
      const or = ideal.re[j], oi = ideal.im[j];
      const g = gains[j];
      const local = Math.hypot(or, oi);
      const sd = Math.hypot(this.noise * local, this.noiseFloor) / Math.SQRT2;
      x[j] = g.re * or - g.im * oi + offsets[j].re + sd * this.rng.normal();
      y[j] = g.re * oi + g.im * or + offsets[j].im + sd * this.rng.normal();
    }
    let flags = FrameFlags.SIMULATED;
    if (amp === 0) flags |= FrameFlags.SOURCE_OFF;
    const frame: RingFrame = {
      seq: this.seq,
      deviceTimeUs: this.timeUs,
      omega: req.omega,
      sourceSite: site,
      amplitude: amp,
      sourceWidth: this.width,
      temperatureK: this.temperatureK * (1 + 1e-3 * this.rng.normal()),
      x,
      y,
      flags,
      source: 'sim',
    };
    this.seq = (this.seq + 1) >>> 0;
    this.timeUs += this.dwellUs;
    return frame;
  }

  /** Frames of one sweep over the given drive frequencies. */
  *sweep(omegas: readonly number[], req: Omit<FrameRequest, 'omega'> = {}): Generator<RingFrame> {
    for (const omega of omegas) yield this.frame({ ...req, omega });
  }
}

/** Drive frequencies start:stop:step inclusive (tolerant to rounding). */
export function frequencyGrid(start: number, stop: number, step: number): number[] {
  assertFinite('frequency grid', start, stop, step);
  if (!(step > 0) || !(stop >= start)) {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `frequency grid needs step > 0 and stop ≥ start (got ${start}:${stop}:${step})`, { start, stop, step });
  }
  const n = Math.floor((stop - start) / step + 1e-9) + 1;
  if (n > 100_000) throw new HoloringError(ErrorCodes.ARG_INVALID, `frequency grid has ${n} points; at most 100000`, { n });
  return Array.from({ length: n }, (_, i) => Number((start + i * step).toPrecision(12)));
}
