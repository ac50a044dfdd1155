import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CalibrationDevice, CalibrationRecord } from '../src/contracts/calibration.ts';
import { HoloringError } from '../src/errors.ts';
import { CalibrationErrorCodes as E } from './errors.ts';
import { parseJson } from '../src/io/json.ts';
import type { CalibrationSolution } from './solve.ts';

/**
 * The calibration record: schema (zod; `record.schema.json` is generated from
 * it), the content-hash version id, and building a record from a solution.
 */

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nonNeg = finite.refine((v) => v >= 0, 'must be ≥ 0');
const complex = z.object({ re: finite, im: finite }).strict();

export const VERSION_PATTERN = /^cal-[0-9a-f]{16}$/;

export const calibrationRecordSchema = z
  .object({
    kind: z.literal('holoring-calibration'),
    schemaVersion: z.literal(1),
    version: z.string().regex(VERSION_PATTERN, 'must be "cal-" followed by 16 hex digits'),
    createdAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date'),
    device: z.object({ model: z.string().min(1), serial: z.string().min(1), firmware: z.string().optional() }).strict(),
    sites: z.number().int().min(4),
    offsets: z.array(complex),
    offsetSigma: z.array(nonNeg),
    gains: z.array(complex),
    gainSigma: z.array(nonNeg),
    noise: z.object({ relative: nonNeg, floor: nonNeg }).strict(),
    method: z
      .object({
        name: z.literal('redundant-ring-symmetry'),
        sourceSites: z.array(z.number().int().min(0)),
        omegas: z.array(finite),
        amplitudes: z.array(finite),
        framesPerSetting: z.number().int().min(1),
        offFrames: z.number().int().min(0),
        framesUsed: z.number().int().min(0),
        framesRejected: z.number().int().min(0),
        sourceWidth: finite,
        simulated: z.boolean(),
      })
      .strict(),
    reference: z
      .object({
        kind: z.enum(['uv-ads', 'unit-mean']),
        geometry: z.string().optional(),
        delta: finite.optional(),
        deltaErr: nonNeg.optional(),
        gamma: finite.optional(),
        omegas: z.array(finite).optional(),
        kMin: z.number().int().optional(),
        kMax: z.number().int().optional(),
        factor: complex,
        sigma: nonNeg,
        reducedChi2: nonNeg.optional(),
      })
      .strict(),
    residuals: z
      .object({
        chi2: nonNeg,
        dof: z.number().int(),
        reducedChi2: nonNeg,
        maxNormalized: nonNeg,
        condition: nonNeg,
        perSite: z.array(nonNeg),
        iterations: z.number().int().min(0),
      })
      .strict(),
    note: z.string(),
    supersedes: z.string().regex(VERSION_PATTERN).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    for (const key of ['offsets', 'offsetSigma', 'gains', 'gainSigma'] as const) {
      if (r[key].length !== r.sites) ctx.addIssue({ code: 'custom', path: [key], message: `must have one entry per site (${r.sites}), has ${r[key].length}` });
    }
    if (r.gains.some((g) => g.re === 0 && g.im === 0)) ctx.addIssue({ code: 'custom', path: ['gains'], message: 'a gain of 0 cannot be applied' });
  });

/** JSON Schema of a record (the committed `calibration/record.schema.json`). */
export function recordJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(calibrationRecordSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...s, $id: 'https://holoring.invalid/schemas/calibration-record.json', title: 'holoring calibration record' };
}

/** JSON with object keys sorted at every level (the hashed form). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Version id: "cal-" + the first 16 hex digits of SHA-256 of the canonical record without `version`. */
export function recordVersion(record: Omit<CalibrationRecord, 'version'> & { version?: string }): string {
  const { version: _omit, ...rest } = record;
  return `cal-${createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 16)}`;
}

/** Validates an unknown value as a record and checks its version against its content. */
export function parseRecord(value: unknown, source = 'record'): CalibrationRecord {
  const r = calibrationRecordSchema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first.path.length ? first.path.join('.') : '(top level)';
    throw new HoloringError(E.RECORD_INVALID, `${source}: not a valid calibration record: ${where}: ${first.message}${r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more issue(s))` : ''}`, { source, path: where, issues: r.error.issues.length });
  }
  const rec = r.data as CalibrationRecord;
  const expected = recordVersion(rec);
  if (expected !== rec.version) {
    throw new HoloringError(E.RECORD_TAMPERED, `${source}: the content does not match version ${rec.version} (hash gives ${expected}); records are never edited in place — make a new calibration instead`, { source, version: rec.version, computed: expected });
  }
  return rec;
}

/** Parses record JSON text. */
export function parseRecordText(text: string, source = 'record'): CalibrationRecord {
  let v: unknown;
  try {
    v = parseJson(text);
  } catch (e) {
    throw new HoloringError(E.RECORD_INVALID, `${source}: not valid JSON: ${(e as Error).message}`, { source });
  }
  return parseRecord(v, source);
}

export interface RecordMeta {
  device: CalibrationDevice;
  note?: string;
  createdAt?: Date;
  supersedes?: string;
}

/** Builds a record (with its version id) from a solution. */
export function buildRecord(sol: CalibrationSolution, meta: RecordMeta): CalibrationRecord {
  const body: Omit<CalibrationRecord, 'version'> = {
    kind: 'holoring-calibration',
    schemaVersion: 1,
    createdAt: (meta.createdAt ?? new Date()).toISOString(),
    device: { model: meta.device.model, serial: meta.device.serial, ...(meta.device.firmware ? { firmware: meta.device.firmware } : {}) },
    sites: sol.sites,
    offsets: sol.offsets.map(({ re, im }) => ({ re, im })),
    offsetSigma: [...sol.offsetSigma],
    gains: sol.gains.map(({ re, im }) => ({ re, im })),
    gainSigma: [...sol.gainSigma],
    noise: { ...sol.noise },
    method: { name: 'redundant-ring-symmetry', ...sol.data },
    reference: sol.reference,
    residuals: sol.residuals,
    note: meta.note ?? '',
    ...(meta.supersedes ? { supersedes: meta.supersedes } : {}),
  };
  const rec = { ...body, version: recordVersion(body) } as CalibrationRecord;
  // round-trip through the schema so a record we write is one we can read
  return parseRecord(JSON.parse(JSON.stringify(rec)), 'new record');
}
