import type { SchedulerLike, Subscription } from 'rxjs';
import type { DeviceIdentity, DeviceStatus, SweepSpec } from '../../src/contracts/device.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { HoloringError } from '../../src/errors.ts';
import { RingSimulator, frequencyGrid } from '../sim/simulator.ts';
import { DeviceErrorCodes, PROTOCOL_VERSION } from './protocol.ts';

/**
 * The behaviour of a ring lock-in bank, without any bytes: source settings,
 * free-running streaming, frequency sweeps with a dwell per point. Shared by
 * the protocol emulator (which puts it on a byte stream) and the in-process
 * simulated device. Frames come from RingSimulator and are flagged SIMULATED.
 */
export class DeviceModelError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const bad = (msg: string): never => {
  throw new DeviceModelError(DeviceErrorCodes.BAD_ARGUMENT, msg);
};

export const MODEL_DEFAULTS = { rate: 20, omega: 1, maxAmplitude: 10 } as const;

export interface ModelOptions {
  sim: RingSimulator;
  /** Frames per second while streaming. */
  rate?: number;
  identity?: Partial<DeviceIdentity>;
  maxAmplitude?: number;
}

interface SweepRun {
  spec: SweepSpec;
  points: number[];
  index: number;
  framesAtPoint: number;
  framesPerPoint: number;
}

export class RingDeviceModel {
  readonly sim: RingSimulator;
  readonly rate: number;
  readonly identity: DeviceIdentity;
  readonly maxAmplitude: number;
  source: { site: number; amplitude: number; omega: number } = { site: 0, amplitude: 1, omega: MODEL_DEFAULTS.omega };
  streaming = false;
  private sweepRun: SweepRun | null = null;
  private seq = 0;

  constructor(opts: ModelOptions) {
    this.sim = opts.sim;
    this.rate = opts.rate ?? MODEL_DEFAULTS.rate;
    this.maxAmplitude = opts.maxAmplitude ?? MODEL_DEFAULTS.maxAmplitude;
    this.identity = { model: 'HOLORING-RING', serial: 'SIM-0001', firmware: '1.0.0', protocolVersion: PROTOCOL_VERSION, ...opts.identity };
  }

  /** Back to power-on state (after a disconnect the device has rebooted). */
  reset(): void {
    this.source = { site: 0, amplitude: 1, omega: MODEL_DEFAULTS.omega };
    this.streaming = false;
    this.sweepRun = null;
    this.seq = 0;
  }

  configuration(): { sites: number; sourceWidth: number; maxAmplitude: number } {
    return { sites: this.sim.sites, sourceWidth: this.sim.width, maxAmplitude: this.maxAmplitude };
  }

  setSite(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= this.sim.sites) bad(`source site must be an integer in 0..${this.sim.sites - 1}`);
    this.source.site = v;
  }

  setAmplitude(v: number): void {
    if (!Number.isFinite(v) || v < 0 || v > this.maxAmplitude) bad(`amplitude must be in 0..${this.maxAmplitude}`);
    this.source.amplitude = v;
  }

  setFrequency(v: number): void {
    if (!Number.isFinite(v) || v < 0 || v > 1000) bad('drive frequency must be in 0..1000');
    this.source.omega = v;
  }

  /** Starts a sweep (and streaming) at point `from`; returns the number of points. */
  startSweep(spec: SweepSpec, from = 0): number {
    if (![spec.start, spec.stop, spec.step, spec.dwellMs].every(Number.isFinite)) bad('sweep parameters must be finite numbers');
    if (!(spec.start >= 0)) bad('sweep start must be ≥ 0');
    if (!(spec.dwellMs > 0 && spec.dwellMs <= 3_600_000)) bad('dwell must be in (0, 3600000] ms');
    let points: number[] = [];
    try {
      points = frequencyGrid(spec.start, spec.stop, spec.step);
    } catch (e) {
      bad(e instanceof HoloringError ? e.message : String(e));
    }
    if (!Number.isInteger(from) || from < 0 || from >= points.length) bad(`sweep start index must be in 0..${points.length - 1}`);
    const framesPerPoint = Math.max(1, Math.round((this.rate * spec.dwellMs) / 1000));
    this.sweepRun = { spec: { ...spec }, points, index: from, framesAtPoint: 0, framesPerPoint };
    this.source.omega = points[from];
    this.streaming = true;
    return points.length;
  }

  setStreaming(on: boolean): void {
    this.streaming = on;
    if (!on) this.sweepRun = null;
  }

  status(): DeviceStatus {
    const s = this.sweepRun;
    return {
      state: this.streaming ? 'streaming' : 'connected',
      streaming: this.streaming,
      source: { ...this.source },
      ...(s ? { sweep: { ...s.spec, index: s.index } } : {}),
      temperatureK: this.sim.temperatureK,
    };
  }

  get sweepPoints(): number {
    return this.sweepRun?.points.length ?? 0;
  }

  /**
   * The next frame while streaming, stamped with the device time; advances the
   * sweep. `sweepDone` is the number of points when this frame ended the sweep.
   */
  nextFrame(deviceTimeUs: number): { frame: RingFrame; sweepDone?: number } {
    const s = this.sweepRun;
    const omega = s ? s.points[s.index] : this.source.omega;
    const frame = this.sim.frame({ omega, sourceSite: this.source.site, amplitude: this.source.amplitude });
    frame.seq = this.seq;
    frame.deviceTimeUs = Math.round(deviceTimeUs);
    this.seq = (this.seq + 1) >>> 0;
    if (!s) return { frame };
    if (++s.framesAtPoint >= s.framesPerPoint) {
      s.framesAtPoint = 0;
      s.index++;
      if (s.index >= s.points.length) {
        this.sweepRun = null;
        this.streaming = false;
        return { frame, sweepDone: s.points.length };
      }
      this.source.omega = s.points[s.index];
    }
    return { frame };
  }
}

/** Calls `fn` every `periodMs` on the scheduler until unsubscribed. */
export function every(scheduler: SchedulerLike, periodMs: number, fn: () => void): Subscription {
  return scheduler.schedule(function tick(this: { schedule(state?: unknown, delay?: number): void }) {
    fn();
    this.schedule(undefined, periodMs);
  }, periodMs);
}
