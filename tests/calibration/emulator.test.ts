import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { from } from 'rxjs';
import { openDevice } from '../../drivers/ring/open.ts';
import { framesFromCapture } from '../../calibration/captureFrames.ts';
import { readFramesFile } from '../../src/io/framesFile.ts';
import { runCalibration } from '../../calibration/procedure.ts';
import { recalibrate } from '../../calibration/recalibrate.ts';
import { scoreCalibration } from '../../calibration/score.ts';
import { parseResponseTable } from '../../src/io/responseTable.ts';
import { runCli } from '../support/cli.ts';
import { hasCommand, requireComponent } from '../support/components.ts';

/** The procedure through the ring protocol: serial driver ↔ emulator (in-process link, then a real pseudo-terminal). */
describe('calibration through the emulator (serial driver, in-process link)', () => {
  it('meets the accuracy targets through the wire format, and the record does not apply to another device', async () => {
    const opened = openDevice({ kind: 'emulator', seed: 3, speed: 200 });
    await opened.device.connect();
    const { record, frames } = await runCalibration(opened.device);
    await opened.dispose();
    const s = scoreCalibration(record, opened.simulator!.truth());
    expect(record.device).toMatchObject({ model: 'HOLORING-RING', serial: 'SIM-3' });
    expect(s.gainMaxRel).toBeLessThan(0.005);
    expect(s.phaseMaxDeg).toBeLessThan(0.5);
    expect(s.offsetMaxZ).toBeLessThan(4.5);
    expect(s.overallZ).toBeLessThan(4);
    const other = await recalibrate(from(frames), record, { model: 'HOLORING-RING', serial: 'SIM-4', firmware: '1.0.0', protocolVersion: '1.0' }, { kMax: 12, gamma: 0.25 });
    expect(other.status).toEqual({ 'identity-mismatch': frames.length });
    expect(other.table.points).toHaveLength(0);
  });
});

const socat = requireComponent('socat', hasCommand('socat'), 'apt-get install socat; needed for holoring emulate on a pseudo-terminal');

describe.skipIf(!socat)('holoring calibrate --port against holoring emulate --truth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holoring-calemu-'));
  const link = join(dir, 'ttyRING');
  const truth = join(dir, 'truth.json');
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    child = spawn(process.execPath, ['bin/holoring.mjs', 'emulate', '--link', link, '--seed', '6', '--speed', '20', '--truth', truth, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (let i = 0; i < 300 && !existsSync(link); i++) await new Promise((r) => setTimeout(r, 50));
    if (!existsSync(link)) throw new Error(`holoring emulate did not create ${link}`);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('calibrates over the port, scores within target against the truth file, both raw records of the run (frames file, capture) re-calibrate, and a replay of the capture gives the same gains', () => {
    const store = join(dir, 'records');
    const r = runCli(['calibrate', '--port', link, '--truth', truth, '--store', store, '--json', '--quiet', '--save-frames', join(dir, 'frames.jsonl'), '--capture', join(dir, 'cap.jsonl'), '--note', 'pty'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.simulated).toBe(true);
    expect(out.active).toBe(true);
    expect(out.score.gainMaxRel).toBeLessThan(0.005);
    expect(out.score.phaseMaxDeg).toBeLessThan(0.5);
    expect(out.score.offsetMaxZ).toBeLessThan(4.5);
    expect(out.score.overallZ).toBeLessThan(4);
    const truthJson = JSON.parse(readFileSync(truth, 'utf8'));
    expect(truthJson.kind).toBe('holoring-calibration-truth');
    // both raw sources of the same run give the same table with the active record
    const a = runCli(['recalibrate', '--store', store, '--frames', join(dir, 'frames.jsonl'), '--quiet']);
    const b = runCli(['recalibrate', '--store', store, '--capture', join(dir, 'cap.jsonl'), '--quiet']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const ta = parseResponseTable(a.stdout);
    const tb = parseResponseTable(b.stdout);
    expect(ta.points.length).toBe(3 * 13);
    expect(tb.points.length).toBeGreaterThanOrEqual(ta.points.length);
    // the capture holds every raw frame the procedure kept (plus the ones it discarded)
    const capFrames = framesFromCapture(join(dir, 'cap.jsonl'));
    expect(capFrames.device.serial).toBe('SIM-6');
    const saved = readFramesFile(join(dir, 'frames.jsonl'));
    const bySeq = new Map(capFrames.frames.map((f) => [f.seq, f]));
    for (const f of saved.frames) {
      const g = bySeq.get(f.seq)!;
      expect(g).toBeDefined();
      expect(Array.from(g.x)).toEqual(Array.from(f.x));
      expect(g.omega).toBe(f.omega);
    }
    for (const p of ta.points) expect(tb.points.some((x) => x.omega === p.omega && x.k === p.k)).toBe(true);
    // replaying the captured session re-runs the procedure on the recorded bytes: the same gains
    const re = runCli(['calibrate', '--device', `replay:${join(dir, 'cap.jsonl')}`, '--store', join(dir, 'replayed'), '--out', join(dir, 'replayed.json'), '--quiet', '--json', '--note', 'pty'], { timeoutMs: 120_000 });
    expect(re.stderr).toBe('');
    expect(re.code).toBe(0);
    const original = JSON.parse(readFileSync(join(store, `${out.version}.json`), 'utf8'));
    const replayed = JSON.parse(readFileSync(join(dir, 'replayed.json'), 'utf8'));
    expect(replayed.gains).toEqual(original.gains);
    expect(replayed.offsets).toEqual(original.offsets);
  });
});
