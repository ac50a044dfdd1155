import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecord } from '../../calibration/record.ts';
import { recalibrate } from '../../calibration/recalibrate.ts';
import { solveCalibration } from '../../calibration/solve.ts';
import { CalibrationStore } from '../../calibration/store.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { CalibrationRecord } from '../../src/contracts/calibration.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { IMPLAUSIBLE_DYNAMIC_RANGE, implausibleReading } from '../../src/pipeline/plausibility.ts';
import { runCli } from '../support/cli.ts';

const device = { model: 'HR-SIM', serial: 'SIM-0007', firmware: 'sim', protocolVersion: '1.0' };
let record: CalibrationRecord;
let frames: RingFrame[];

beforeAll(() => {
  const sim = new RingSimulator({ seed: 8 });
  const cal: RingFrame[] = [];
  for (let i = 0; i < 8; i++) cal.push(sim.frame({ omega: 1, amplitude: 0 }));
  for (const omega of [0.5, 1]) for (const s of [0, 1, 9, 22, 37, 50]) for (let r = 0; r < 3; r++) cal.push(sim.frame({ omega, sourceSite: s }));
  record = buildRecord(solveCalibration(cal), { device, note: 'plausibility', createdAt: new Date('2026-03-01T00:00:00Z') });
  frames = [];
  for (const omega of [0.5, 0.75, 1]) for (let r = 0; r < 4; r++) frames.push(sim.frame({ omega, sourceSite: 0 }));
});

const withReading = (f: RingFrame, site: number, value: number): RingFrame => {
  const x = Float64Array.from(f.x);
  x[site] = value;
  return { ...f, x };
};

describe('implausible readings', () => {
  it('names non-finite readings and readings beyond the lock-in dynamic range; keeps ordinary ones', () => {
    const f = frames[0];
    expect(implausibleReading(f)).toBeNull();
    expect(implausibleReading(withReading(f, 5, NaN))).toEqual({ reason: 'non-finite-reading', site: 5 });
    expect(implausibleReading(withReading(f, 6, -Infinity))).toEqual({ reason: 'non-finite-reading', site: 6 });
    expect(implausibleReading(withReading(f, 7, 1e308))).toEqual({ reason: 'implausible-reading', site: 7 });
    const mags = Array.from(f.x, (x, j) => Math.hypot(x, f.y[j])).sort((a, b) => a - b);
    const median = mags[mags.length >> 1];
    expect(implausibleReading(withReading(f, 9, 2 * IMPLAUSIBLE_DYNAMIC_RANGE * median))).toEqual({ reason: 'implausible-reading', site: 9 });
    // a large but possible reading (a thousand times the median) is data, not a fault
    expect(implausibleReading(withReading(f, 9, 1e3 * median))).toBeNull();
  });

  it('recalibrate skips and counts the implausible frame and keeps every good frame at that ω', async () => {
    const bad = frames.map((f, i) => (i === 5 ? withReading(f, 3, 1e308) : f));
    const res = await recalibrate(from(bad), record, device, { kMax: 4, gamma: 0.25 });
    const clean = await recalibrate(from(frames.filter((_, i) => i !== 5)), record, device, { kMax: 4, gamma: 0.25 });
    expect(res.skipped).toEqual({ 'implausible-reading': 1 });
    expect(res.table.points).toHaveLength(3 * 5);
    expect(res.table.points).toEqual(clean.table.points);
    const nan = await recalibrate(from(frames.map((f, i) => (i === 2 ? withReading(f, 0, NaN) : f))), record, device, { kMax: 4, gamma: 0.25 });
    expect(nan.skipped).toEqual({ 'non-finite-reading': 1 });
    expect(nan.table.points).toHaveLength(3 * 5);
  });
});

describe('holoring calibrations list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holoring-list-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('lists the good records and marks an unreadable one with its error', () => {
    const store = new CalibrationStore(dir);
    store.save(record);
    store.activate(record.version);
    writeFileSync(join(dir, 'cal-0123456789abcdef.json'), '{"kind": "holoring-calibration",');
    const list = store.list();
    expect(list.map((r) => [r.version, r.active, r.error?.code])).toEqual([
      [record.version, true, undefined],
      ['cal-0123456789abcdef', false, 'RING_ERR_CALIB_RECORD_INVALID'],
    ]);
    const r = runCli(['calibrations', 'list', '--store', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`* ${record.version}`);
    expect(r.stdout).toMatch(/! cal-0123456789abcdef {2}unreadable: RING_ERR_CALIB_RECORD_INVALID: .*not valid JSON/);
    expect(r.stderr).toMatch(/1 record file\(s\) .* cannot be used/);
  });
});
