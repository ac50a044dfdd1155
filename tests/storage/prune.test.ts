import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, startDelta } from '../../src/config/schema.ts';
import { createLogger, silentLogger } from '../../src/log.ts';
import { LOCK_FILE, runDir } from '../../src/storage/layout.ts';
import { pruneRuns } from '../../src/storage/prune.ts';
import { listSegments, runState } from '../../src/storage/reader.ts';
import { type RunRecorder, openRun } from '../../src/storage/run.ts';
import { CURSOR_FILE } from '../../src/storage/influx/cursor.ts';
import { Rng } from '../../src/util/random.ts';
import { syntheticFrame } from '../drivers/helpers.ts';

const config = parseConfig({});
const logger = silentLogger();
let dataDir: string;
let t = Date.parse('2026-11-01T00:00:00Z');

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'holoring-prune-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** A run of `frames` journaled frames of device `serial`, each run an hour after the previous one. */
function makeRun(serial: string, frames: number): RunRecorder {
  t += 3_600_000;
  const now = t;
  const identity = { model: 'HOLORING-SIM', serial, firmware: '1', protocolVersion: '1.0' };
  const run = openRun({ dataDir, identity, newRun: true, logger, now: () => now });
  run.begin({ rig: config.rig, config: {}, delta: startDelta(config), gamma: config.physics.gamma, sweep: { ...config.sweep, sweeps: 0 }, holoringVersion: 'test', gitCommit: null, note: null }, null);
  const rng = new Rng(frames);
  for (let i = 0; i < frames; i++) run.journalFrame(syntheticFrame(rng, i, 16), 'frames');
  return run;
}

const stopDoc = { status: 'stopped' as const, frames: { received: 0, journaled: 0, skipped: {}, missing: {}, duplicates: 0 }, calibrationFrames: 0, gaps: 0, sweeps: 0, fits: 0, durationMs: 0 };
const stopped = async (serial: string, frames: number): Promise<string> => {
  const r = makeRun(serial, frames);
  await r.close(stopDoc);
  return r.id;
};
/** An interrupted run: no stop document, and its lock names a process that is gone (as after SIGKILL). */
const interrupted = async (serial: string, frames: number): Promise<string> => {
  const r = makeRun(serial, frames);
  await r.close(stopDoc);
  const docs = join(r.dir, 'documents.jsonl');
  writeFileSync(docs, readFileSync(docs, 'utf8').split('\n').filter((l) => l && !l.includes('"type":"stop"')).join('\n') + '\n');
  writeFileSync(join(r.dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: new Date().toISOString() }));
  return r.id;
};
const bytes = (id: string): number => listSegments(dataDir, id).reduce((a, s) => a + s.bytes, 0);
const size = (id: string, file: string): number => (existsSync(join(runDir(dataDir, id), file)) ? statSync(join(runDir(dataDir, id), file)).size : 0);
/** Documents and fit data: counted by storage.maxBytes beside the frame segments. */
const docs = (...ids: string[]): number => ids.reduce((a, id) => a + size(id, 'documents.jsonl') + size(id, 'fits.jsonl'), 0);

describe('storage.maxBytes pruning', () => {
  it('deletes stopped runs before interrupted ones, oldest first, until the total fits; never the current run; documents stay', async () => {
    const a = await interrupted('A', 40); // oldest, but a restart of A would continue it
    const b = await stopped('B', 40);
    const c = await stopped('C', 40);
    const current = makeRun('D', 40);
    expect(runState(dataDir, a)).toBe('interrupted');
    const each = bytes(b);
    const total = bytes(a) + bytes(b) + bytes(c) + bytes(current.id) + docs(a, b, c, current.id);
    // room for all but ~1.5 runs: B (the oldest stopped run) and then C go; A stays
    const r = pruneRuns(dataDir, total - Math.round(1.5 * each), current.id);
    expect(r.pruned.map((p) => p.run)).toEqual([b, c]);
    expect(r.pruned[0]).toMatchObject({ segments: 1, bytes: each });
    expect(bytes(b)).toBe(0);
    expect(bytes(a)).toBeGreaterThan(0);
    expect(bytes(current.id)).toBeGreaterThan(0);
    expect(existsSync(join(runDir(dataDir, b), 'documents.jsonl'))).toBe(true);
    expect(r.totalBytes).toBe(bytes(a) + bytes(current.id) + docs(a, b, c, current.id));
    // a tighter bound reaches the interrupted run, never the current one
    const r2 = pruneRuns(dataDir, 1, current.id);
    expect(r2.pruned.map((p) => p.run)).toEqual([a]);
    expect(r2.totalBytes).toBe(bytes(current.id) + docs(a, b, c, current.id));
    await current.close(stopDoc);
  });

  it('keeps a run whose InfluxDB back-fill is unfinished, or whose cursor or documents cannot be read, and says why', async () => {
    const behind = await stopped('E', 40);
    const done = await stopped('F', 40);
    const noCursor = await stopped('G', 40);
    const badCursor = await stopped('H', 40);
    const badDocs = await stopped('I', 40);
    const seg = (id: string) => listSegments(dataDir, id)[0];
    writeFileSync(join(runDir(dataDir, behind), CURSOR_FILE), JSON.stringify({ version: 1, documents: 0, segment: seg(behind).path.split('/').pop(), offset: 100 }));
    writeFileSync(join(runDir(dataDir, done), CURSOR_FILE), JSON.stringify({ version: 1, documents: 0, segment: seg(done).path.split('/').pop(), offset: seg(done).bytes }));
    writeFileSync(join(runDir(dataDir, badCursor), CURSOR_FILE), '{"version":1,');
    writeFileSync(join(runDir(dataDir, badDocs), 'documents.jsonl'), 'not json\nnot json either\n');
    const r = pruneRuns(dataDir, 1, 'none');
    expect(r.pruned.map((p) => p.run).sort()).toEqual([done, noCursor].sort());
    const why = Object.fromEntries(r.kept.map((k) => [k.run, k.reason]));
    expect(why[behind]).toMatch(new RegExp(`InfluxDB back-fill is unfinished \\(${seg(behind).bytes - 100} bytes`));
    expect(why[badCursor]).toMatch(/cannot be read/);
    expect(why[badDocs]).toMatch(/documents cannot be read/);
    expect(bytes(behind)).toBeGreaterThan(0);
  });

  it('runs when a daemon opens a run, logging what it pruned', async () => {
    const old = await stopped('J', 40);
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', pretty: false, destination: new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }) });
    const identity = { model: 'HOLORING-SIM', serial: 'K', firmware: '1', protocolVersion: '1.0' };
    const run = openRun({ dataDir, identity, newRun: true, logger: log, storage: { maxBytes: 1 } });
    expect(bytes(old)).toBe(0);
    expect(lines.join('')).toMatch(new RegExp(`pruned the frame segments of finished run ${old}`));
    await run.close(stopDoc);
  });
});
