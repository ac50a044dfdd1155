/**
 * Scenario 4: InfluxDB stopped mid-run, with the daemon as a child process on
 * the emulator over a pty and a real influxd. "Several minutes" are scaled
 * down: the emulator runs 10× fast (200 frames/s of 16 sites), so a 20 s
 * outage holds ≈ 4 000 frames, what a 20 Hz device sends in 3–4 minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LinkRig, socatAvailable, startLinkRig } from '../support/childDaemon.ts';
import { type Influxd, influxdAvailable, startInfluxd } from '../support/influxd.ts';

const OUTAGE_MS = 20_000;
const BATCH = 500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface InfluxView { state: string; backlogBytes: number; pendingPoints: number; pointsWritten: number; healthQueued: number; healthDropped: number; retries: number; lastError: string | null }

/** One number of the Prometheus text at /metrics. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe.skipIf(!socatAvailable() || !influxdAvailable())('scenario 4: InfluxDB stopped for a while mid-run', () => {
  let server: Influxd;
  let rig: LinkRig | null = null;
  beforeAll(async () => {
    server = await startInfluxd();
  }, 60_000);
  afterAll(async () => {
    await rig?.dispose();
    await server?.dispose();
  });

  it('loses nothing: the backlog shows in the status, /metrics and the alarm, memory stays bounded, and the journal is back-filled on recovery', async () => {
    rig = await startLinkRig({
      emulator: ['--speed', '10', '--rate', '20'],
      config: {
        storage: { influx: { url: server.url, database: 'outage', batchSize: BATCH, flushMs: 200 } },
        alarms: { evaluateMs: 200, influxBacklog: { maxMB: 0.25 } },
      },
    });
    const d = rig.daemon;
    const influx = async (): Promise<InfluxView> => (await d.status()).influx as InfluxView;
    await d.waitFor('frames written to InfluxDB', (s) => ((s.influx as InfluxView | null)?.pointsWritten ?? 0) > 100, 30_000);
    const rssBefore = await metric(d.url, 'holoring_process_resident_memory_bytes');
    const framesBefore = (await d.status()).pipeline.frames;

    await server.stop();
    const outageStart = Date.now();
    const during: InfluxView[] = [];
    while (Date.now() - outageStart < OUTAGE_MS) {
      during.push(await influx());
      await sleep(500);
    }
    const raised = await d.waitForAlarm('influxBacklog', 'raised', 10_000);
    const backlogMetric = await metric(d.url, 'holoring_influx_backlog_bytes');
    const framesDuring = (await d.status()).pipeline.frames - framesBefore;
    const rssDuring = await metric(d.url, 'holoring_process_resident_memory_bytes');
    await server.start();

    // back: the backlog drains, the alarm clears (latched until acknowledged)
    await d.waitFor('backlog written', (s) => (s.influx as InfluxView).backlogBytes === 0 && (s.influx as InfluxView).state !== 'retrying', 60_000);
    const cleared = await d.waitForAlarm('influxBacklog', 'cleared', 10_000);
    const exit = await d.stop();
    await rig.stopEmulator();
    expect(exit.code).toBe(0);

    // the outage was seen, and the backlog grew through it
    const peak = Math.max(...during.map((s) => s.backlogBytes));
    expect(during.some((s) => s.state === 'retrying' && s.lastError !== null)).toBe(true);
    expect(peak).toBeGreaterThan(0.25 * 2 ** 20);
    expect(backlogMetric).toBeGreaterThan(0.25 * 2 ** 20);
    expect(raised.value).toBeGreaterThan(0.25);
    expect(raised.message).toMatch(/MiB of the run are not yet written to InfluxDB/);
    expect(cleared.active).toBe(false);
    // memory: at most one batch in flight and a bounded queue of health points, whatever the backlog
    expect(Math.max(...during.map((s) => s.pendingPoints))).toBeLessThanOrEqual(BATCH);
    expect(Math.max(...during.map((s) => s.healthQueued))).toBeLessThanOrEqual(360);
    expect(rssDuring / rssBefore).toBeLessThan(1.5);
    // nothing lost: every journaled frame is in InfluxDB exactly once
    const journaled = d.frames().length;
    expect(framesDuring).toBeGreaterThan(1000);
    const runId = d.runId();
    const q = await server.query('outage', `SELECT COUNT("seq") FROM "frame" WHERE "run" = '${runId}'`);
    expect(Number(q.results[0].series![0].values[0][1])).toBe(journaled);
    const distinct = await server.query('outage', `SELECT COUNT(DISTINCT("seq")) FROM "frame" WHERE "run" = '${runId}'`);
    expect(Number(distinct.results[0].series![0].values[0][1])).toBe(journaled);
    const docs = d.documents();
    expect(docs.filter((x) => x.type === 'alarm' && (x as unknown as { rule: string }).rule === 'influxBacklog').map((x) => (x as unknown as { state: string }).state)).toEqual(['raised', 'cleared']);
    process.stderr.write(`scenario 4: ${journaled} frames journaled, ${framesDuring} during a ${OUTAGE_MS / 1000} s outage; peak backlog ${(peak / 2 ** 20).toFixed(2)} MiB, pending ≤ ${Math.max(...during.map((s) => s.pendingPoints))} points; RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssDuring / 2 ** 20).toFixed(0)} MiB\n`);
  }, 150_000);
});
