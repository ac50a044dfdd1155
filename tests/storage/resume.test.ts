import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimRingDevice } from '../../drivers/sim/device.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { parseConfig } from '../../src/config/schema.ts';
import { createDaemon } from '../../src/daemon/daemon.ts';
import { type MetricTrainer, createLiveTrainer } from '../../src/daemon/trainer.ts';
import { loadMetricFile } from '../../src/physics/metric.ts';
import { parseCheckpoint } from '../../src/model/index.ts';
import { parseResponseTable } from '../../src/io/responseTable.ts';
import { parseFramesFile } from '../../src/io/framesFile.ts';
import { silentLogger } from '../../src/log.ts';
import { exportRun } from '../../src/storage/export.ts';
import { type FitDoc, type StopDoc, listRunIds, readDocuments, readFitData, readRunFrames, runDir } from '../../src/storage/index.ts';
import { openRun } from '../../src/storage/run.ts';
import { summariseRun } from '../../src/storage/summary.ts';
import { runCli } from '../support/cli.ts';

const config = parseConfig({ physics: { kMax: 4 }, sweep: { start: 0.5, stop: 6, step: 0.5, dwellMs: 200 }, model: { layers: 200, nodes: 16 }, sweeps: 1 });
const logger = silentLogger();

/** One daemon session on the simulated ring SIM-6 with a live trainer; returns its status. */
async function session(dataDir: string, seed: number, trainer: MetricTrainer) {
  const device = new SimRingDevice({ sim: new RingSimulator({ seed }), rate: 100, speed: 50, identity: { serial: 'SIM-6' } });
  const daemon = createDaemon(config, {
    device, logger, trainer, resolveRecord: async () => null,
    openRun: (identity) => openRun({ dataDir, identity, storage: config.storage, logger }),
    runInfo: { note: 'resume test', gitCommit: null },
  });
  await daemon.start();
  await daemon.done;
  await device.close();
  return daemon.status();
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

describe('a run interrupted and continued', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'holoring-resume-'));
  let id = '';

  it('continues the same run: a resume document, the journal replayed into the response table, the trainer warm-started from the checkpoint', async () => {
    const first = await session(dataDir, 6, await createLiveTrainer({ delta: 1.5, layers: 200, nodes: 16 }));
    id = first.run!.id;
    expect(first.state).toBe('stopped');
    const docsPath = join(runDir(dataDir, id), 'documents.jsonl');
    // as if killed before the stop: the stop document is gone and a line was cut mid-write
    const lines = readFileSync(docsPath, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines.pop()!).type).toBe('stop');
    writeFileSync(docsPath, lines.join('\n') + '\n');
    appendFileSync(docsPath, '{"type":"fi');
    const checkpoint = JSON.parse(readFileSync(join(runDir(dataDir, id), 'checkpoint.json'), 'utf8'));
    expect(parseCheckpoint(checkpoint).nodes).toBe(16);
    const journaledBefore = readRunFrames(dataDir, id).frames.length;

    const live = await createLiveTrainer({ delta: 1.5, layers: 200, nodes: 16 });
    const warm: unknown[] = [];
    const trainer: MetricTrainer = { backend: live.backend, fit: (p) => live.fit(p), dispose: () => live.dispose(), reset: () => live.reset(), warmStart: (cp) => { warm.push(cp); live.warmStart(cp); } };
    const second = await session(dataDir, 7, trainer);
    expect(second.run).toEqual({ id, dir: runDir(dataDir, id), resumed: true });
    // the journal was replayed in slices, its progress in the status
    expect(second.replay).toMatchObject({ done: true, frames: journaledBefore });
    expect(second.replay!.bytes).toBe(second.replay!.totalBytes);
    expect(listRunIds(dataDir)).toEqual([id]);
    expect(warm).toEqual([checkpoint]);
    const { documents, tornBytes } = readDocuments(dataDir, id);
    expect(tornBytes).toBe(0);
    const resume = documents.find((d) => d.type === 'resume');
    expect(resume).toMatchObject({ replayedFrames: journaledBefore, tornTails: { 'documents.jsonl': 11 }, checkpoint: true, previousStop: 'interrupted' });
    expect(documents.filter((d) => d.type === 'gap' && d.cause === 'downtime')).toHaveLength(1);
    // rounds continue, and round 2 fitted a table built from both sessions' frames (σ of means over twice the frames)
    const fits = documents.filter((d): d is FitDoc => d.type === 'fit');
    expect(fits.map((f) => f.round)).toEqual([1, 2]);
    // each fit's table is in fits.jsonl (written by both sessions), the document pointing at its line
    const [t1, t2] = fits.map((f) => readFitData(runDir(dataDir, id), f)!.table.points);
    expect(fits.every((f) => f.table === undefined && /^fits-\d{8}T\d{2}\.jsonl$/.test(f.data?.file ?? ''))).toBe(true);
    expect(t2).toHaveLength(t1.length);
    expect(median(t2.map((p, i) => p.sigma / t1[i].sigma))).toBeLessThan(0.9);
    const s = summariseRun(dataDir, id);
    expect(s).toMatchObject({ state: 'stopped', sessions: 2, resumes: 1, fits: 2, lastFit: { round: 2 }, frames: { journaled: readRunFrames(dataDir, id).frames.length } });
    expect(s.frames.received).toBe(s.frames.journaled);
  }, 120_000);

  it('--new-run starts a new run even after an interruption', () => {
    const identity = { model: 'HOLORING-SIM', serial: 'SIM-6', firmware: '1', protocolVersion: '1.0' };
    const fresh = openRun({ dataDir, identity, newRun: true, logger });
    expect(fresh.id).not.toBe(id);
    expect(fresh.resumed).toBeNull();
    void fresh.close({ status: 'stopped', frames: { received: 0, journaled: 0, skipped: {}, missing: {}, duplicates: 0 }, calibrationFrames: 0, gaps: 0, sweeps: 0, fits: 0, durationMs: 0 });
  });

  it('exports the metric (a metric table and a checkpoint), the fits, the response table and the frames', () => {
    const out = (what: 'metric' | 'fits' | 'response' | 'frames', format: 'csv' | 'json') => {
      let text = '';
      exportRun(dataDir, id, what, format, (t) => (text += t));
      return text;
    };
    const metricFile = join(dataDir, 'metric.json');
    writeFileSync(metricFile, out('metric', 'json'));
    expect(loadMetricFile(metricFile).kind).toBe('table');
    expect(parseCheckpoint(JSON.parse(readFileSync(metricFile, 'utf8'))).nodes).toBe(16);
    expect(out('metric', 'csv').split('\n')[0]).toBe('r,f,g,f_err,g_err,resolution');
    expect(out('fits', 'csv').trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(out('fits', 'json'))).toHaveLength(2);
    expect(parseResponseTable(out('response', 'csv')).points.length).toBeGreaterThan(0);
    expect(parseFramesFile(out('frames', 'json')).frames).toEqual(readRunFrames(dataDir, id).frames);
    expect(out('frames', 'csv').trim().split('\n')).toHaveLength(readRunFrames(dataDir, id).frames.length + 1);
  });

  it('holoring runs show ID --json', () => {
    const r = runCli(['runs', 'show', id.slice(0, 18), '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ state: 'stopped', fits: 2, resumes: 1, lastFit: { round: 2 }, start: { note: 'resume test' } });
    expect(Object.keys(s.frames).sort()).toEqual(['calibration', 'duplicates', 'firstSeq', 'journaled', 'lastSeq', 'missing', 'received', 'skipped']);
    // the device's numbering: the first session's first frame, the last session's last frame
    const stops = readDocuments(dataDir, id).documents.filter((d): d is StopDoc => d.type === 'stop');
    expect(s.frames.firstSeq).toBe(stops[0].frames.firstSeq);
    expect(s.frames.lastSeq).toBe(stops.at(-1)!.frames.lastSeq);
    expect(s.frames.lastSeq).toBe(readRunFrames(dataDir, id).frames.at(-1)!.seq);
    const bad = runCli(['runs', 'show', 'nope', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/RING_ERR_RUN_NOT_FOUND: no run "nope"/);
  });
});
