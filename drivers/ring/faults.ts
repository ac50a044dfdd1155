import { z } from 'zod';
import { HoloringError } from '../../src/errors.ts';
import { RingErrors } from './protocol.ts';
import { parseJson } from '../../src/io/json.ts';
import { readTextFile } from '../../src/io/readText.ts';

/**
 * Fault injection for the emulator: steady rates (corrupt, drop, reply delay)
 * and a timeline of events (stall, disconnect, unplug, reboot, changes of rate), from flags or
 * a scenario file (JSON, documented in docs/devices.md).
 */
export type FaultEvent =
  | { at: number; stall: number }
  | { at: number; disconnect: number }
  | { at: number; unplug: number }
  | { at: number; reboot: true }
  | { at: number; corrupt: number }
  | { at: number; garbage: number }
  | { at: number; drop: number }
  | { at: number; replyDelayMs: number };

export interface FaultPlan {
  /** Fraction of data frames with one corrupted byte. */
  corrupt: number;
  /** Fraction of data frames generated but never sent. */
  drop: number;
  /** Fraction of data frames preceded by a burst of 1–24 random bytes (line noise; default 0). */
  garbage?: number;
  /** Delay of every reply (ms). */
  replyDelayMs: number;
  /** Timeline, `at` in seconds after the emulator started. */
  events: FaultEvent[];
}

export const NO_FAULTS: FaultPlan = Object.freeze({ corrupt: 0, drop: 0, replyDelayMs: 0, events: [] }) as FaultPlan;

const fraction = z.number().min(0).max(1);
const seconds = z.number().min(0).max(86_400);
const eventSchema = z.union([
  z.object({ at: seconds, stall: z.number().positive().max(3600) }).strict(),
  z.object({ at: seconds, disconnect: z.number().positive().max(3600) }).strict(),
  z.object({ at: seconds, unplug: z.number().positive().max(3600) }).strict(),
  z.object({ at: seconds, garbage: fraction }).strict(),
  z.object({ at: seconds, reboot: z.literal(true) }).strict(),
  z.object({ at: seconds, corrupt: fraction }).strict(),
  z.object({ at: seconds, drop: fraction }).strict(),
  z.object({ at: seconds, replyDelayMs: z.number().min(0).max(60_000) }).strict(),
]);

/** Scenario file: emulator settings plus a fault plan; every field optional. */
export const scenarioSchema = z
  .object({
    metric: z.string().optional(),
    seed: z.number().int().min(0).optional(),
    rate: z.number().positive().max(10_000).optional(),
    speed: z.number().positive().max(10_000).optional(),
    sites: z.number().int().min(4).max(512).optional(),
    corrupt: fraction.optional(),
    drop: fraction.optional(),
    garbage: fraction.optional(),
    replyDelayMs: z.number().min(0).max(60_000).optional(),
    events: z.array(eventSchema).max(10_000).optional(),
  })
  .strict();
export type Scenario = z.infer<typeof scenarioSchema>;

export function parseScenario(text: string, origin = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch (e) {
    throw new HoloringError(RingErrors.SCENARIO_INVALID, `${origin}: not valid JSON (${(e as Error).message})`, { origin });
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new HoloringError(RingErrors.SCENARIO_INVALID, `${origin}: ${first.path.join('.') || '(top level)'}: ${first.message}`, { origin, path: first.path.join('.') });
  }
  return r.data;
}

export function readScenario(path: string): Scenario {
  const text = readTextFile(path, RingErrors.SCENARIO_INVALID, 'scenario file');
  return parseScenario(text, path);
}

/** Parses AT:SECONDS (e.g. "10:3": at 10 s, for 3 s). */
export function parseWindow(flag: string, value: string): { at: number; seconds: number } {
  const m = /^\s*([0-9.]+)\s*:\s*([0-9.]+)\s*$/.exec(value);
  const at = m ? Number(m[1]) : NaN;
  const secs = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(at) || !Number.isFinite(secs) || secs <= 0) {
    throw new HoloringError('RING_ERR_ARG_INVALID', `${flag}: expected AT:SECONDS with SECONDS > 0, e.g. 10:3 (got "${value}")`, { flag, value });
  }
  return { at, seconds: secs };
}

/**
 * One line of the emulator's control channel (`holoring emulate --control`):
 * a fault event as JSON, played at once, so `at` may be left out (it is
 * ignored), e.g. `{"stall": 10}` or `{"corrupt": 0.02}` (durations in device
 * seconds, as in a scenario). Throws RING_ERR_SCENARIO_INVALID for anything
 * else.
 */
export function parseControlLine(line: string): FaultEvent {
  let raw: unknown;
  try {
    raw = parseJson(line);
  } catch (e) {
    throw new HoloringError(RingErrors.SCENARIO_INVALID, `control: not valid JSON (${(e as Error).message}): ${line.slice(0, 80)}`, { line: line.slice(0, 80) });
  }
  const withAt = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !('at' in raw) ? { at: 0, ...raw } : raw;
  const r = eventSchema.safeParse(withAt);
  if (!r.success) {
    throw new HoloringError(RingErrors.SCENARIO_INVALID, `control: not a fault event (one of stall, disconnect, unplug, reboot, corrupt, garbage, drop, replyDelayMs): ${line.slice(0, 80)}`, { line: line.slice(0, 80) });
  }
  return r.data;
}
