import { z } from 'zod';
import type { DeviceIdentity } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import { HoloringError } from '../errors.ts';
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
   */
  tornTail: boolean;
}

export function parseFramesFile(text: string, origin = 'frames'): FramesFileContents {
  const lines = text.split('\n');
  // a file that does not end with a newline was cut mid-line: drop that partial line only
  const tornTail = text.length > 0 && !text.endsWith('\n') && lines.length > 1;
  if (tornTail) lines.pop();
  const fail = (line: number, why: string): never => {
    throw new HoloringError(FRAMES_FILE_ERROR, `${origin}:${line}: ${why}`, { origin, line });
  };
  const parseLine = (i: number): unknown => {
    try {
      return JSON.parse(lines[i]);
    } catch (e) {
      return fail(i + 1, `not valid JSON (${(e as Error).message})`);
    }
  };
  if (lines[0]?.trim() === '' || lines.length === 0) fail(1, 'empty file (expected a holoring-frames header line)');
  const h = headerSchema.safeParse(parseLine(0));
  if (!h.success) fail(1, `not a holoring-frames header: ${h.error.issues[0].path.join('.') || '(top level)'}: ${h.error.issues[0].message}`);
  const frames: RingFrame[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const r = frameSchema.safeParse(parseLine(i));
    if (!r.success) fail(i + 1, `not a frame: ${r.error.issues[0].path.join('.') || '(top level)'}: ${r.error.issues[0].message}`);
    const f = r.data!;
    if (f.x.length !== f.y.length || f.x.length === 0) fail(i + 1, `x and y must have the same, non-zero length (${f.x.length} vs ${f.y.length})`);
    frames.push({ ...f, x: Float64Array.from(f.x), y: Float64Array.from(f.y) });
  }
  return { device: h.data!.device, frames, tornTail };
}

export function readFramesFile(path: string): FramesFileContents {
  const text = readTextFile(path, FRAMES_FILE_ERROR, 'frames file');
  return parseFramesFile(text, path);
}
