import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../drivers/ring/capture.ts';
import { readScenario } from '../../drivers/ring/faults.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { parseRecordText } from '../../calibration/record.ts';
import { mergeConfig, parseConfig, readConfigFile } from '../../src/config/schema.ts';
import { HoloringError } from '../../src/errors.ts';
import { formatFramesFile, parseFramesFile, readFramesFile } from '../../src/io/framesFile.ts';
import { loadCheckpoint, makeCheckpoint } from '../../src/model/checkpoint.ts';
import { DEFAULT_SHAPE } from '../../src/model/grid.ts';
import { loadMetricFile } from '../../src/physics/metric.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BOM = '\uFEFF';
const identity = { model: 'HOLORING-RING', serial: 'SIM-9', firmware: '1.0.0', protocolVersion: '1.0' };

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function refusal(fn: () => unknown): HoloringError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HoloringError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('every JSON file holoring reads accepts a byte-order mark', () => {
  it('configuration, frames file, capture, scenario, metric table, checkpoint, record', () => {
    const cfg = { device: { spec: 'sim:2', speed: 50 }, sweep: { stop: 3 } };
    expect(readConfigFile(write('c.json', BOM + JSON.stringify(cfg)))).toEqual(cfg);
    const frames = [...new RingSimulator({ seed: 3 }).sweep([0.5, 1])];
    expect(readFramesFile(write('f.jsonl', BOM + formatFramesFile(identity, frames))).frames).toEqual(frames);
    const cap = readCapture(write('cap.jsonl', BOM + '{"kind":"holoring-capture","version":1}\n{"t":0,"open":true}\n'));
    expect(cap.events).toHaveLength(1);
    expect(readScenario(write('s.json', BOM + '{}'))).toEqual({});
    const r = [0, 1, 2, 4, 8, 12, 16, 24, 32];
    expect(loadMetricFile(write('m.json', BOM + JSON.stringify({ r, f: r.map((x) => 1 + x * x), g: r.map((x) => 1 + x * x) }))).kind).toBeDefined();
    const K = DEFAULT_SHAPE.nodes;
    const cp = makeCheckpoint(DEFAULT_SHAPE, 1.5, 1, new Array(K).fill(0), new Array(K).fill(0), '');
    expect(loadCheckpoint(write('cp.json', BOM + JSON.stringify(cp)))).toEqual(cp);
    const rec = readFileSync(new URL('./fixtures/record-SIM-2.json', import.meta.url), 'utf8');
    expect(parseRecordText(BOM + rec).version).toBe(parseRecordText(rec).version);
  });
});

describe('a configuration must be a JSON object', () => {
  it.each([['null', 'null'], ['[]', 'an array'], ['3', 'a number'], ['"x"', 'a string']])('refuses %s naming what it is', (text, kind) => {
    const e = refusal(() => readConfigFile(write('bad.json', text)));
    expect(e.code).toBe('RING_ERR_CONFIG_INVALID');
    expect(e.message).toContain(`expected a JSON object ({…}), got ${kind}`);
    expect(refusal(() => parseConfig(JSON.parse(text), 'x.json')).code).toBe('RING_ERR_CONFIG_INVALID');
  });

  it('no configuration at all still means the defaults', () => {
    expect(parseConfig(undefined).physics.delta).toBe(1.5);
  });

  it('refuses at parse time what later stages refuse, naming the path', () => {
    for (const delta of [2, 3, 1, 0.5, 2.0000001]) {
      const e = refusal(() => parseConfig(mergeConfig({ physics: { delta } }, {}), 'run.json'));
      expect(e.code).toBe('RING_ERR_CONFIG_INVALID');
      expect(e.message).toMatch(/^run\.json: invalid configuration — physics\.delta: must/);
    }
    expect(parseConfig({ physics: { delta: 2.5 } }).physics.delta).toBe(2.5);
  });
});

describe('frames files', () => {
  it('keeps a complete last frame without a final newline; drops only a torn one', () => {
    const frames = [...new RingSimulator({ seed: 4 }).sweep([0.5, 1, 1.5])];
    const text = formatFramesFile(identity, frames);
    const noNewline = parseFramesFile(text.slice(0, -1));
    expect(noNewline.tornTail).toBe(false);
    expect(noNewline.frames).toEqual(frames);
    const torn = parseFramesFile(text.slice(0, -40));
    expect(torn.tornTail).toBe(true);
    expect(torn.frames).toEqual(frames.slice(0, 2));
  });
});
