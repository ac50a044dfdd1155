import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, startDelta } from '../../src/config/schema.ts';
import { parseResponseTable } from '../../src/io/responseTable.ts';
import { silentLogger } from '../../src/log.ts';
import type { DocumentBody, FitDoc } from '../../src/storage/documents.ts';
import { exportRun } from '../../src/storage/export.ts';
import { type FitData, fitSegmentName, listFitFiles, readFitData } from '../../src/storage/fitData.ts';
import { emptyCursor } from '../../src/storage/influx/cursor.ts';
import { readBatch } from '../../src/storage/influx/projection.ts';
import { runDir } from '../../src/storage/layout.ts';
import { readDocuments } from '../../src/storage/reader.ts';
import { pruneRuns } from '../../src/storage/prune.ts';
import { openRun } from '../../src/storage/run.ts';
import { summariseRun } from '../../src/storage/summary.ts';
import { Rng } from '../../src/util/random.ts';

const config = parseConfig({});
/** The clock of these runs: fits written now go to the fit data file of this hour. */
const T0 = Date.parse('2026-11-30T01:20:00Z');
const FIT_FILE = fitSegmentName(T0);
const identity = { model: 'HOLORING-SIM', serial: 'FD-1', firmware: '1', protocolVersion: '1.0' };
const stopDoc = { status: 'stopped' as const, frames: { received: 0, journaled: 0, skipped: {}, missing: {}, duplicates: 0 }, calibrationFrames: 0, gaps: 0, sweeps: 0, fits: 0, durationMs: 0 };
let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'holoring-fitdata-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * A fit as the daemon writes it, of the default size: the metric on 321 radii
 * (Δr = 0.025, 0 … 8) and a response table of 48 ω × 13 k, numbers at full precision.
 */
function fitBody(round: number, seed = round): DocumentBody<FitDoc> {
  const rng = new Rng(seed);
  const r = Array.from({ length: 321 }, (_, i) => i * 0.025);
  const noisy = (x: number): number => x * (1 + 0.01 * rng.normal());
  const points = [];
  for (let w = 1; w <= 48; w++) for (let k = 0; k <= 12; k++) points.push({ omega: 0.25 * w, gamma: 0.25, k, chiRe: rng.normal(), chiIm: rng.normal(), sigma: 0.003 * (1 + rng.uniform()) });
  return {
    type: 'fit', round, sweep: round, chi2: 1 + 0.1 * rng.uniform(), iterations: 7, elapsedMs: 812.5, points: points.length, backend: 'wasm', fingerprint: 'f00d', delta: 1.5, geometry: 'disk',
    r, f: r.map((x) => noisy(1 + x * x)), g: r.map((x) => noisy(1 + x * x)), f_err: r.map(() => 0.01 * rng.uniform()), g_err: r.map(() => 0.01 * rng.uniform()), resolution: r.map(() => 0.2 * rng.uniform()),
    table: { calibrationVersion: 'cal-0123456789abcdef', points },
  };
}

/** A stopped run with these fits; returns its id. */
async function runWithFits(fits: DocumentBody<FitDoc>[], serial = identity.serial): Promise<string> {
  const run = openRun({ dataDir, identity: { ...identity, serial }, newRun: true, logger: silentLogger(), now: () => T0 });
  run.begin({ rig: 'bench', config: {}, delta: startDelta(config), gamma: 0.25, sweep: { ...config.sweep, sweeps: 0 }, holoringVersion: 'test', gitCommit: null, note: null }, 'cal-0123456789abcdef');
  for (const f of fits) run.document(f);
  await run.close({ ...stopDoc, fits: fits.length });
  return run.id;
}

const exported = (id: string, what: 'metric' | 'fits' | 'response', format: 'csv' | 'json'): string => {
  let out = '';
  exportRun(dataDir, id, what, format, (t) => (out += t));
  return out;
};
const dataOf = (b: DocumentBody<FitDoc>): FitData => ({ r: b.r!, f: b.f!, g: b.g!, f_err: b.f_err!, g_err: b.g_err!, resolution: b.resolution, table: b.table! });
const lineBytes = (path: string): number[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => Buffer.byteLength(l) + 1);

describe('fit documents point at their metric and table in fits.jsonl', () => {
  it('keeps documents.jsonl small and gives back every number exactly, for show and export', async () => {
    const bodies = [1, 2, 3].map((n) => fitBody(n));
    const id = await runWithFits(bodies);
    const dir = runDir(dataDir, id);
    const fits = readDocuments(dataDir, id).documents.filter((d): d is FitDoc => d.type === 'fit');
    expect(fits.map((f) => [f.round, f.table, f.r, f.data?.file, f.calibrationVersion])).toEqual([1, 2, 3].map((n) => [n, undefined, undefined, FIT_FILE, 'cal-0123456789abcdef']));
    // what an inline fit document weighed, against the slim one and its line of fits.jsonl
    const inline = Buffer.byteLength(JSON.stringify({ ...bodies[0], time: fits[0].time, run: id })) + 1;
    const slim = Buffer.byteLength(readFileSync(join(dir, 'documents.jsonl'), 'utf8').split('\n').find((l) => l.includes('"type":"fit"'))!) + 1;
    const data = lineBytes(join(dir, FIT_FILE));
    expect(data).toHaveLength(3);
    expect(slim).toBeLessThan(1000);
    expect(inline).toBeGreaterThan(60 * slim);
    expect(data[0]).toBeLessThan(0.75 * inline);
    process.stderr.write(`fit record: inline document ${inline} B → document ${slim} B + fits.jsonl line ${data[0]} B\n`);
    for (const [i, f] of fits.entries()) expect(readFitData(dir, f)).toEqual(dataOf(bodies[i]));
    // exports read the fit data: the last fit's table and metric, every fit's metric arrays
    expect(parseResponseTable(exported(id, 'response', 'csv')).points).toEqual(bodies[2].table!.points.map((p) => expect.objectContaining(p)));
    expect(JSON.parse(exported(id, 'metric', 'json'))).toMatchObject({ round: 3, r: bodies[2].r, f: bodies[2].f, g_err: bodies[2].g_err });
    expect(exported(id, 'metric', 'csv').split('\n')[1]).toBe([0, bodies[2].f![0], bodies[2].g![0], bodies[2].f_err![0], bodies[2].g_err![0], (bodies[2].resolution as number[])[0]].join(','));
    const all = JSON.parse(exported(id, 'fits', 'json')) as Record<string, unknown>[];
    expect(all.map((f) => [f.round, f.f, 'table' in f, 'data' in f])).toEqual(bodies.map((b) => [b.round, b.f, false, false]));
    expect(exported(id, 'fits', 'csv').trim().split('\n').at(-1)).toMatch(/,cal-0123456789abcdef$/);
    expect(summariseRun(dataDir, id)).toMatchObject({ fits: 3, lastFit: { round: 3, points: 624 }, fitDataBytes: data[0] + data[1] + data[2], documentBytes: statSync(join(dir, 'documents.jsonl')).size });
  });

  it('keeps the common part of σ of a live table (sigmaCommon) and each row\'s share of its ω\'s (sigmaStep), and the response export writes them as sigma_common, sigma_step', async () => {
    const body = fitBody(1);
    body.table!.points = body.table!.points.map((p, i) => ({ ...p, sigmaCommon: 0.3 * p.sigma, sigmaStep: (i % 3 === 0 ? -0.2 : 0.5) * p.sigma }));
    const id = await runWithFits([body]);
    const [fit] = readDocuments(dataDir, id).documents.filter((d): d is FitDoc => d.type === 'fit');
    expect(readFitData(runDir(dataDir, id), fit)).toEqual(dataOf(body));
    const csv = exported(id, 'response', 'csv');
    expect(csv.split('\n')[0]).toBe('omega,gamma,k,chi_re,chi_im,sigma,sigma_common,sigma_step');
    expect(parseResponseTable(csv).points).toEqual(body.table!.points);
  });

  it('reads runs recorded before fits.jsonl, whose fit documents carry the table inline', async () => {
    const id = await runWithFits([]);
    const body = fitBody(1);
    appendFileSync(join(runDir(dataDir, id), 'documents.jsonl'), JSON.stringify({ ...body, time: '2026-11-29T12:00:00.000Z', run: id }) + '\n');
    const [fit] = readDocuments(dataDir, id).documents.filter((d): d is FitDoc => d.type === 'fit');
    expect(readFitData(runDir(dataDir, id), fit)).toEqual(dataOf(body));
    expect(parseResponseTable(exported(id, 'response', 'csv')).points).toHaveLength(624);
    expect(JSON.parse(exported(id, 'metric', 'json'))).toMatchObject({ r: body.r, f: body.f });
    expect(JSON.parse(exported(id, 'fits', 'json'))[0]).not.toHaveProperty('table');
  });

  it('a line that is not there (lost with a crash) or altered is not given back: the export says so', async () => {
    const id = await runWithFits([fitBody(1)]);
    const path = join(runDir(dataDir, id), FIT_FILE);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"round":1,', '"round":1,"x":0,'));
    const [fit] = readDocuments(dataDir, id).documents.filter((d): d is FitDoc => d.type === 'fit');
    expect(readFitData(runDir(dataDir, id), fit)).toBeNull();
    expect(() => exported(id, 'response', 'csv')).toThrow(expect.objectContaining({ code: 'RING_ERR_RUN_EXPORT', message: expect.stringMatching(/round 1 are not in its fits-20261130T01\.jsonl/) }));
  });

  it('a torn last line of fits.jsonl is cut off when the run is continued, and reported in the resume document', async () => {
    const first = openRun({ dataDir, identity, newRun: true, logger: silentLogger(), now: () => T0 });
    first.begin({ rig: 'bench', config: {}, delta: 1.5, gamma: 0.25, sweep: { ...config.sweep, sweeps: 0 }, holoringVersion: 'test', gitCommit: null, note: null }, null);
    first.document(fitBody(1));
    await first.close(stopDoc);
    // as after SIGKILL mid-write: no stop document, half a line at the end of fits.jsonl
    const dir = runDir(dataDir, first.id);
    writeFileSync(join(dir, 'documents.jsonl'), readFileSync(join(dir, 'documents.jsonl'), 'utf8').split('\n').filter((l) => l && !l.includes('"type":"stop"')).join('\n') + '\n');
    appendFileSync(join(dir, FIT_FILE), '{"round":2,"r":[0,0.02');
    const second = openRun({ dataDir, identity, logger: silentLogger(), now: () => T0 });
    expect(second.id).toBe(first.id);
    second.begin({ rig: 'bench', config: {}, delta: 1.5, gamma: 0.25, sweep: { ...config.sweep, sweeps: 0 }, holoringVersion: 'test', gitCommit: null, note: null }, null, { frames: 0, lastSeq: null });
    const body = fitBody(2);
    second.document(body);
    await second.close(stopDoc);
    const docs = readDocuments(dataDir, first.id).documents;
    expect(docs.find((d) => d.type === 'resume')).toMatchObject({ tornTails: { [FIT_FILE]: 22 } });
    const fits = docs.filter((d): d is FitDoc => d.type === 'fit');
    expect(fits.map((f) => readFitData(dir, f)?.table.points.length)).toEqual([624, 624]);
    expect(readFitData(dir, fits[1])).toEqual(dataOf(body));
  });

  it('storage.maxBytes counts documents and fit data, and cuts a finished run\'s fit history to its last fit, which still exports', async () => {
    const old = await runWithFits([1, 2, 3, 4].map((n) => fitBody(n)), 'OLD');
    const path = join(runDir(dataDir, old), FIT_FILE);
    const before = statSync(path).size;
    const docsBytes = statSync(join(runDir(dataDir, old), 'documents.jsonl')).size;
    const lastLine = lineBytes(path)[3];
    const r = pruneRuns(dataDir, 1, 'none');
    expect(r.pruned).toEqual([{ run: old, segments: expect.any(Number), bytes: before - lastLine, fitDataBytes: before - lastLine }]);
    expect(r.totalBytes).toBe(docsBytes + lastLine);
    expect(lineBytes(path)).toEqual([lastLine]);
    // the last fit's line moved to the start of the file: found by its round and hash
    expect(parseResponseTable(exported(old, 'response', 'csv')).points).toHaveLength(624);
    expect(JSON.parse(exported(old, 'metric', 'json'))).toMatchObject({ round: 4 });
    expect((JSON.parse(exported(old, 'fits', 'json')) as { f?: unknown }[]).map((f) => f.f !== undefined)).toEqual([false, false, false, true]);
    // once cut, nothing more to prune
    expect(pruneRuns(dataDir, 1, 'none').pruned).toEqual([]);
    expect(existsSync(join(runDir(dataDir, old), 'documents.jsonl'))).toBe(true);
  });

  it('the live run: one file an hour; at each new hour those past storage.fitHistoryHours are cut to their last fit, pointers into the others untouched', async () => {
    const start = Date.parse('2026-11-30T00:10:00Z');
    let t = start;
    const run = openRun({ dataDir, identity, newRun: true, logger: silentLogger(), now: () => t, storage: { fitHistoryHours: 2 } });
    run.begin({ rig: 'bench', config: {}, delta: 1.5, gamma: 0.25, sweep: { ...config.sweep, sweeps: 0 }, holoringVersion: 'test', gitCommit: null, note: null }, null);
    const bodies: DocumentBody<FitDoc>[] = [];
    for (let h = 0; h < 5; h++) {
      for (let i = 0; i < 3; i++) {
        t = start + h * 3_600_000 + i * 60_000;
        bodies.push(fitBody(bodies.length + 1));
        run.document(bodies.at(-1)!);
      }
    }
    await run.close({ ...stopDoc, fits: bodies.length });
    const dir = runDir(dataDir, run.id);
    const files = listFitFiles(dir);
    expect(files.map((f) => f.name)).toEqual([0, 1, 2, 3, 4].map((h) => `fits-20261130T0${h}.jsonl`));
    // at 04:10 the hours before 02:00 keep their last fit; the last two hours and the current one keep every fit
    expect(files.map((f) => lineBytes(f.path).length)).toEqual([1, 1, 3, 3, 3]);
    const fits = readDocuments(dataDir, run.id).documents.filter((d): d is FitDoc => d.type === 'fit');
    expect(fits.map((f) => f.data?.file)).toEqual(bodies.map((_, i) => files[Math.floor(i / 3)].name));
    expect(fits.map((f) => readFitData(dir, f) !== null)).toEqual(bodies.map((_, i) => i >= 6 || i % 3 === 2));
    for (const [i, f] of fits.entries()) if (i >= 6 || i % 3 === 2) expect(readFitData(dir, f)).toEqual(dataOf(bodies[i]));
    // the pointers into the files not thinned hold as written: offset, length and hash
    for (const f of fits.slice(6)) {
      const line = readFileSync(join(dir, f.data!.file)).subarray(f.data!.offset, f.data!.offset + f.data!.bytes).toString('utf8');
      expect(line.endsWith('\n')).toBe(true);
      expect(createHash('sha256').update(line.slice(0, -1)).digest('hex')).toBe(f.data!.sha256);
    }
    expect(summariseRun(dataDir, run.id).fitDataBytes).toBe(files.reduce((a, f) => a + f.bytes, 0));
  });

  it('storage.maxBytes passed by the live run itself: every hour of its fit history but the current one cut to its last fit; once finished, the last fit alone', async () => {
    const start = Date.parse('2026-11-30T00:10:00Z');
    let t = start;
    const run = openRun({ dataDir, identity, newRun: true, logger: silentLogger(), now: () => t, storage: { maxBytes: 1, fitHistoryHours: null } });
    run.begin({ rig: 'bench', config: {}, delta: 1.5, gamma: 0.25, sweep: { ...config.sweep, sweeps: 0 }, holoringVersion: 'test', gitCommit: null, note: null }, null);
    for (let h = 0; h < 3; h++) {
      for (let i = 0; i < 2; i++) {
        t = start + h * 3_600_000 + i * 60_000;
        run.document(fitBody(2 * h + i + 1));
      }
    }
    await run.close({ ...stopDoc, fits: 6 });
    const dir = runDir(dataDir, run.id);
    expect(listFitFiles(dir).map((f) => lineBytes(f.path).length)).toEqual([1, 1, 2]);
    pruneRuns(dataDir, 1, 'none');
    expect(listFitFiles(dir).map((f) => [f.name, lineBytes(f.path).length])).toEqual([['fits-20261130T02.jsonl', 1]]);
    expect(JSON.parse(exported(run.id, 'metric', 'json'))).toMatchObject({ round: 6 });
  });

  it('the InfluxDB projection writes the metric and response points of a fit from fits.jsonl', async () => {
    const body = fitBody(1);
    const id = await runWithFits([body]);
    const batch = await readBatch(runDir(dataDir, id), emptyCursor(), 5000);
    const count = (m: string): number => batch.points.filter((p) => p.measurement === m).length;
    expect([count('fit'), count('metric'), count('response')]).toEqual([1, 321, 624]);
    const at = batch.points.find((p) => p.measurement === 'response' && p.tags?.k === '3')!;
    expect(at.fields).toMatchObject({ chi_re: body.table!.points[3].chiRe, sigma: body.table!.points[3].sigma, round: 1 });
    expect(batch.notes).toEqual([]);
  });
});

describe('runs show: a run whose fits estimate Δ', () => {
  it('says Δ was fitted from its start and gives the last fit\'s Δ ± σ', async () => {
    const { runInProcess } = await import('../support/cli.ts');
    const id = await runWithFits([{ ...fitBody(1), delta: 1.62031, delta_err: 4.2e-5 }], 'E-DELTA');
    expect(summariseRun(dataDir, id).lastFit).toMatchObject({ delta: 1.62031, delta_err: 4.2e-5 });
    const r = await runInProcess(['runs', 'show', id, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Δ fitted from 1\.5, γ = 0\.25/);
    expect(r.stdout).toMatch(/reduced χ² [0-9.]+ from 624 points, Δ = 1\.62031 ± 0\.000042/);
    const fixed = await runWithFits([fitBody(1)], 'E-FIXED');
    expect((await runInProcess(['runs', 'show', fixed, '--data-dir', dataDir])).stdout).toMatch(/Δ = 1\.5, γ/);
  });
});
