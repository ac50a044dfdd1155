import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../../src/log.ts';
import type { RingDevice } from '../../src/contracts/device.ts';
import { HoloringError } from '../../src/errors.ts';
import type { Metric } from '../../src/physics/metric.ts';
import { SimRingDevice } from '../sim/device.ts';
import { RingSimulator } from '../sim/simulator.ts';
import { FileCapture } from './capture.ts';
import { RingEmulator } from './emulator.ts';
import { NO_FAULTS, type FaultPlan } from './faults.ts';
import { EmulatorTransport } from './loopback.ts';
import { RingDeviceModel } from './model.ts';
import { type ReplayFollow, createReplayDevice } from './replay.ts';
import { SerialRingDevice } from './serialDevice.ts';
import { SerialTransport } from './transport.ts';

/**
 * Picks a device implementation from a spec (what the CLI and the daemon
 * wiring call): a serial port, the emulator in-process (the whole byte path:
 * emulator → framing → codec → serial driver), the simulator without bytes, or
 * a replayed capture.
 */
export interface SimulatedRingSpec {
  metric?: Metric;
  delta?: number;
  sites?: number;
  seed?: number;
  /** Frames per second while streaming. */
  rate?: number;
  /** Time runs this many times faster. */
  speed?: number;
}

export type DeviceSpec =
  | { kind: 'serial'; port: string; baudRate?: number; capture?: string }
  | ({ kind: 'emulator'; faults?: FaultPlan } & SimulatedRingSpec)
  | ({ kind: 'sim' } & SimulatedRingSpec)
  | { kind: 'replay'; file: string; speed?: number; follow?: ReplayFollow };

export interface OpenedDevice {
  device: RingDevice;
  /** The simulator behind an emulated or simulated ring (its `truth()` scores a calibration). */
  simulator?: RingSimulator;
  /** Closes the device and stops what was started for it. */
  dispose(): Promise<void>;
}

/**
 * Parses `emulator[:SEED]`, `sim[:SEED]`, `replay:FILE[@SPEED]`, or a serial
 * port path (`/dev/ttyUSB0`, `/tmp/ttyRING`, `COM3`).
 */
export function parseDeviceSpec(text: string): DeviceSpec {
  const t = text.trim();
  const bad = (why: string): never => {
    throw new HoloringError('RING_ERR_ARG_INVALID', `device "${text}": ${why}; use emulator[:SEED], sim[:SEED], replay:FILE[@SPEED] or a serial port path`, { device: text });
  };
  const seedOf = (s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    return Number.isInteger(n) && n >= 0 ? n : bad(`seed must be a non-negative integer (got "${s}")`);
  };
  let m: RegExpExecArray | null;
  if ((m = /^(emulator|sim)(?::(.*))?$/.exec(t))) return { kind: m[1] as 'emulator' | 'sim', seed: seedOf(m[2]) };
  if ((m = /^replay:(.+?)(?:@([0-9.]+|inf))?$/.exec(t))) {
    const speed = m[2] === undefined ? undefined : m[2] === 'inf' ? Infinity : Number(m[2]);
    if (speed !== undefined && !(speed > 0)) bad('replay speed must be > 0');
    return { kind: 'replay', file: m[1], speed };
  }
  if (t === '') bad('empty');
  return { kind: 'serial', port: t };
}

function simulatedRing(s: SimulatedRingSpec): { sim: RingSimulator; model: RingDeviceModel } {
  const sim = new RingSimulator({ metric: s.metric, delta: s.delta, sites: s.sites, seed: s.seed });
  return { sim, model: new RingDeviceModel({ sim, rate: s.rate, identity: { serial: `SIM-${s.seed ?? 1}` } }) };
}

export function openDevice(spec: DeviceSpec, deps: { scheduler?: SchedulerLike; logger?: Logger } = {}): OpenedDevice {
  const scheduler = deps.scheduler;
  const logger = deps.logger;
  switch (spec.kind) {
    case 'serial': {
      const device = new SerialRingDevice({ transport: new SerialTransport(spec.port, spec.baudRate), scheduler, logger, ...(spec.capture ? { capture: new FileCapture(spec.capture, spec.port) } : {}) });
      return { device, dispose: () => device.close() };
    }
    case 'emulator': {
      const { sim, model } = simulatedRing(spec);
      const loop = new EmulatorTransport({ scheduler, seed: spec.seed });
      const emulator = new RingEmulator({ model, scheduler, speed: spec.speed, faults: spec.faults ?? NO_FAULTS, seed: spec.seed, onDisconnect: (s, reboot) => loop.disconnect(s, reboot) });
      loop.bind(emulator);
      emulator.start();
      const device = new SerialRingDevice({ transport: loop, scheduler, logger });
      return {
        device,
        simulator: sim,
        dispose: async () => {
          await device.close();
          emulator.stop();
        },
      };
    }
    case 'sim': {
      const { sim } = simulatedRing(spec);
      const device = new SimRingDevice({ sim, rate: spec.rate, scheduler, speed: spec.speed, identity: { serial: `SIM-${spec.seed ?? 1}` } });
      return { device, simulator: sim, dispose: () => device.close() };
    }
    case 'replay': {
      const device = createReplayDevice(spec.file, { speed: spec.speed, scheduler, follow: spec.follow });
      return { device, dispose: () => device.close() };
    }
  }
}
