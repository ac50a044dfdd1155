import { hostname } from 'node:os';
import { z } from 'zod';
import { ErrorCodes, HoloringError } from '../errors.ts';
import { parseJson } from '../io/json.ts';
import { readTextFile } from '../io/readText.ts';
import { TokenEntrySchema } from '../auth/tokens.ts';
import { DELTA_FIT_MAX } from '../model/deltaFree.ts';
import { AlarmsConfigSchema } from './alarms.ts';
import { StorageConfigSchema, renamedKeysIn } from './storage.ts';

/**
 * Daemon configuration: parsed once at the boundary (file, then command-line
 * overrides), validated, frozen and passed down. Every option has a default;
 * README "Configuration reference" documents each.
 */
const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * A conformal dimension Δ as the later stages accept it (physics/params.ts
 * validateDelta): > 1 and not an integer (integer Δ needs logarithmic boundary
 * terms). Kept as its own schema so other spellings of Δ can join it in a union.
 */
export const deltaValue = () =>
  finite()
    .refine((d) => d > 1, 'must be > 1 (the conformal dimension Δ of the probed operator)')
    .refine((d) => !(d > 1) || Math.abs(d - Math.round(d)) >= 1e-6, 'must not be an integer: integer Δ needs logarithmic boundary terms (use e.g. 1.5 or 2.5)');

export const ConfigSchema = z.strictObject({
  device: z.strictObject({
    /** emulator[:SEED] (the device emulator, in-process, full byte path), sim[:SEED] (simulator without bytes), replay:FILE[@SPEED], or a serial port path. */
    spec: z.string().min(1).default('emulator'),
    /** Simulated rings: bulk metric spec (ads | deformed[:a1,a2,w] | btz[:rh] | blackhole[:rh,af,ag,c,w] | FILE.json). */
    metric: z.string().default('ads'),
    /** Simulated rings: frames per second while streaming. */
    rate: finite().positive().max(10_000).default(20),
    /** Simulated rings: time runs this many times faster than real time. */
    speed: finite().positive().max(10_000).default(1),
  }).prefault({}),
  physics: z.strictObject({
    /** Conformal dimension Δ, or "auto": the trainer fits Δ with the metric (docs/model.md "Δ from the data"). */
    delta: z.union([deltaValue(), z.literal('auto')]).default(1.5),
    /**
     * With delta "auto": the Δ the first fit starts from (its integer interval is searched), which the
     * calibration reference and a simulated ring also use (default 1.5, the middle of (1, 2)).
     */
    deltaStart: deltaValue().refine((d) => !(d >= DELTA_FIT_MAX), `must be < ${DELTA_FIT_MAX}: a Δ fit searches 1 < Δ < ${DELTA_FIT_MAX} (docs/model.md "Δ from the data")`).default(1.5),
    gamma: finite().min(0).default(0.25),
    kMax: z.number().int().min(1).max(31).default(12),
  }).prefault({}),
  sweep: z.strictObject({
    start: finite().positive().default(0.25),
    stop: finite().positive().default(12),
    step: finite().positive().default(0.25),
    dwellMs: finite().positive().default(200),
    sourceSite: z.number().int().nonnegative().default(0),
    amplitude: finite().positive().default(1),
  }).prefault({}),
  calibration: z.strictObject({
    /** Directory of calibration records; the active one is applied. */
    dir: z.string().default(() => process.env.HOLORING_CALIBRATION_DIR ?? 'calibration/records'),
    /**
     * Geometry whose closed form fixes the overall scale and phase when the daemon
     * calibrates: "ads" (the disk, below the Hawking–Page temperature) or "btz:RH"
     * (above it, r_h = 2πT). Default: the simulated ring's own metric when it is a
     * BTZ black hole, else "ads".
     */
    referenceGeometry: z.string().regex(/^(ads|btz:[0-9.eE+-]+)$/, 'must be "ads" or "btz:RH"').optional(),
  }).prefault({}),
  /** The run record: data directory, durability, segment size, full-disk behaviour, disk bound (src/config/storage.ts). */
  storage: StorageConfigSchema.prefault({}),
  /** Name of this rig, stamped on every run (default: the host name). */
  rig: z.string().min(1).default(() => hostname()),
  model: z.strictObject({
    layers: z.number().int().min(200).default(400),
    nodes: z.number().int().min(4).default(32),
    /** Retrain after every N complete sweeps. */
    retrainEvery: z.number().int().min(1).default(1),
    /** Where fits run: their own worker thread (acquisition never waits) or the main thread. */
    thread: z.enum(['worker', 'main']).default('worker'),
    /**
     * Geometry of the metric network: disk (regular centre, below the Hawking–Page
     * temperature), horizon (black hole, above it), or auto (both fitted each round,
     * picked by the evidence; the sample temperature breaks a tie when
     * alarms.sampleTemperature gives the Hawking–Page point).
     */
    geometry: z.enum(['disk', 'horizon', 'auto']).default('auto'),
    /**
     * Test facility (README "Fault injection"): training rounds of this process,
     * counted from 1, whose fit is made to yield NaN or to diverge. Refused by
     * `holoring start` unless the environment has HOLORING_FAULT_INJECTION=1.
     */
    faultInjection: z.strictObject({
      nanRounds: z.array(z.number().int().min(1)).default([]),
      divergeRounds: z.array(z.number().int().min(1)).default([]),
    }).optional(),
  }).prefault({}),
  server: z.strictObject({
    /** Serve the dashboard, the JSON API and the WebSocket (false: none). */
    enabled: z.boolean().default(true),
    /** Address the dashboard listens on (loopback by default: nothing is exposed to the network). */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port (0: any free port, as tests use). */
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Largest rate (per second) of ring and status updates sent to a WebSocket client. */
    liveHz: finite().positive().max(100).default(10),
    /** Shortest interval between response-table updates sent to a WebSocket client. */
    responseMs: z.number().int().min(100).default(2000),
    /**
     * Remote access (README "Remote access"). With no tokens the server only
     * listens on loopback and every local client may read and control; with
     * tokens every API request and WebSocket needs one.
     */
    auth: z.strictObject({
      /** Token entries (hashes only), added by `holoring token create --config FILE`. */
      tokens: z.array(TokenEntrySchema).default([]),
      /** Extra browser origins allowed besides the dashboard's own (e.g. "https://rig.example.org"). */
      allowedOrigins: z.array(z.string().url()).default([]),
    }).prefault({}),
    /** HTTPS/WSS: PEM certificate and key files (absent: plain HTTP). */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
    /** Requests per minute one client (token or address) may make before 429. */
    httpPerMinute: z.number().int().min(1).default(600),
    /** WebSocket messages per second one client may send before being refused (a burst of twice that is allowed). */
    wsPerSecond: finite().positive().max(1000).default(20),
    /** Interval of the WebSocket pings (ms): a client that has not answered the previous one is disconnected. */
    wsPingMs: z.number().int().min(100).max(600_000).default(15_000),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
  /** Alarm rules, their severities and thresholds, and the optional webhook (src/config/alarms.ts). */
  alarms: AlarmsConfigSchema.prefault({}),
  /** Stop after this many complete sweeps (0 = run until stopped). */
  sweeps: z.number().int().min(0).default(0),
}).superRefine((c, ctx) => {
  if (c.sweep.stop < c.sweep.start) ctx.addIssue({ code: 'custom', path: ['sweep', 'stop'], message: 'must be ≥ sweep.start' });
});

export type Config = z.infer<typeof ConfigSchema>;

/**
 * The Δ a run starts with: physics.delta, or with "auto" physics.deltaStart (the Δ of
 * the calibration reference and of a simulated ring; the fits then estimate Δ).
 */
export function startDelta(config: Readonly<Config>): number {
  return config.physics.delta === 'auto' ? config.physics.deltaStart : config.physics.delta;
}
export type ConfigInput = z.input<typeof ConfigSchema>;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** What a JSON value is, in words, for refusals. */
function jsonKind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Refuses anything but a JSON object ({…}) as a configuration. */
function requireObject(input: unknown, source: string): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const problems = [`(root): expected a JSON object ({…}), got ${jsonKind(input)}`];
    throw new HoloringError(ErrorCodes.CONFIG_INVALID, `${source}: invalid configuration — ${problems[0]}`, { source, problems });
  }
}

/**
 * Validates a configuration object; refuses with RING_ERR_CONFIG_INVALID naming
 * every bad path. `undefined` (no configuration given) means all defaults;
 * anything that is not an object (null, an array, a number) is refused.
 */
export function parseConfig(input: unknown, source = 'config'): Readonly<Config> {
  if (input !== undefined) requireObject(input, source);
  const renamed = renamedKeysIn(input);
  if (renamed.length > 0) {
    throw new HoloringError(ErrorCodes.CONFIG_INVALID, `${source}: the journal.* keys are now storage.* — rename ${renamed.join(', ')}`, { source, problems: renamed });
  }
  const r = ConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new HoloringError(ErrorCodes.CONFIG_INVALID, `${source}: invalid configuration — ${problems.join('; ')}`, { source, problems });
  }
  return deepFreeze(r.data);
}

/** Reads a JSON configuration file (a byte-order mark is allowed); it must hold a JSON object. */
export function readConfigFile(path: string): Record<string, unknown> {
  const text = readTextFile(path, ErrorCodes.CONFIG_INVALID, 'configuration');
  let v: unknown;
  try {
    v = parseJson(text);
  } catch (e) {
    throw new HoloringError(ErrorCodes.CONFIG_INVALID, `configuration ${path} is not valid JSON: ${(e as Error).message}`, { path });
  }
  requireObject(v, path);
  return v as Record<string, unknown>;
}

/** Merges b into a (plain objects only; b wins). */
export function mergeConfig(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
      ? mergeConfig(prev as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}
