import type { DeviceIdentity } from '../../src/contracts/device.ts';
/**
 * The holoring ring protocol (docs/protocol.md is the spec; keep both in step).
 *
 * Host → device: one ASCII command per line, SCPI-like: `HEADER[ ARG[,ARG...]]\n`.
 * Device → host: one frame per line, `$BODY*CCCCCCCC\r\n`, where CCCCCCCC is the
 * CRC-32 (hex) of BODY. BODY starts with a type letter: D (data), R (reply), E (event).
 */
export const PROTOCOL_VERSION = '1.1';
/** Major protocol versions this host understands. */
export const SUPPORTED_MAJOR = 1;

/** Longest device → host line accepted, in bytes (enough for 512 sites). */
export const MAX_LINE_BYTES = 16_384;
/** Longest host → device command line accepted by the device. */
export const MAX_COMMAND_BYTES = 256;
/** Frame start marker; never appears inside a frame. */
export const FRAME_START = 0x24; // '$'
export const LINE_END = 0x0a; // '\n'

export const Commands = {
  IDENTIFY: '*IDN?',
  CONFIGURATION: 'CONF?',
  SOURCE_SITE: 'SOUR:SITE',
  SOURCE_AMPLITUDE: 'SOUR:AMPL',
  SOURCE_FREQUENCY: 'SOUR:FREQ',
  SWEEP: 'SWE',
  STREAM: 'STRM',
  STATUS: 'STAT?',
} as const;
export type CommandHeader = (typeof Commands)[keyof typeof Commands];

/** Error codes a device puts in `R,<CMD>,ERR,<code>,<message>` replies. */
export const DeviceErrorCodes = {
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  BAD_ARGUMENT: 'BAD_ARGUMENT',
  LINE_TOO_LONG: 'LINE_TOO_LONG',
} as const;

/** Stable host-side error codes of the device layer (documented in docs/devices.md). */
export const RingErrors = {
  /** Bytes outside any frame. */
  GARBAGE: 'RING_ERR_FRAME_GARBAGE',
  /** A frame cut short: a new frame started, or the line ended, before its checksum. */
  TRUNCATED: 'RING_ERR_FRAME_TRUNCATED',
  /** A line longer than MAX_LINE_BYTES. */
  TOO_LONG: 'RING_ERR_FRAME_TOO_LONG',
  /** The CRC-32 does not match the body. */
  CHECKSUM: 'RING_ERR_CHECKSUM',
  /** The checksum matches but the body is not a valid frame (device bug or version mismatch). */
  MALFORMED: 'RING_ERR_FRAME_MALFORMED',
  /** A reply nobody was waiting for (e.g. arriving after its command timed out). */
  UNEXPECTED_REPLY: 'RING_ERR_REPLY_UNEXPECTED',
  TIMEOUT: 'RING_ERR_TIMEOUT',
  DEVICE_ERROR: 'RING_ERR_DEVICE_ERROR',
  PROTOCOL_VERSION: 'RING_ERR_PROTOCOL_VERSION',
  PORT_OPEN: 'RING_ERR_PORT_OPEN',
  NOT_CONNECTED: 'RING_ERR_NOT_CONNECTED',
  DISCONNECTED: 'RING_ERR_DISCONNECTED',
  CLOSED: 'RING_ERR_CLOSED',
  CAPTURE_FORMAT: 'RING_ERR_CAPTURE_FORMAT',
  REPLAY_DIVERGED: 'RING_ERR_REPLAY_DIVERGED',
  REPLAY_END: 'RING_ERR_REPLAY_END',
  EMULATOR_LINK: 'RING_ERR_EMULATOR_LINK',
  SCENARIO_INVALID: 'RING_ERR_SCENARIO_INVALID',
} as const;

/** Kinds of rejected input counted by the decoder. */
export const REJECT_KINDS = [RingErrors.GARBAGE, RingErrors.TRUNCATED, RingErrors.TOO_LONG, RingErrors.CHECKSUM, RingErrors.MALFORMED] as const;
export type RejectKind = (typeof REJECT_KINDS)[number];

/** A reply to a host command. */
export interface ReplyMessage {
  type: 'reply';
  /** Command header the reply answers, upper case (e.g. "*IDN?"). */
  command: string;
  ok: boolean;
  /** OK: the payload fields; ERR: [code, message]. */
  fields: string[];
}

/** An unsolicited device event (e.g. SWEEP_DONE). */
export interface EventMessage {
  type: 'event';
  name: string;
  fields: string[];
}

export const DeviceEvents = {
  /** The sweep finished; field: number of points. Streaming stops. */
  SWEEP_DONE: 'SWEEP_DONE',
  /** The device (re)started; field: protocol version. */
  BOOT: 'BOOT',
} as const;

/** Parses "MAJOR.MINOR"; null when malformed. */
export function parseVersion(v: string): { major: number; minor: number } | null {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** Whether this host can talk to a device speaking `version`. */
export function isCompatibleVersion(version: string): boolean {
  const v = parseVersion(version);
  return v !== null && v.major === SUPPORTED_MAJOR;
}

/** The device identity in a `*IDN?` reply (model, serial, firmware, protocol version), or null when fields are missing. */
export function identityFromReply(fields: readonly string[]): DeviceIdentity | null {
  if (fields.length < 4) return null;
  return { model: fields[0], serial: fields[1], firmware: fields[2], protocolVersion: fields[3] };
}
