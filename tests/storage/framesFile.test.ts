import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFramesFile } from '../../src/io/framesFile.ts';
import { runCli } from '../support/cli.ts';

const fixture = (name: string) => new URL(`../fixtures/field-inputs/${name}`, import.meta.url).pathname;
const NO_NEWLINE = fixture('frames-complete-last-line-no-newline.jsonl');
const RECORD = fixture('calibration-record-SIM-2.json');

describe('frames file: the last line', () => {
  it('a complete last frame without a final newline is read (every one of 40)', () => {
    const text = readFileSync(NO_NEWLINE, 'utf8');
    expect(text.endsWith('\n')).toBe(false);
    const r = parseFramesFile(text, 'x');
    expect(r.frames).toHaveLength(40);
    expect(r.tornTail).toBe(false);
    expect(r.frames[39]).toEqual(parseFramesFile(text + '\n', 'x').frames[39]);
  });

  it('a last line cut short is left out and reported with its size', () => {
    const text = readFileSync(NO_NEWLINE, 'utf8');
    const cut = text.slice(0, text.length - 30);
    const r = parseFramesFile(cut, 'x');
    expect(r.frames).toHaveLength(39);
    expect(r.tornTail).toBe(true);
    expect(r.tornBytes).toBe(Buffer.byteLength(cut.slice(cut.lastIndexOf('\n') + 1)));
  });

  it('recalibrate reads all 40 frames of the field file, and names a cut last line', () => {
    const ok = runCli(['recalibrate', '--frames', NO_NEWLINE, '--record', RECORD, '--kmax', '2', '--json', '--out', '-']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stderr.trim().split('\n').pop()!)).toMatchObject({ frames: 40, tornBytes: 0 });
    const text = readFileSync(NO_NEWLINE, 'utf8');
    const cutPath = join(mkdtempSync(join(tmpdir(), 'holoring-frames-')), 'cut.jsonl');
    writeFileSync(cutPath, text.slice(0, text.length - 30));
    const torn = runCli(['recalibrate', '--frames', cutPath, '--record', RECORD, '--kmax', '2', '--out', '-']);
    expect(torn.code).toBe(0);
    expect(torn.stderr).toMatch(/last line of .* is cut short \(\d+ bytes/);
    expect(torn.stderr).toMatch(/recalibrated 39 frames/);
  });
});
