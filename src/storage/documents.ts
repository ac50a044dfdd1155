import { z } from 'zod';

/**
 * The documents of a run (documents.jsonl, one per line), each with `type`,
 * `time` (ISO-8601 UTC) and `run` (the run id). docs/runs.md describes them;
 * docs/schemas/<type>.json are their JSON Schemas, generated from these.
 */
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().min(0);
const counts = z.record(z.string(), count);
const base = { time: z.iso.datetime(), run: z.string().min(1) };

export const deviceIdentitySchema = z.object({ model: z.string(), serial: z.string(), firmware: z.string(), protocolVersion: z.string() });

export const startDocSchema = z.object({
  type: z.literal('start'),
  ...base,
  runId: z.string(),
  rig: z.string(),
  device: deviceIdentitySchema,
  /** The full resolved configuration. */
  config: z.record(z.string(), z.unknown()),
  delta: finite,
  gamma: finite,
  sweep: z.object({ start: finite, stop: finite, step: finite, dwellMs: finite, sourceSite: count, amplitude: finite, sweeps: count }),
  calibrationVersion: z.string().nullable(),
  holoringVersion: z.string(),
  gitCommit: z.string().nullable(),
  host: z.string(),
  note: z.string().nullable(),
  pid: count,
});

export const stateDocSchema = z.object({ type: z.literal('state'), ...base, state: z.string(), previous: z.string().nullable() });

export const gapCauses = ['sequence', 'reconnect', 'device-restart', 'stop', 'downtime', 'journal'] as const;
export const gapDocSchema = z.object({
  type: z.literal('gap'),
  ...base,
  cause: z.enum(gapCauses),
  /** Last sequence number before the gap (null when unknown). */
  after: z.number().int().nullable(),
  /** Frames missing (null when unknown, e.g. while the daemon was down). */
  missing: count.nullable(),
  /** First and last missing seq (frames), or start and end time (downtime). */
  from: z.union([z.number(), z.string()]).nullable(),
  to: z.union([z.number(), z.string()]).nullable(),
  /** Why, in words (e.g. "disk full"). */
  reason: z.string().optional(),
  /** Of `missing`, the frames that arrived damaged and were rejected (counted as missing `rejected`, not as the cause). */
  rejected: count.optional(),
  /** A gap across a link outage: the last frame received before it (ISO time), and the ms from it to the first frame after. */
  downSince: z.iso.datetime().optional(),
  downMs: finite.optional(),
});

/** A fit's line in its fit data file (fits-YYYYMMDDTHH.jsonl; fits.jsonl in older runs): file name, byte offset and length (newline included) and the SHA-256 (hex) of the line without its newline. */
export const fitDataRefSchema = z.object({ file: z.string().min(1), offset: count, bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const fitDocSchema = z.object({
  type: z.literal('fit'),
  ...base,
  round: z.number().int().min(1),
  sweep: count,
  chi2: finite,
  iterations: count,
  elapsedMs: finite,
  points: count,
  backend: z.string(),
  fingerprint: z.string(),
  delta: finite.optional(),
  /** 1σ of delta when the fit estimated it (physics.delta "auto"). */
  delta_err: finite.optional(),
  geometry: z.string().optional(),
  rh: finite.optional(),
  /** Calibration record of the fitted table's frames (null: uncalibrated). */
  calibrationVersion: z.string().nullable().optional(),
  /**
   * Where the fit's metric arrays and fitted table are: its line in the run's
   * hourly fit data file (src/storage/fitData.ts). Absent in runs recorded before it, whose
   * fit documents carry them inline (r … table below).
   */
  data: fitDataRefSchema.optional(),
  r: z.array(finite).optional(),
  f: z.array(finite).optional(),
  g: z.array(finite).optional(),
  f_err: z.array(finite).optional(),
  g_err: z.array(finite).optional(),
  resolution: z.unknown().optional(),
  table: z.object({
    calibrationVersion: z.string().nullable(),
    points: z.array(z.object({ omega: finite, gamma: finite, k: z.number().int(), chiRe: finite, chiIm: finite, sigma: finite, sigmaCommon: finite.optional(), sigmaStep: finite.optional() })),
  }).optional(),
});

export const resumeDocSchema = z.object({
  type: z.literal('resume'),
  ...base,
  downtimeMs: finite,
  /** Time of the last record before the interruption. */
  lastSeen: z.iso.datetime(),
  previousStop: z.enum(['interrupted', 'stopped']).optional(),
  /** Frames replayed from the journal into the response table. */
  replayedFrames: count,
  /** Torn last lines found in the run's files (file → bytes). */
  tornTails: counts,
  checkpoint: z.boolean(),
  pid: count,
});

export const alarmDocSchema = z.object({
  type: z.literal('alarm'),
  ...base,
  id: z.string(),
  rule: z.string(),
  severity: z.string(),
  state: z.enum(['raised', 'cleared', 'acknowledged']),
  message: z.string(),
  action: z.string(),
});

export const auditDocSchema = z.object({ type: z.literal('audit'), ...base, who: z.string(), role: z.string(), what: z.string(), result: z.string() });

export const frameAccountingSchema = z.object({
  /** Frames the device delivered in this session (calibration frames included). */
  received: count,
  /** Frames in the run's files from this session (exact). */
  journaled: count,
  skipped: counts,
  missing: counts,
  duplicates: count,
  /** Sequence numbers (the device's numbering) of the first and the last frame received (null: none). */
  firstSeq: z.number().int().min(0).nullable().optional(),
  lastSeq: z.number().int().min(0).nullable().optional(),
});

export const stopDocSchema = z.object({
  type: z.literal('stop'),
  ...base,
  status: z.enum(['stopped', 'failed']),
  error: z.string().optional(),
  frames: frameAccountingSchema,
  calibrationFrames: count,
  gaps: count,
  sweeps: count,
  fits: count,
  durationMs: finite,
  journal: z.object({ bytes: count, segments: count, syncs: count, dropped: count, error: z.string().nullable() }),
});

export const documentSchemas = {
  start: startDocSchema,
  state: stateDocSchema,
  gap: gapDocSchema,
  fit: fitDocSchema,
  resume: resumeDocSchema,
  alarm: alarmDocSchema,
  audit: auditDocSchema,
  stop: stopDocSchema,
} as const;

export const runDocumentSchema = z.discriminatedUnion('type', [startDocSchema, stateDocSchema, gapDocSchema, fitDocSchema, resumeDocSchema, alarmDocSchema, auditDocSchema, stopDocSchema]);

export type StartDoc = z.infer<typeof startDocSchema>;
export type StateDoc = z.infer<typeof stateDocSchema>;
export type GapDoc = z.infer<typeof gapDocSchema>;
export type FitDoc = z.infer<typeof fitDocSchema>;
export type FitDataRef = z.infer<typeof fitDataRefSchema>;
export type ResumeDoc = z.infer<typeof resumeDocSchema>;
export type AlarmDoc = z.infer<typeof alarmDocSchema>;
export type AuditDoc = z.infer<typeof auditDocSchema>;
export type StopDoc = z.infer<typeof stopDocSchema>;
export type FrameAccounting = z.infer<typeof frameAccountingSchema>;
export type RunDocument = z.infer<typeof runDocumentSchema>;
export type DocumentType = RunDocument['type'];
/** A document as a writer gives it: `time` and `run` are stamped on write. */
export type DocumentBody<T extends RunDocument = RunDocument> = T extends RunDocument ? Omit<T, 'time' | 'run'> : never;

/** JSON Schema (draft 2020-12) of each document type, as stored in docs/schemas/<type>.json. */
export function documentJsonSchemas(): Record<DocumentType, unknown> {
  const out = {} as Record<DocumentType, unknown>;
  for (const [type, schema] of Object.entries(documentSchemas)) {
    out[type as DocumentType] = { $id: `https://holoring.dev/schemas/${type}.json`, title: `holoring run document: ${type}`, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) };
  }
  return out;
}
