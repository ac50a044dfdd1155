import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AlarmEngine, type AlarmInputs, diskFreeBytes, hawkingPageBound, webhookSink } from '../../src/alarms/index.ts';
import { AlarmsConfigSchema } from '../../src/config/alarms.ts';
import { ConfigSchema, parseConfig } from '../../src/config/schema.ts';
import { hawkingPageKelvin, reducedTemperature } from '../../src/physics/temperature.ts';
import { silentLogger } from '../../src/log.ts';
import { alarmsConfig } from './helpers.ts';

/** An engine on a virtual clock: `at(seconds, inputs)` evaluates at that time. */
function clocked(over: Parameters<typeof alarmsConfig>[0] = {}) {
  const scheduler = new VirtualTimeScheduler();
  const engine = new AlarmEngine(alarmsConfig(over), { scheduler });
  const at = (s: number, inputs: AlarmInputs) => {
    scheduler.frame = s * 1000;
    engine.evaluate(inputs);
    return engine.alarms().map((a) => a.rule);
  };
  return { engine, at };
}

describe('alarm rules', () => {
  it('checksum error rate over a sliding window (5% of frames raises at a 2% bound, 1% does not)', () => {
    const { engine, at } = clocked({ checksumRate: { maxFraction: 0.02, windowSeconds: 60 } });
    // 20 frames/s, 1% rejected, for two minutes
    for (let s = 0; s <= 120; s++) expect(at(s, { framesAccepted: 20 * s, checksumErrors: Math.floor(0.2 * s) })).toEqual([]);
    // then 5%: raised once the window holds enough of it
    let raisedAt = -1;
    for (let s = 121; s <= 240 && raisedAt < 0; s++) {
      if (at(s, { framesAccepted: 2400 + 19 * (s - 120), checksumErrors: 24 + (s - 120) }).includes('checksumRate')) raisedAt = s;
    }
    expect(raisedAt).toBeGreaterThan(121);
    expect(raisedAt).toBeLessThan(181);
    expect(engine.alarms()[0].message).toMatch(/failed their checksum/);
  });

  it('sequence gaps: more than maxMissing frames missing within the window', () => {
    const { at } = clocked({ sequenceGaps: { maxMissing: 10, windowSeconds: 60 } });
    expect(at(0, { missingFrames: 0 })).toEqual([]);
    expect(at(30, { missingFrames: 10 })).toEqual([]);
    expect(at(40, { missingFrames: 21 })).toEqual(['sequenceGaps']);
    // a minute later no new frame went missing: condition gone, alarm latched as cleared
    const { engine, at: at2 } = clocked();
    at2(0, { missingFrames: 0 });
    at2(10, { missingFrames: 50 });
    at2(100, { missingFrames: 50 });
    expect(engine.alarms()).toMatchObject([{ rule: 'sequenceGaps', state: 'cleared', value: 50 }]);
  });

  it('the Hawking–Page point in kelvin is ħv/(k_B·L), i.e. T = 1/2π in units v/R (physics.md §2, §6)', () => {
    const L = 2 * Math.PI * 1e-6; // R = 1 µm
    const thp = hawkingPageKelvin(1e4, L);
    expect(thp).toBeCloseTo((1.054571817e-34 * 1e4) / (1.380649e-23 * L), 18);
    expect(thp * 1e3).toBeCloseTo(12.16, 2); // mK, as physics.md §6 says
    expect(reducedTemperature(thp, 1e4, L)).toBeCloseTo(1 / (2 * Math.PI), 12);
    // a BTZ sample with r_h = 1.5 (physics.md §9) is at T = r_h/2π
    expect(reducedTemperature(1.5 * thp, 1e4, L) * 2 * Math.PI).toBeCloseTo(1.5, 12);
    expect(() => hawkingPageKelvin(Number.NaN, L)).toThrow(expect.objectContaining({ code: 'RING_ERR_NON_FINITE' }));
  });

  it('sample temperature above the Hawking–Page point, from the rig scale or a direct bound; silent without either', () => {
    const L = 2 * Math.PI * 1e-6;
    const rig = { velocityMps: 1e4, circumferenceM: L };
    expect(hawkingPageBound(alarmsConfig({ sampleTemperature: rig }).sampleTemperature)).toBeCloseTo(hawkingPageKelvin(1e4, L), 15);
    const { engine, at } = clocked({ sampleTemperature: rig });
    expect(at(0, { temperatureK: 0.01 })).toEqual([]); // the simulator's 10 mK: below 12.2 mK
    expect(at(1, { temperatureK: 0.013 })).toEqual(['sampleTemperature']);
    expect(engine.alarms()[0].message).toMatch(/13\.0 mK, above the Hawking–Page point 12\.2 mK/);
    expect(clocked({ sampleTemperature: { hawkingPageK: 0.005 } }).at(0, { temperatureK: 0.01 })).toEqual(['sampleTemperature']);
    expect(clocked().at(0, { temperatureK: 100 })).toEqual([]);
  });

  it('fit reduced χ², InfluxDB backlog, disk space, journal shortfall, calibration age', () => {
    const { at } = clocked({ fitChi2: { max: 2 }, influxBacklog: { maxMB: 1 }, diskSpace: { minFreeMB: 10 }, journalShortfall: { maxFrames: 0 }, calibrationAge: { maxDays: 30 } });
    const t0 = Date.parse('2026-11-29T00:00:00Z') / 1000;
    const fresh = { version: 'cal-1', createdAt: '2026-11-20T00:00:00Z' };
    expect(at(t0, { fit: { round: 1, chi2: 1.9 }, influxBacklogBytes: 2 ** 20, diskFreeBytes: 10 * 2 ** 20, journalShortfall: 0, calibration: fresh })).toEqual([]);
    expect(at(t0 + 1, { fit: { round: 2, chi2: 2.5 }, influxBacklogBytes: 2 ** 20 + 1, diskFreeBytes: 10 * 2 ** 20 - 1, journalShortfall: 1, calibration: { version: 'cal-0', createdAt: '2026-10-01T00:00:00Z' } }))
      .toEqual(['fitChi2', 'influxBacklog', 'diskSpace', 'journalShortfall', 'calibrationAge']);
  });

  it('every configuration key an alarm names exists; a sample above T_HP is pointed at the horizon network (model.geometry)', () => {
    const { engine, at } = clocked({ sampleTemperature: { hawkingPageK: 0.005 }, fitChi2: { max: 2 }, influxBacklog: { maxMB: 1 }, diskSpace: { minFreeMB: 10 }, journalShortfall: { maxFrames: 0 }, calibrationAge: { maxDays: 30 } });
    at(0, { framesAccepted: 0, checksumErrors: 0, missingFrames: 0 });
    const raised = at(Date.parse('2026-11-29T00:00:00Z') / 1000, {
      temperatureK: 0.01, fit: { round: 2, chi2: 2.5 }, influxBacklogBytes: 2 ** 21, diskFreeBytes: 1, journalShortfall: 1,
      calibration: { version: 'cal-0', createdAt: '2026-10-01T00:00:00Z' }, framesAccepted: 100, checksumErrors: 50, missingFrames: 500,
    });
    expect(raised).toEqual(expect.arrayContaining(['sampleTemperature', 'fitChi2', 'influxBacklog', 'diskSpace', 'journalShortfall', 'calibrationAge']));
    const text = engine.alarms().map((a) => `${a.message} ${a.action}`).join('\n');
    const keys = [...new Set(text.match(/\b(?:device|physics|sweep|calibration|storage|model|server|alarms)\.[A-Za-z]+(?:\.[A-Za-z]+)*/g) ?? [])];
    expect(keys).toContain('model.geometry');
    for (const key of keys) {
      const input = key.split('.').reduceRight<unknown>((v, k) => ({ [k]: v }), 'x');
      const unknown = (ConfigSchema.safeParse(input).error?.issues ?? []).filter((i) => i.code === 'unrecognized_keys');
      expect(unknown, `${key} is not a configuration key`).toEqual([]);
    }
    expect(engine.alarms().find((a) => a.rule === 'sampleTemperature')!.action).toMatch(/model\.geometry "auto".*"horizon"/);
  });

  it('a discarded (diverged) round raises the fit alarm even below the χ² bound; the next kept round clears it', () => {
    const { engine, at } = clocked({ fitChi2: { max: 3 } });
    expect(at(1, { fit: { round: 1, chi2: 1.1 } })).toEqual([]);
    expect(at(2, { fit: { round: 2, chi2: 2.5, discarded: true } })).toEqual(['fitChi2']);
    expect(engine.alarms()[0].message).toMatch(/round 2 diverged \(reduced χ² 2\.50\) and was discarded; the last good estimate is kept/);
    at(3, { fit: { round: 2, chi2: Number.NaN, discarded: true } });
    expect(engine.alarms()[0]).toMatchObject({ state: 'raised' });
    at(4, { fit: { round: 2, chi2: 1.0 } });
    // latched: cleared, awaiting acknowledgement
    expect(engine.alarms()[0]).toMatchObject({ rule: 'fitChi2', state: 'cleared', active: false });
  });

  it('diskFreeBytes reads the file system, null for a path that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-disk-'));
    expect(await diskFreeBytes(dir)).toBeGreaterThan(0);
    expect(await diskFreeBytes(join(dir, 'nope', 'nope'))).toBeNull();
  });

  it('configuration: defaults documented in the schema, bad values refused with their path', () => {
    const c = parseConfig({});
    expect(c.alarms).toMatchObject({ enabled: true, evaluateMs: 1000, noData: { seconds: 30, severity: 'critical' }, fitChi2: { max: 3 } });
    expect(() => parseConfig({ alarms: { webhook: { url: 'ftp://x' }, noData: { severity: 'loud' } } })).toThrow(/alarms\.webhook\.url.*alarms\.noData\.severity|alarms\.noData\.severity.*alarms\.webhook\.url/);
    expect(AlarmsConfigSchema.parse({ webhook: { url: 'http://127.0.0.1:9/hook' } }).webhook).toMatchObject({ timeoutMs: 5000, maxQueue: 100 });
  });
});

describe('alarm webhook', () => {
  it('POSTs every change in order as JSON to a local receiver; failures are counted, not thrown', async () => {
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        bodies.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(b) as unknown });
        res.statusCode = bodies.length === 3 ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const hook = webhookSink({ url, timeoutMs: 5000, maxQueue: 100 }, silentLogger());
      const engine = new AlarmEngine(alarmsConfig(), { sinks: [hook] });
      engine.evaluate({ journalShortfall: 2 });
      engine.ack(engine.alarms()[0].id, 'ops');
      engine.evaluate({ journalShortfall: 0 });
      await engine.flush();
      expect(bodies).toMatchObject([
        { method: 'POST', type: 'application/json', body: { alarm: { rule: 'journalShortfall', state: 'raised', severity: 'critical' } } },
        { body: { alarm: { state: 'acknowledged', who: 'ops' } } },
        { body: { alarm: { state: 'cleared', closed: true } } },
      ]);
      expect(hook.stats()).toEqual({ delivered: 2, failed: 1, dropped: 0 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('an unreachable webhook is counted as failed and the queue stays bounded', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r)); // nobody listens there now
    const hook = webhookSink({ url: `http://127.0.0.1:${port}/`, timeoutMs: 2000, maxQueue: 2 }, silentLogger());
    const engine = new AlarmEngine(alarmsConfig(), { sinks: [hook] });
    engine.evaluate({ journalShortfall: 2, influxBacklogBytes: 1e12, diskFreeBytes: 0 });
    await engine.flush();
    expect(hook.stats()).toEqual({ delivered: 0, failed: 2, dropped: 1 });
  });
});
