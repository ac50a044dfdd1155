import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecordText } from '../../calibration/record.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { truthToJson } from '../../drivers/sim/truth.ts';
import { parseResponseTable } from '../../src/io/responseTable.ts';
import { diskChi } from '../../src/physics/closedForm.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-calcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, 'records');

describe('holoring calibrate / recalibrate / calibrations (in-process emulator)', () => {
  let first = '';
  it('calibrates the default emulated ring, saves and activates the record, and scores within target', () => {
    const truth = join(dir, 'truth.json');
    writeFileSync(truth, JSON.stringify(truthToJson(new RingSimulator({ seed: 9 }).truth(), 9)));
    const out = join(dir, 'rec.json');
    const r = runCli(['calibrate', '--sim-seed', '9', '--store', store, '--out', out, '--truth', truth, '--save-frames', join(dir, 'f.jsonl'), '--json', '--note', 'bench A']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('calibrate: 220/220');
    const s = JSON.parse(r.stdout);
    first = s.version;
    expect(s.score.gainMaxRel).toBeLessThan(0.005);
    expect(s.score.phaseMaxDeg).toBeLessThan(0.5);
    expect(s.score.overallZ).toBeLessThan(4);
    const rec = parseRecordText(readFileSync(out, 'utf8'));
    expect(rec.version).toBe(first);
    expect(rec.note).toBe('bench A');
    expect(readFileSync(join(store, 'ACTIVE'), 'utf8').trim()).toBe(first);
    expect(readFileSync(join(store, `${first}.json`), 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('a second calibration is a new record that supersedes the first; --no-activate keeps the active one', () => {
    const r = runCli(['calibrate', '--sim-seed', '9', '--store', store, '--no-activate', '--quiet', '--json', '--frames', '3']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout).version;
    expect(v).not.toBe(first);
    expect(JSON.parse(readFileSync(join(store, `${v}.json`), 'utf8')).supersedes).toBe(first);
    const list = runCli(['calibrations', 'list', '--store', store, '--json']);
    expect(JSON.parse(list.stdout).map((e: { version: string; active: boolean }) => [e.version, e.active])).toEqual([[first, true], [v, false]]);
    expect(runCli(['calibrations', 'activate', v, '--store', store]).code).toBe(0);
    expect(readFileSync(join(store, 'ACTIVE'), 'utf8').trim()).toBe(v);
  });

  it('recalibrates the saved raw frames with a chosen record into a response table near the closed form', () => {
    const r = runCli(['recalibrate', '--store', store, '--frames', join(dir, 'f.jsonl'), '--record', first, '--kmax', '6']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`with ${first} (calibrated 220)`);
    const t = parseResponseTable(r.stdout);
    expect(t.points).toHaveLength(3 * 7);
    let chi2 = 0;
    for (const p of t.points) {
      const cf = diskChi(1.5, { re: p.omega, im: p.gamma }, p.k);
      chi2 += ((p.chiRe - cf.re) ** 2 + (p.chiIm - cf.im) ** 2) / p.sigma ** 2;
    }
    expect(chi2 / (2 * t.points.length)).toBeLessThan(2);
  });

  it('refuses undeterminable data, bad flags, foreign records and corrupt files with stable codes', () => {
    const one = runCli(['calibrate', '--store', store, '--source-sites', '5', '--quiet']);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('RING_ERR_CALIB_UNDETERMINED');
    const bad = runCli(['calibrate', '--store', store, '--reference', 'mean-ish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--reference');
    // a record of another device: nothing is calibrated
    const foreign = JSON.parse(readFileSync(join(dir, 'f.jsonl'), 'utf8').split('\n')[0]);
    const lines = readFileSync(join(dir, 'f.jsonl'), 'utf8').split('\n');
    lines[0] = JSON.stringify({ ...foreign, device: { ...foreign.device, serial: 'OTHER-1' } });
    writeFileSync(join(dir, 'other.jsonl'), lines.join('\n'));
    const mis = runCli(['recalibrate', '--store', store, '--frames', join(dir, 'other.jsonl'), '--record', first]);
    expect(mis.code).toBe(2);
    expect(mis.stderr).toContain('RING_ERR_CALIB_MISMATCH');
    writeFileSync(join(dir, 'broken.jsonl'), lines.slice(0, 3).join('\n') + '\n{"seq": 1,\n');
    const broken = runCli(['recalibrate', '--store', store, '--frames', join(dir, 'broken.jsonl')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('RING_ERR_CALIB_FRAMES_FILE');
    expect(broken.stderr).toContain('broken.jsonl:4');
  });
});
