import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HoloringError, escapeControl, quoteInput } from '../../src/errors.ts';
import { EXIT } from '../../src/cli/program.ts';
import { Rng } from '../../src/util/random.ts';
import { runInProcess } from '../support/cli.ts';

/**
 * Input quoted in an error is shown, never executed by the terminal: a binary
 * file or a table with NUL and escape sequences gives a one-line refusal with
 * those bytes escaped.
 */
const dir = mkdtempSync(join(tmpdir(), 'holoring-ctl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

/** Any byte a terminal acts on: C0 but tab, DEL, C1, bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** stderr is one line ending in a newline, with no raw control character in it. */
function expectOneCleanLine(stderr: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.slice(0, -1)).not.toMatch(RAW_CONTROL);
}

describe('control characters in messages', () => {
  it('are written as escapes: \\n \\r \\0, \\xNN up to U+00FF, \\u{…} above; tabs and other text stay', () => {
    expect(escapeControl('a\nb\rc\0d')).toBe('a\\nb\\rc\\0d');
    expect(escapeControl('\x1b[31mred\x07\x7f\x9b')).toBe('\\x1b[31mred\\x07\\x7f\\x9b');
    expect(escapeControl('abc\u202Efed\u2066')).toBe('abc\\u{202e}fed\\u{2066}');
    expect(escapeControl('ω = 0.5\tχ² ≥ 0 "quoted" \\ é')).toBe('ω = 0.5\tχ² ≥ 0 "quoted" \\ é');
  });

  it('every HoloringError message is escaped, whoever built it', () => {
    const e = new HoloringError('RING_ERR_TABLE_VALUE', 'cell "\x1b]0;owned\x07" at\r\nline 3');
    expect(e.message).toBe('cell "\\x1b]0;owned\\x07" at\\r\\nline 3');
    expect(e.message).not.toMatch(RAW_CONTROL);
  });

  it('quoted input is cut to its first characters, saying how many were left out', () => {
    expect(quoteInput('x'.repeat(100), 10)).toBe(`"${'x'.repeat(10)}… (90 more characters)"`);
    expect(quoteInput('a\0b')).toBe('"a\\0b"');
  });
});

describe('holoring refusing a table with control bytes', () => {
  it('a cell with NUL and an escape sequence: refused naming the line, the bytes escaped', async () => {
    const path = join(dir, 'nul.csv');
    writeFileSync(path, 'omega,gamma,k,chi_re,chi_im,sigma\n1,0.1,0,\x1b[2J\x00x\x07,0,0.1\n');
    const r = await runInProcess(['reconstruct', '--data', path, '--out', join(dir, 'm.json')]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain('RING_ERR_TABLE_VALUE');
    expect(r.stderr).toContain(':2: chi_re is not a finite number ("\\x1b[2J\\0x\\x07")');
    expectOneCleanLine(r.stderr);
  });

  it('a header line of control bytes: refused, escaped', async () => {
    const path = join(dir, 'header.csv');
    writeFileSync(path, '\x1b]0 title\x07\x9b31m\n');
    const r = await runInProcess(['reconstruct', '--data', path, '--out', join(dir, 'm.json')]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain('found one field "\\x1b]0 title\\x07\\x9b31m"');
    expectOneCleanLine(r.stderr);
  });

  it('a binary file (every byte value, seeded): one short line, no raw control byte', async () => {
    const rng = new Rng(13);
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.nextU32() & 0xff;
    // a header line first, so the parser gets as far as the binary rows
    const path = join(dir, 'binary.csv');
    writeFileSync(path, Buffer.concat([Buffer.from('omega,gamma,k,chi_re,chi_im,sigma\n'), bytes]));
    const r = await runInProcess(['reconstruct', '--data', path, '--out', join(dir, 'm.json')]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/^holoring: error RING_ERR_TABLE_(FORMAT|VALUE): /);
    expectOneCleanLine(r.stderr);
    expect(r.stderr.length).toBeLessThan(1000);
  });
});
