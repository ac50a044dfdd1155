import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { CURSOR_FILE } from '../../../src/storage/influx/cursor.ts';
import { type InfluxSink, createInfluxSink } from '../../../src/storage/influx/sink.ts';
import { type Influxd, influxdAvailable, startInfluxd } from '../../support/influxd.ts';
import { fitDoc, runWriter } from './runWriter.ts';
import { waitFor } from './waitFor.ts';

const hasInfluxd = influxdAvailable();

/** COUNT(field) per group of a query, as {group tag value: count}. */
async function counts(server: Influxd, db: string, q: string, tag?: string): Promise<Record<string, number>> {
  const r = await server.query(db, q);
  const out: Record<string, number> = {};
  for (const s of r.results[0].series ?? []) out[tag ? s.tags![tag] : s.name] = Number(s.values[0][1]);
  return out;
}

describe.skipIf(!hasInfluxd)('InfluxDB sink against a real influxd', () => {
  let server: Influxd;
  let root: string;
  beforeAll(async () => {
    server = await startInfluxd();
    root = mkdtempSync(join(tmpdir(), 'holoring-sink-'));
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const target = (database: string) => ({ url: server.url, database, batchSize: 200, flushMs: 50 });

  it('creates the database, and after an outage mid-run back-fills in order: nothing lost, nothing duplicated', async () => {
    const w = runWriter(root, '20261129T120000Z-aaaa');
    const db = 'outage';
    w.segment('calibration-000001.jsonl');
    w.frames(20);
    w.segment('frames-000001.jsonl');
    w.frames(100);
    const sink = createInfluxSink({ runDir: w.dir, target: target(db), logger: silentLogger(), backoff: { initialMs: 50, maxMs: 400 } });
    await sink.start();
    await waitFor('the first frames written', () => (sink.status().written.frame ?? 0) === 120);
    expect(sink.status().databaseCreated).toBe(true);

    await server.stop();
    w.frames(300);
    w.doc(fitDoc(1, '2026-11-29T12:00:30Z', { radii: 11, omegas: 4, ks: 3 }));
    w.frames(50);
    await waitFor('the sink to notice the outage', () => sink.status().retries >= 3);
    const down = sink.status();
    expect(down.state).toBe('retrying');
    expect(down.lastError).toBeTruthy();
    // memory stays bounded by one batch however long the outage
    expect(down.pendingPoints).toBeLessThanOrEqual(200 + 11 + 12 + 1);
    expect(down.backlogBytes).toBeGreaterThan(0);
    w.segment('frames-000002.jsonl');
    w.frames(30);

    await server.start();
    w.frames(50);
    await waitFor('the back-fill', () => (sink.status().written.frame ?? 0) === 550 && sink.status().backlogBytes === 0);
    await sink.stop();
    expect(sink.status().state).toBe('stopped');

    const run = w.runId;
    const q = (m: string, f: string, by = '') => `SELECT COUNT(${f}) FROM ${m} WHERE run = '${run}' ${by}`;
    expect(await counts(server, db, q('frame', 'seq', 'GROUP BY stage'), 'stage')).toEqual({ calibration: 20, acquisition: 530 });
    // every frame once: as many distinct sequence numbers as frames (the second segment's device restarted at 0)
    const distinct = await server.query(db, `SELECT COUNT(DISTINCT(seq)) FROM frame WHERE run = '${run}' AND time < ${BigInt(Date.parse('2026-11-29T12:00:00Z')) * 1_000_000n + 520n * 50_000_000n}`);
    expect(Number(distinct.results[0].series![0].values[0][1])).toBe(520);
    expect(await counts(server, db, q('fit', 'chi2'))).toEqual({ fit: 1 });
    expect(await counts(server, db, q('metric', 'f'))).toEqual({ metric: 11 });
    expect(await counts(server, db, q('response', 'chi_re'))).toEqual({ response: 12 });
    const tagged = await server.query(db, `SHOW TAG VALUES FROM frame WITH KEY IN ("rig", "device")`);
    expect(tagged.results[0].series![0].values).toEqual([['device', 'SIM-7'], ['rig', 'bench-a']]);

    // written again from scratch (cursor lost): the same points overwrite themselves
    rmSync(join(w.dir, CURSOR_FILE));
    const again: InfluxSink = createInfluxSink({ runDir: w.dir, target: target(db), logger: silentLogger() });
    await again.start();
    await waitFor('the rewrite', () => (again.status().written.frame ?? 0) === 550);
    await again.stop();
    expect(await counts(server, db, q('frame', 'seq', 'GROUP BY stage'), 'stage')).toEqual({ calibration: 20, acquisition: 530 });
    expect(await counts(server, db, q('metric', 'f'))).toEqual({ metric: 11 });
  }, 90_000);
});
