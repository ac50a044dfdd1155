import { z } from 'zod';
import type { DeviceIdentity } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import { HoloringError } from '../errors.ts';
import { parseJson, stripBom } from './json.ts';
import { readTextFile } from './readText.ts';

/**
 * Raw frames as JSON Lines (docs/calibration.md, "Frames file"): a header line
 * naming the device, then one raw frame per line. `holoring calibrate
 * --save-frames` writes it; `holoring recalibrate --frames` reads it.
 *   {"kind":"holoring-frames","version":1,"device":{"model":…,"serial":…,"firmware":…,"protocolVersion":…}}
 *   {"seq":0,"deviceTimeUs":0,"omega":0.5,"sourceSite":0,"amplitude":1,"sourceWidth":0.15,"temperatureK":0.01,"flags":8,"source":"emulator","x":[…],"y":[…]}
 */
export const FRAMES_FILE_ERROR = 'RING_ERR_CALIB_FRAMES_FILE';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const headerSchema = z.object({
  kind: z.literal('holoring-frames'),
  version: z.literal(1),
  device: z.object({ model: z.string(), serial: z.string(), firmware: z.string(), protocolVersion: z.string() }),
});
const frameSchema = z.object({
  seq: z.number().int(),
  deviceTimeUs: finite,
  omega: finite,
  sourceSite: z.number().int().min(0),
  amplitude: finite,
  sourceWidth: finite,
  temperatureK: finite,
  flags: z.number().int().min(0),
  source: z.enum(['sim', 'emulator', 'serial', 'replay']),
  x: z.array(finite),
  y: z.array(finite),
});

export function frameToJson(f: RingFrame): string {
  return JSON.stringify({
    seq: f.seq, deviceTimeUs: f.deviceTimeUs, omega: f.omega, sourceSite: f.sourceSite, amplitude: f.amplitude, sourceWidth: f.sourceWidth,
    temperatureK: f.temperatureK, flags: f.flags, source: f.source, x: Array.from(f.x), y: Array.from(f.y),
  });
}

/** The header line of a frames file (without its newline). */
export function framesFileHeader(device: DeviceIdentity): string {
  return JSON.stringify({ kind: 'holoring-frames', version: 1, device });
}

export function formatFramesFile(device: DeviceIdentity, frames: readonly RingFrame[]): string {
  return [framesFileHeader(device), ...frames.map(frameToJson)].join('\n') + '\n';
}

export interface FramesFileContents {
  device: DeviceIdentity;
  frames: RingFrame[];
  /**
   * True when the last line was cut short (the writer stopped mid-line: power
   * loss, kill -9). That line is left out; every complete frame before it is kept.
   * A complete last frame that merely lacks its final newline is read, not torn.
   */
  tornTail: boolean;
  /** Size in bytes (UTF-8) of the partial last line that was left out (0 when none). */
  tornBytes: number;
}

/** Validates one parsed frame line; returns the frame or the reason it is not one. */
function toFrame(value: unknown): RingFrame | string {
  const r = frameSchema.safeParse(value);
  if (!r.success) return `not a frame: ${r.error.issues[0].path.join('.') || '(top level)'}: ${r.error.issues[0].message}`;
  const f = r.data;
  if (f.x.length !== f.y.length || f.x.length === 0) return `x and y must have the same, non-zero length (${f.x.length} vs ${f.y.length})`;
  return { ...f, x: Float64Array.from(f.x), y: Float64Array.from(f.y) };
}

/**
 * A line without its final newline: the frame it holds when it is a complete one,
 * null when it was cut short (not JSON, or not a whole frame).
 */
export function parseLastLine(line: string): RingFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const f = toFrame(v);
  return typeof f === 'string' ? null : f;
}

/** One frame line (newline-terminated, so complete); refused naming `where` (e.g. "FILE:LINE") when it is not a frame. */
export function parseFrameLine(text: string, where: string): RingFrame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HoloringError(FRAMES_FILE_ERROR, `${where}: not valid JSON (${(e as Error).message})`, { where });
  }
  const f = toFrame(v);
  if (typeof f === 'string') throw new HoloringError(FRAMES_FILE_ERROR, `${where}: ${f}`, { where });
  return f;
}

/** Validates a frames-file header line; refused naming `origin:1`. */
export function parseFramesHeader(text: string, origin: string): DeviceIdentity {
  let v: unknown;
  try {
    v = parseJson(text);
  } catch (e) {
    throw new HoloringError(FRAMES_FILE_ERROR, `${origin}:1: not valid JSON (${(e as Error).message})`, { origin, line: 1 });
  }
  const h = headerSchema.safeParse(v);
  if (!h.success) throw new HoloringError(FRAMES_FILE_ERROR, `${origin}:1: not a holoring-frames header: ${h.error.issues[0].path.join('.') || '(top level)'}: ${h.error.issues[0].message}`, { origin, line: 1 });
  return h.data.device;
}

/**
 * Parses a frames file. Every complete frame is read, including a last one
 * without a final newline; a last line cut short is left out and reported
 * (`tornTail`, `tornBytes`). A bad line anywhere else is refused, naming it.
 */
export function parseFramesFile(text: string, origin = 'frames'): FramesFileContents {
  const lines = stripBom(text).split('\n');
  let tornTail = false;
  let tornBytes = 0;
  let last: RingFrame | null = null;
  if (text.length > 0 && !text.endsWith('\n') && lines.length > 1) {
    const tail = lines.pop()!;
    last = parseLastLine(tail);
    if (!last) {
      tornTail = true;
      tornBytes = Buffer.byteLength(tail);
    }
  }
  if (lines.length === 0 || lines[0].trim() === '') {
    throw new HoloringError(FRAMES_FILE_ERROR, `${origin}:1: empty file (expected a holoring-frames header line)`, { origin, line: 1 });
  }
  const device = parseFramesHeader(lines[0], origin);
  const frames: RingFrame[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    frames.push(parseFrameLine(lines[i], `${origin}:${i + 1}`));
  }
  if (last) frames.push(last);
  return { device, frames, tornTail, tornBytes };
}

export function readFramesFile(path: string): FramesFileContents {
  const text = readTextFile(path, FRAMES_FILE_ERROR, 'frames file');
  return parseFramesFile(text, path);
}
