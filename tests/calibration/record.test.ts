import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRecord, parseRecord, parseRecordText, recordJsonSchema, recordVersion } from '../../calibration/record.ts';
import { solveCalibration } from '../../calibration/solve.ts';
import { CalibrationStore } from '../../calibration/store.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { CalibrationRecord } from '../../src/contracts/calibration.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { HoloringError } from '../../src/errors.ts';
import { codeOf } from './support/codeOf.ts';

let base: CalibrationRecord;
const device = { model: 'HR-SIM', serial: 'SIM-0001', firmware: 'sim' };

beforeAll(() => {
  const sim = new RingSimulator({ seed: 5 });
  const fs: RingFrame[] = [];
  for (let i = 0; i < 8; i++) fs.push(sim.frame({ omega: 1, amplitude: 0 }));
  for (const omega of [0.5, 1]) for (const s of [0, 1, 9, 22, 37, 50]) for (let r = 0; r < 3; r++) fs.push(sim.frame({ omega, sourceSite: s }));
  base = buildRecord(solveCalibration(fs), { device, note: 'first', createdAt: new Date('2026-01-02T03:04:05Z') });
});

const dirs: string[] = [];
const tempStore = (): CalibrationStore => {
  const d = mkdtempSync(join(tmpdir(), 'holoring-cal-'));
  dirs.push(d);
  return new CalibrationStore(join(d, 'records'));
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});


describe('calibration record', () => {
  it('carries what the issue asks for and round-trips through JSON', () => {
    expect(base.version).toMatch(/^cal-[0-9a-f]{16}$/);
    expect(base.gains).toHaveLength(64);
    expect(base.gainSigma.every((s) => s > 0)).toBe(true);
    expect(base.offsets).toHaveLength(64);
    expect(base.method.name).toBe('redundant-ring-symmetry');
    expect(base.method.simulated).toBe(true);
    expect(base.device).toEqual(device);
    expect(base.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(base.residuals.perSite).toHaveLength(64);
    expect(parseRecordText(JSON.stringify(base))).toEqual(base);
  });
  it('the version is a content hash: same content, same id; any change, another id', () => {
    expect(recordVersion(base)).toBe(base.version);
    const edited = { ...base, note: 'second' };
    expect(recordVersion(edited)).not.toBe(base.version);
    // key order does not matter
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as CalibrationRecord;
    expect(recordVersion(reordered)).toBe(base.version);
  });
  it('an edited record is refused as tampered', () => {
    const edited = JSON.parse(JSON.stringify(base));
    edited.gains[3].re *= 1.01;
    expect(codeOf(() => parseRecord(edited))).toBe('RING_ERR_CALIB_RECORD_TAMPERED');
  });
  it('invalid records get RING_ERR_CALIB_RECORD_INVALID naming the field', () => {
    expect(codeOf(() => parseRecordText('{"kind": "holoring-calibration",'))).toBe('RING_ERR_CALIB_RECORD_INVALID');
    const short = JSON.parse(JSON.stringify(base));
    short.gains.pop();
    try {
      parseRecord(short, 'x.json');
      expect.unreachable();
    } catch (e) {
      expect((e as HoloringError).code).toBe('RING_ERR_CALIB_RECORD_INVALID');
      expect((e as HoloringError).message).toContain('gains');
    }
    const zeroGain = JSON.parse(JSON.stringify(base));
    zeroGain.gains[0] = { re: 0, im: 0 };
    expect(codeOf(() => parseRecord(zeroGain))).toBe('RING_ERR_CALIB_RECORD_INVALID');
    expect(codeOf(() => parseRecord({ ...base, kind: 'other' }))).toBe('RING_ERR_CALIB_RECORD_INVALID');
  });
  it('the committed JSON schema is the one generated from the zod schema', () => {
    const committed = JSON.parse(readFileSync(new URL('../../calibration/record.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(recordJsonSchema())));
  });
});

describe('calibration store', () => {
  it('one file per record, written once; one active', () => {
    const store = tempStore();
    expect(store.list()).toEqual([]);
    expect(codeOf(() => store.active())).toBe('RING_ERR_CALIB_RECORD_NOT_FOUND');
    const path = store.save(base);
    expect(path.endsWith(`${base.version}.json`)).toBe(true);
    expect(store.save(base)).toBe(path); // identical again: no-op
    const second = buildRecord({ ...solveLike(base) }, { device, note: 'second', createdAt: new Date('2026-02-01T00:00:00Z'), supersedes: base.version });
    store.save(second);
    store.activate(base.version);
    expect(store.active().version).toBe(base.version);
    store.activate(second.version);
    expect(store.active()).toEqual(second);
    expect(store.list().map((r) => [r.version, r.active])).toEqual([[base.version, false], [second.version, true]]);
    expect(store.load(base.version)).toEqual(base);
  });
  it('refuses different content under an existing version, and detects corrupted or renamed files', () => {
    const store = tempStore();
    const path = store.save(base);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"first"', '"edited"'));
    expect(codeOf(() => store.load(base.version))).toBe('RING_ERR_CALIB_RECORD_TAMPERED');
    expect(codeOf(() => store.save(base))).toBe('RING_ERR_CALIB_RECORD_TAMPERED');
    writeFileSync(path, '{not json');
    expect(codeOf(() => store.load(base.version))).toBe('RING_ERR_CALIB_RECORD_INVALID');
    writeFileSync(path, JSON.stringify(base));
    const other = 'cal-0123456789abcdef';
    renameSync(path, join(store.dir, `${other}.json`));
    expect(codeOf(() => store.load(other))).toBe('RING_ERR_CALIB_RECORD_TAMPERED');
    expect(codeOf(() => store.load('cal-ffffffffffffffff'))).toBe('RING_ERR_CALIB_RECORD_NOT_FOUND');
    expect(codeOf(() => store.load('../etc/passwd'))).toBe('RING_ERR_CALIB_RECORD_NOT_FOUND');
    expect(codeOf(() => store.activate('cal-ffffffffffffffff'))).toBe('RING_ERR_CALIB_RECORD_NOT_FOUND');
  });
});

/** A solution-shaped copy of a record (to build a second, different record). */
function solveLike(r: CalibrationRecord) {
  return {
    sites: r.sites, offsets: r.offsets, offsetSigma: r.offsetSigma, gains: r.gains, gainSigma: r.gainSigma, noise: r.noise,
    reference: r.reference, residuals: r.residuals,
    data: { offFrames: r.method.offFrames, framesUsed: r.method.framesUsed, framesRejected: r.method.framesRejected, sourceWidth: r.method.sourceWidth, sourceSites: r.method.sourceSites, omegas: r.method.omegas, amplitudes: r.method.amplitudes, framesPerSetting: r.method.framesPerSetting, simulated: r.method.simulated },
  };
}
