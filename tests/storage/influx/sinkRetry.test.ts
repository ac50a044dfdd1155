import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPoint, InfluxDB } from 'influx';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { loadCursor } from '../../../src/storage/influx/cursor.ts';
import { createInfluxSink } from '../../../src/storage/influx/sink.ts';
import { runWriter } from './runWriter.ts';
import { waitFor } from './waitFor.ts';

/** A stand-in for the `influx` client (unit test): answers each write from a script of outcomes. */
function scriptedClient(script: ('ok' | 'down' | 'hang' | 400 | 404)[]) {
  const writes: IPoint[][] = [];
  const attempts: IPoint[][] = [];
  const dbs = new Set<string>();
  let created = 0;
  const httpError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { res: { statusCode: code } });
  const client = {
    getDatabaseNames: async () => [...dbs],
    createDatabase: async (name: string) => {
      dbs.add(name);
      created++;
    },
    writePoints: async (points: IPoint[]) => {
      attempts.push(points);
      const next = script.shift() ?? 'ok';
      // a reply whose body never ends (the server went away mid-answer): the client's promise never settles
      if (next === 'hang') return new Promise<void>(() => undefined);
      if (next === 'down') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (next === 404) {
        dbs.clear();
        throw httpError(404);
      }
      if (next === 400) throw httpError(400);
      writes.push(points);
    },
  };
  return { client: client as unknown as InfluxDB, writes, attempts, created: () => created };
}

const target = { url: 'http://127.0.0.1:9', database: 'db', batchSize: 10, flushMs: 10 };

describe('InfluxDB sink retries (scripted client)', () => {
  it('retries a batch through an outage with growing backoff, then writes it once, in order', async () => {
    const w = runWriter(mkdtempSync(join(tmpdir(), 'holoring-retry-')), 'R1');
    w.segment('frames-000001.jsonl');
    w.frames(25);
    const s = scriptedClient(['ok', 'down', 'down', 'down']);
    const sink = createInfluxSink({ runDir: w.dir, target, logger: silentLogger(), client: s.client, backoff: { initialMs: 5, maxMs: 20 } });
    await sink.start();
    await waitFor('all frames', () => (sink.status().written.frame ?? 0) === 25);
    await sink.stop();
    expect(sink.status().retries).toBe(3);
    expect(sink.status().lastError).toMatch(/ECONNREFUSED/);
    expect(s.created()).toBe(1);
    const seqs = s.writes.flat().map((p) => p.fields!.seq);
    expect(seqs).toEqual([...Array(25).keys()]);
    expect((await loadCursor(w.dir)).cursor.written).toEqual({ frame: 25 });
  });

  it('creates the database again when it vanished (404) and skips points the server refuses (400), counting them', async () => {
    const w = runWriter(mkdtempSync(join(tmpdir(), 'holoring-retry-')), 'R2');
    w.segment('frames-000001.jsonl');
    w.frames(30);
    const s = scriptedClient(['ok', 404, 400]);
    const sink = createInfluxSink({ runDir: w.dir, target, logger: silentLogger(), client: s.client, backoff: { initialMs: 1, maxMs: 1 } });
    await sink.start();
    await waitFor('the whole run', () => sink.status().backlogBytes === 0 && sink.status().pendingPoints === 0 && (sink.status().written.frame ?? 0) === 30);
    await sink.stop();
    expect(s.created()).toBe(2);
    expect(sink.status().rejected).toBe(10);
    // the refused batch is not written again; the others are written once
    expect(s.writes.flat()).toHaveLength(20);
  });

  it('retries a write the client never settles (a reply cut off after an outage) instead of waiting for it forever, health points included', async () => {
    const w = runWriter(mkdtempSync(join(tmpdir(), 'holoring-retry-')), 'R4');
    w.segment('frames-000001.jsonl');
    w.frames(25);
    const s = scriptedClient(['ok', 'hang', 'down', 'hang']);
    const sink = createInfluxSink({ runDir: w.dir, target, logger: silentLogger(), client: s.client, requestTimeoutMs: 5, backoff: { initialMs: 1, maxMs: 2 } });
    sink.recordHealth({ frames: 7 });
    await sink.start();
    await waitFor('the whole run', () => sink.status().backlogBytes === 0 && sink.status().pendingPoints === 0 && (sink.status().written.frame ?? 0) === 25);
    sink.recordHealth({ frames: 8 });
    await waitFor('the second health point', () => (sink.status().written.health ?? 0) === 2);
    await sink.stop();
    expect(sink.status()).toMatchObject({ retries: 3, pendingPoints: 0, healthQueued: 0 });
    expect(sink.status().lastError).toMatch(/no complete answer within 10 ms/);
    // every frame and both health points acknowledged once, in order
    expect(s.writes.flat().filter((p) => p.measurement === 'frame').map((p) => p.fields!.seq)).toEqual([...Array(25).keys()]);
    expect(s.writes.flat().filter((p) => p.measurement === 'health').map((p) => p.fields!.frames)).toEqual([7, 8]);
  });

  it('puts the health points of a batch it gives up on at stop back in the queue', async () => {
    const w = runWriter(mkdtempSync(join(tmpdir(), 'holoring-retry-')), 'R5');
    const s = scriptedClient(Array(1000).fill('hang'));
    let t = 1_764_417_600_000;
    const sink = createInfluxSink({ runDir: w.dir, target, logger: silentLogger(), client: s.client, requestTimeoutMs: 1, now: () => (t += 1000), backoff: { initialMs: 1, maxMs: 1 }, drainMs: 0 });
    sink.recordHealth({ frames: 1 });
    sink.recordHealth({ frames: 2 });
    await sink.start();
    await waitFor('a failed attempt', () => sink.status().retries > 0);
    await sink.stop();
    expect(s.writes).toHaveLength(0);
    expect(sink.status()).toMatchObject({ healthQueued: 2, healthDropped: 0, pendingPoints: 0 });
  });

  it('keeps at most maxHealthPoints health points while the server is away, counting what it drops', async () => {
    const w = runWriter(mkdtempSync(join(tmpdir(), 'holoring-retry-')), 'R3');
    const s = scriptedClient(Array(1000).fill('down'));
    let t = 1_764_417_600_000;
    const sink = createInfluxSink({ runDir: w.dir, target, logger: silentLogger(), client: s.client, maxHealthPoints: 3, now: () => (t += 1000), backoff: { initialMs: 1, maxMs: 2 }, drainMs: 0 });
    for (let i = 0; i < 5; i++) sink.recordHealth({ frames: i });
    expect(sink.status()).toMatchObject({ healthQueued: 3, healthDropped: 2 });
    await sink.start();
    await waitFor('a failed attempt', () => sink.status().retries > 0);
    await sink.stop();
    // the newest three were kept and offered, in order, with the run's tags
    expect(s.writes).toHaveLength(0);
    const offered = s.attempts[0].filter((p) => p.measurement === 'health');
    expect(offered.map((p) => p.fields!.frames)).toEqual([2, 3, 4]);
    expect(offered[0].tags).toEqual({ rig: 'bench-a', run: 'R3', device: 'SIM-7' });
  });
});
