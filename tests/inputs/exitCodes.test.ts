import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { EXIT } from '../../src/cli/program.ts';
import { formatFramesFile } from '../../src/io/framesFile.ts';
import { formatResponseTable } from '../../src/io/responseTable.ts';
import { runCli, runInProcess } from '../support/cli.ts';

const run = runInProcess;

const dir = mkdtempSync(join(tmpdir(), 'holoring-exit-'));
const missing = join(dir, 'missing');
const unwritable = join(dir, 'no-such-dir', 'out.json');
let table: string;
let frames: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

beforeAll(() => {
  const points = [];
  for (const omega of [0.5, 1, 1.5, 2]) for (let k = 0; k <= 4; k++) points.push({ omega, gamma: 0.25, k, chiRe: 1 + k, chiIm: omega, sigma: 0.01 });
  table = join(dir, 'chi.csv');
  writeFileSync(table, formatResponseTable(points));
  frames = join(dir, 'frames.jsonl');
  writeFileSync(frames, formatFramesFile({ model: 'HR', serial: 'S-1', firmware: '1', protocolVersion: '1.0' }, [...new RingSimulator({ seed: 1 }).sweep([0.5, 1])]));
  writeFileSync(join(dir, 'null.json'), 'null');
});

/** Every refusal of an argument: exit 2, `holoring: error RING_ERR_…: …` on stderr naming `names`. */
const refusals: [string, string[], RegExp][] = [
  ['unknown command', ['reconstrukt'], /RING_ERR_ARG_INVALID: unknown command 'reconstrukt'/],
  ['unknown option', ['simulate', '--bogus'], /RING_ERR_ARG_INVALID: unknown option '--bogus'/],
  ['missing required option', ['reconstruct'], /RING_ERR_ARG_INVALID: required option '--data <file>' not specified/],
  ['start: configuration file missing', ['start', '--config', missing], /RING_ERR_FILE_NOT_FOUND: no configuration at .*missing: the file does not exist/],
  ['start: configuration null', ['start', '--config', join(dir, 'null.json')], /RING_ERR_CONFIG_INVALID: .*expected a JSON object/],
  ['start: bad --rate', ['start', '--rate', '-1'], /RING_ERR_ARG_INVALID: --rate: must be > 0/],
  ['start: bad --metric', ['start', '--device', 'sim', '--metric', 'btz:-1', '--no-train'], /RING_ERR_METRIC_INVALID: --metric:/],
  ['simulate: integer Δ', ['simulate', '--delta', '2'], /RING_ERR_DELTA_INTEGER: --delta:/],
  ['simulate: bad --metric', ['simulate', '--metric', 'btz:-1'], /RING_ERR_METRIC_INVALID: --metric:/],
  ['simulate: unwritable --out', ['simulate', '--out', unwritable], /RING_ERR_ARG_INVALID: --out: cannot write .*does not exist/],
  ['reconstruct: missing --data file', ['reconstruct', '--data', missing], /RING_ERR_FILE_NOT_FOUND: --data: no response table at .*missing: the file does not exist/],
  ['reconstruct: integer Δ names --delta', ['reconstruct', '--data', 'x.csv', '--delta', '2'], /RING_ERR_DELTA_INTEGER: --delta:/],
  ['reconstruct: bad --init', ['reconstruct', '--data', 'x.csv', '--init', missing], /--(data|init):/],
  ['emulate: integer Δ', ['emulate', '--link', join(dir, 'tty-free'), '--delta', '3'], /RING_ERR_DELTA_INTEGER: --delta:/],
  ['probe: bad --seconds', ['probe', '--port', missing, '--seconds', '0'], /RING_ERR_ARG_INVALID: --seconds:/],
  ['calibrate: bad --reference', ['calibrate', '--reference', 'nope'], /RING_ERR_ARG_INVALID: --reference:/],
  ['calibrate: unwritable --out', ['calibrate', '--out', unwritable], /RING_ERR_ARG_INVALID: --out: cannot write/],
  ['recalibrate: neither --frames nor --capture', ['recalibrate'], /RING_ERR_ARG_INVALID: give exactly one of --frames/],
  ['recalibrate: missing --frames file', ['recalibrate', '--frames', missing, '--store', dir], /RING_ERR_FILE_NOT_FOUND: --frames: no frames file at /],
  ['calibrations: not a version', ['calibrations', 'show', 'latest', '--store', dir], /RING_ERR_CALIB_RECORD_NOT_FOUND: VERSION:/],
  ['image: missing --data file', ['image', '--data', missing, '--omega', '1'], /RING_ERR_FILE_NOT_FOUND: --data: no response table at /],
  ['image: --out of an unknown kind', ['image', '--data', missing, '--omega', '1', '--out', join(dir, 'x.png')], /RING_ERR_ARG_INVALID: --out: .*x\.png: the image is written as CSV .* or as an SVG plot \(\.svg\), not \.png/],
  ['simulate: --metric with nothing after the colon', ['simulate', '--metric', 'blackhole:'], /RING_ERR_METRIC_INVALID: --metric: metric "blackhole:": nothing after ":" — write "blackhole" for the defaults \(rh, af, ag, c, w = 1\.5, 0\.3, 0, 2\.4, 0\.7\) or "blackhole:rh,af,ag,c,w"/],
  ['simulate: --metric with too few parameters', ['simulate', '--metric', 'btz:1,2'], /RING_ERR_METRIC_INVALID: --metric: metric "btz:1,2": expected 1 comma-separated number\(s\) after ":" \(btz:rh; "btz" alone gives rh = 1\.5\)/],
  ['runs: no such run', ['runs', 'show', 'nosuch', '--data-dir', dir], /RING_ERR_RUN_NOT_FOUND: no runs in /],
  ['token: unknown subcommand option', ['token', 'create', '--role', 'viewer', '--bogus'], /RING_ERR_ARG_INVALID: unknown option '--bogus'/],
];

describe('one exit-code rule: 2 for a refused argument, in the holoring error format', () => {
  it.each(refusals)('%s', async (_name, args, pattern) => {
    const r = await run(args);
    expect(r.stderr).toMatch(/^holoring: error RING_ERR_[A-Z_]+: /);
    expect(r.stderr).toMatch(pattern);
    expect(r.code).toBe(EXIT.USAGE);
  });

  it('the real command exits 2 for a bad argument and 0 for --help', () => {
    const bad = runCli(['simulate', '--delta', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^holoring: error RING_ERR_DELTA_INTEGER: --delta:/);
    expect(runCli(['simulate', '--help']).code).toBe(0);
  });
});

describe('refusals name the right flag, and come before any work', () => {
  it('reconstruct refuses an unwritable --out before fitting', async () => {
    const r = await run(['reconstruct', '--data', table, '--out', unwritable, '--layers', '200', '--nodes', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: cannot write/);
    expect(r.stderr).not.toMatch(/iteration/);
  });

  it('recalibrate reports a missing record as such once the frames are read, and refuses --kmax beyond the ring', async () => {
    const noRecord = await run(['recalibrate', '--frames', frames, '--store', dir]);
    expect(noRecord.stderr).toMatch(/--record: no active calibration in .*holoring calibrations activate VERSION.*--record VERSION\|FILE, or the store with --store DIR/);
    expect(noRecord.code).toBe(2);
    // image --frames resolves the record alike
    const image = await run(['image', '--frames', frames, '--omega', '12', '--store', dir]);
    expect(image.stderr).toMatch(/RING_ERR_CALIB_RECORD_NOT_FOUND: --record: no active calibration in .*--store DIR/);
    expect(image.code).toBe(2);
    const k = await run(['recalibrate', '--frames', frames, '--record', missing, '--kmax', '40']);
    expect(k.stderr).toMatch(/--record: /);
    const rec = readFileSync(new URL('./fixtures/record-SIM-2.json', import.meta.url), 'utf8');
    writeFileSync(join(dir, 'rec.json'), rec);
    const beyond = await run(['recalibrate', '--frames', frames, '--record', join(dir, 'rec.json'), '--kmax', '40']);
    expect(beyond.stderr).toMatch(/RING_ERR_ARG_INVALID: --kmax: 40 is beyond what a ring of 64 sites resolves.*k ≤ 31/);
    expect(beyond.code).toBe(2);
  });

  it('emulate refuses a --link path that exists and leaves it alone', async () => {
    const file = join(dir, 'tty-file');
    writeFileSync(file, 'keep me');
    const link = join(dir, 'tty-link');
    symlinkSync('/dev/null', link);
    for (const p of [file, link]) {
      const r = await run(['emulate', '--link', p]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/RING_ERR_EMULATOR_LINK: --link: .* already exists/);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });
});
