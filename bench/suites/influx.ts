import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPoint } from 'influx';
import type { BenchRow } from '../harness.ts';
import type { BenchSuite } from '../run.ts';
import { silentLogger } from '../../src/log.ts';
import { emptyCursor } from '../../src/storage/influx/cursor.ts';
import { readBatch } from '../../src/storage/influx/projection.ts';
import { createInfluxSink } from '../../src/storage/influx/sink.ts';
import { influxClient } from '../../src/storage/influx/target.ts';
import { hasCommand } from '../../tests/support/components.ts';
import { startInfluxd } from '../../tests/support/influxd.ts';
import { runWriter } from '../../tests/storage/influx/runWriter.ts';

/**
 * InfluxDB write rate through the sink (journal segments → cursor → points →
 * batched writes → cursor saved) against plain `writePoints` of the same,
 * already encoded points in the same batches, on a real influxd (Debian's
 * influxdb). 64-site frames: one point with 135 fields each.
 */
const FRAMES = 4000;
const BATCH = 1000;
const REPEATS = 3;

async function median(xs: number[]): Promise<number> {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export const suite: BenchSuite = {
  name: 'influx',
  cases: async () => {
    if (!hasCommand('influxd')) {
      process.stderr.write('  influxd not installed: influx bench skipped (Debian: apt-get install influxdb)\n');
      return [];
    }
    return [
      async (): Promise<BenchRow> => {
        const server = await startInfluxd();
        const root = mkdtempSync(join(tmpdir(), 'holoring-bench-influx-'));
        try {
          const w = runWriter(root, '20261129T120000Z-b000', { sites: 64 });
          w.segment('frames-000001.jsonl');
          w.frames(FRAMES);
          // the same points, encoded once, for the plain writes
          const points: IPoint[] = [];
          for (let c = emptyCursor(); ;) {
            const b = await readBatch(w.dir, c, BATCH);
            if (b.points.length === 0) break;
            points.push(...b.points);
            c = b.next;
          }
          const plainRates: number[] = [];
          const sinkRates: number[] = [];
          for (let rep = 0; rep < REPEATS; rep++) {
            const plainTarget = { url: server.url, database: `plain_${rep}`, batchSize: BATCH, flushMs: 10 };
            const client = influxClient(plainTarget);
            await client.createDatabase(plainTarget.database);
            let t0 = performance.now();
            for (let i = 0; i < points.length; i += BATCH) await client.writePoints(points.slice(i, i + BATCH), { precision: 'n' });
            plainRates.push(points.length / ((performance.now() - t0) / 1000));

            rmSync(join(w.dir, 'influx.cursor.json'), { force: true });
            const sinkTarget = { url: server.url, database: `sink_${rep}`, batchSize: BATCH, flushMs: 10 };
            await influxClient(sinkTarget).createDatabase(sinkTarget.database);
            const sink = createInfluxSink({ runDir: w.dir, target: sinkTarget, logger: silentLogger() });
            t0 = performance.now();
            await sink.start();
            while ((sink.status().written.frame ?? 0) < FRAMES) await new Promise((r) => setTimeout(r, 2));
            sinkRates.push(FRAMES / ((performance.now() - t0) / 1000));
            await sink.stop();
          }
          const plain = await median(plainRates);
          const through = await median(sinkRates);
          return {
            name: 'InfluxDB writes through the sink, 64-site frames',
            value: through, unit: 'points/s', baseline: plain, ratio: through / plain,
            median: through, min: Math.min(...sinkRates), max: Math.max(...sinkRates),
            note: `baseline: plain writePoints of the same ${FRAMES} encoded points in batches of ${BATCH} (ratio = speed relative to it; median of ${REPEATS})`,
          };
        } finally {
          await server.dispose();
          rmSync(root, { recursive: true, force: true });
        }
      },
    ];
  },
};
