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

/**
 * Why frames are missing: `sequence` (a hole in the numbering with the link up),
 * `rejected` (frames that arrived damaged and were refused: checksum, malformed),
 * `reconnect` (sent while the host had the port closed), `device-restart` (sent by
 * a restarted device before its first frame the host received), `stop` (numbered
 * before the device stopped streaming — its `STRM OFF` reply names the last
 * one, protocol 1.1 — but never received: in flight when the port closed).
 */
export type MissingCause = 'sequence' | 'rejected' | 'reconnect' | 'device-restart' | 'stop';
export type GapCause = 'sequence' | 'reconnect' | 'device-restart' | 'stop';

/** A hole in the sequence numbers, recorded as data. */
export interface SequenceGap {
  /** Last sequence number seen before the gap (in the previous numbering for a restart). */
  after: number;
  /** Frames missing. */
  missing: number;
  /** Host time (ms since epoch) the gap was noticed. */
  atMs: number;
  /** Why (serial devices say; absent: `sequence`). */
  cause?: GapCause;
  /** First and last missing sequence number (null when none is missing, e.g. a restart that lost nothing). */
  from?: number | null;
  to?: number | null;
  /** Of the missing frames, how many arrived damaged and were rejected. */
  rejected?: number;
  /** Host time (ms) the link went down, for gaps across a reconnect. */
  downSinceMs?: number;
}

/**
 * The exact account of a device's frames: every frame the device numbered is
 * received (accepted once), missing (by cause) or a duplicate —
 *   sent = received + Σ missing + duplicates,
 * with sent = lastSeq − firstSeq + 1 + duplicates when the numbering never
 * restarted. Frames a device sent after the last one received and before it
 * restarted cannot be known (the device forgot its numbering).
 */
export interface FrameAccount {
  received: number;
  missing: Partial<Record<MissingCause, number>>;
  duplicates: number;
  /** First and last sequence number received, in the device's numbering (null before the first frame). */
  firstSeq: number | null;
  lastSeq: number | null;
  /** Times the device's numbering restarted. */
  restarts: number;
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
  /** The exact account of the frames (serial devices). */
  account?: FrameAccount;
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
