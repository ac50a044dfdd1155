import type { Observable } from 'rxjs';
import type { RingFrame } from './frame.ts';

/**
 * The device contract: one interface for the in-process simulator, the serial
 * driver (talking to real hardware or the emulator) and replay. A single
 * contract test suite runs against every implementation.
 */
export interface DeviceIdentity {
  model: string;
  serial: string;
  firmware: string;
  /** Protocol version "MAJOR.MINOR". */
  protocolVersion: string;
}

export interface DeviceConfiguration {
  sites: number;
  /** Source profile width σ (rad). */
  sourceWidth: number;
  /** Largest source amplitude accepted. */
  maxAmplitude: number;
}

export type DeviceState = 'connecting' | 'connected' | 'streaming' | 'stalled' | 'disconnected';

export interface SourceSettings {
  site?: number;
  amplitude?: number;
  /** Drive frequency ω (units v/R). */
  omega?: number;
}

export interface SweepSpec {
  start: number;
  stop: number;
  step: number;
  /** Dwell per frequency in milliseconds. */
  dwellMs: number;
}

/** A hole in the sequence numbers, recorded as data. */
export interface SequenceGap {
  /** Last sequence number seen before the gap. */
  after: number;
  /** Frames missing. */
  missing: number;
  /** Host time (ms since epoch) the gap was noticed. */
  atMs: number;
}

export interface DeviceCounters {
  frames: number;
  bytes: number;
  checksumErrors: number;
  /** Rejected input by kind (stable error codes). */
  rejects: Record<string, number>;
  gaps: number;
  missingFrames: number;
  reconnects: number;
  /** Times the sequence number went backwards (device restarted). */
  sequenceResets?: number;
  /** Replies received. */
  replies?: number;
  /** Unsolicited device events received. */
  events?: number;
}

/** Unsolicited news from a device. */
export type DeviceEvent =
  | { type: 'sweep-done'; points: number }
  | { type: 'boot'; protocolVersion: string }
  | { type: 'error'; code: string; message: string };

export interface DeviceStatus {
  state: DeviceState;
  streaming: boolean;
  source: Required<SourceSettings>;
  sweep?: SweepSpec & { index: number };
  temperatureK?: number;
}

export interface RingDevice {
  /** Accepted frames, in order. Never errors on bad input (that is counted); completes on close(). */
  readonly frames$: Observable<RingFrame>;
  readonly state$: Observable<DeviceState>;
  readonly gaps$: Observable<SequenceGap>;
  /** Sweep completion, device reboots, fatal errors while reconnecting. */
  readonly events$?: Observable<DeviceEvent>;
  connect(): Promise<DeviceIdentity>;
  identify(): Promise<DeviceIdentity>;
  configuration(): Promise<DeviceConfiguration>;
  setSource(settings: SourceSettings): Promise<void>;
  /** Starts a frequency sweep; frames follow on frames$. */
  sweep(spec: SweepSpec): Promise<void>;
  startStreaming(): Promise<void>;
  stopStreaming(): Promise<void>;
  status(): Promise<DeviceStatus>;
  counters(): DeviceCounters;
  close(): Promise<void>;
}
