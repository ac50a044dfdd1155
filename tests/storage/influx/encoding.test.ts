import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RingSimulator } from '../../../drivers/sim/simulator.ts';
import { FrameClock } from '../../../src/storage/influx/clock.ts';
import { emptyCursor } from '../../../src/storage/influx/cursor.ts';
import { fitPoints, framePoint, isoToNs } from '../../../src/storage/influx/points.ts';
import { backlogBytes, readBatch } from '../../../src/storage/influx/projection.ts';
import { readLines } from '../../../src/storage/influx/runFiles.ts';
import { parseInfluxUrl } from '../../../src/storage/influx/target.ts';
import { runCli } from '../../support/cli.ts';
import { fitDoc, runWriter } from './runWriter.ts';

const tags = { rig: 'bench-a', run: 'R1', device: 'SIM-7' };

describe('InfluxDB point encoding', () => {
  it('a frame point: tags, acquisition fields, per-site amplitude and phase', () => {
    const f = new RingSimulator({ sites: 4, seed: 1 }).frame({ omega: 1.25 });
    const p = framePoint(f, 1_764_417_600_000_000_123n, tags, 'acquisition');
    expect(p.measurement).toBe('frame');
    expect(p.tags).toEqual({ ...tags, stage: 'acquisition' });
    expect(p.timestamp).toBe('1764417600000000123');
    expect(p.fields).toMatchObject({ seq: f.seq, omega: 1.25, amplitude: f.amplitude, temperature_k: f.temperatureK, flags: f.flags });
    for (let i = 0; i < 4; i++) {
      expect(p.fields![`amp_${i}`]).toBeCloseTo(Math.sqrt(f.x[i] ** 2 + f.y[i] ** 2), 14);
      expect(p.fields![`phase_${i}`]).toBeCloseTo(Math.atan2(f.y[i], f.x[i]), 14);
    }
  });

  it('a fit document: one fit point, one metric point per radius (tag r), one response point per (ω, k) at distinct times', () => {
    const doc = fitDoc(3, '2026-11-29T12:00:05.250Z', { radii: 4, omegas: 3, ks: 2 }) as never;
    const pts = fitPoints(doc, tags);
    const by = (m: string) => pts.filter((p) => p.measurement === m);
    expect(by('fit')).toHaveLength(1);
    expect(by('fit')[0].fields).toMatchObject({ chi2: 1.1, iterations: 4, elapsed_ms: 120, points: 6, round: 3 });
    expect(by('metric').map((p) => p.tags!.r)).toEqual(['0.000', '0.500', '1.000', '1.500']);
    expect(by('metric')[2].fields).toMatchObject({ f: 2, f_rel: 1, g_rel: 1, f_err: 0.01, g_err: 0.02 });
    const resp = by('response');
    expect(resp).toHaveLength(6);
    const t0 = isoToNs('2026-11-29T12:00:05.250Z');
    // a series is (measurement, tags): within one k every ω has its own time
    const keys = resp.map((p) => `${p.tags!.k}@${p.timestamp}`);
    expect(new Set(keys).size).toBe(6);
    expect(resp.every((p) => BigInt(p.timestamp as string) - t0 < 3n)).toBe(true);
    expect(resp[0].fields).toMatchObject({ chi_re: 0, chi_im: -0, sigma: 0.001, n: 4 });
  });

  it('leaves non-finite values out (line protocol has no NaN)', () => {
    const doc = { ...fitDoc(1, '2026-11-29T12:00:00Z', { radii: 1 }), chi2: Number.NaN } as never;
    expect(fitPoints(doc, tags)[0].fields).not.toHaveProperty('chi2');
  });
});

describe('frame clock', () => {
  const start = isoToNs('2026-11-29T12:00:00Z');
  it('puts a segment with a header anchor at host time = anchor + device time', () => {
    const c = new FrameClock();
    c.beginSegment(5_000_000, { hostTimeMs: 1_764_417_600_123.5, deviceTimeUs: 4_000_000 }, start);
    expect(c.place(5_000_000)).toBe(1_764_417_601_123_500_000n);
  });

  it('without one: the first frame at the session start; a continuing device clock keeps the anchor; a restart continues forward', () => {
    const c = new FrameClock();
    c.beginSegment(7_000, null, start);
    const a = c.place(7_000), b = c.place(57_000);
    expect(a).toBe(start);
    expect(b - a).toBe(50_000_000n);
    // size rotation (same session): the device clock continues, same anchor
    c.beginSegment(107_000, null, start);
    expect(c.place(107_000) - a).toBe(100_000_000n);
    // the device restarted inside a segment: one interval after the last frame
    const r = c.place(0);
    expect(r - (a + 100_000_000n)).toBe(50_000_000n);
    // a new session (resume, clock back at 0) is placed at its resume time
    const resumed = a + 3_600n * 10n ** 9n;
    c.beginSegment(10, null, resumed);
    expect(c.place(10)).toBe(resumed);
    // and the state survives a round trip through the cursor
    const d = new FrameClock(JSON.parse(JSON.stringify(c.state())));
    expect(d.place(50_010)).toBe(resumed + 50_000_000n);
  });
});

describe('--influx URL', () => {
  it('takes the database from the path and the credentials from the user part', () => {
    expect(parseInfluxUrl('http://127.0.0.1:8086/holoring')).toEqual({ url: 'http://127.0.0.1:8086', database: 'holoring' });
    expect(parseInfluxUrl('https://lab:s%40cret@influx.example:443/proxy/db1')).toEqual({ url: 'https://influx.example/proxy', database: 'db1', username: 'lab', password: 's@cret' });
  });
  it('refuses a URL without a database, or not http', () => {
    expect(() => parseInfluxUrl('http://127.0.0.1:8086')).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID', message: expect.stringContaining('name the database') }));
    expect(() => parseInfluxUrl('udp://127.0.0.1:8089/x')).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID' }));
    expect(() => parseInfluxUrl('holoring')).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID' }));
  });
});

describe('reading a run through the cursor', () => {
  it('reads whole lines only, in bounded chunks', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'holoring-lines-')), 'f.jsonl');
    writeFileSync(path, 'a\nbb\nccc\npartial');
    const one = await readLines(path, 0, 2, 3);
    expect(one.lines.map((l) => l.text)).toEqual(['a', 'bb']);
    expect(one.atEnd).toBe(false);
    const two = await readLines(path, one.end, 10, 3);
    expect(two.lines).toEqual([{ text: 'ccc', offset: 5 }]);
    expect(two).toMatchObject({ atEnd: true, partialBytes: 7, end: 9 });
  });

  it('walks documents then segments in order, in batches, skipping a torn tail once the writer has moved on', async () => {
    const w = runWriter(mkdtempSync(join(tmpdir(), 'holoring-proj-')), 'R1');
    w.segment('calibration-000001.jsonl');
    w.frames(5);
    w.segment('frames-000001.jsonl');
    w.frames(7);
    w.raw('{"seq":99,"devi');
    w.doc(fitDoc(1, '2026-11-29T12:00:09Z', { radii: 2, omegas: 1, ks: 1 }));
    let cursor = emptyCursor();
    const first = await readBatch(w.dir, cursor, 4);
    // the fit document comes whole (4 points) before any frame
    expect(first.points.map((p) => p.measurement)).toEqual(['fit', 'metric', 'metric', 'response']);
    cursor = first.next;
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const b = await readBatch(w.dir, cursor, 4);
      if (b.points.length === 0) break;
      expect(b.points.length).toBeLessThanOrEqual(4);
      seen.push(...b.points.map((p) => `${p.tags!.stage}:${p.fields!.seq}`));
      cursor = b.next;
    }
    expect(seen).toEqual([...[0, 1, 2, 3, 4].map((s) => `calibration:${s}`), ...[5, 6, 7, 8, 9, 10, 11].map((s) => `acquisition:${s}`)]);
    // the torn line is held back while it is the newest data, and counted as such
    expect(cursor.tornBytes).toBe(0);
    expect(await backlogBytes(w.dir, cursor)).toBe(15);
    w.segment('frames-000002.jsonl');
    w.frames(2, { restart: true });
    const after = await readBatch(w.dir, cursor, 100);
    expect(after.next.tornBytes).toBe(15);
    expect(after.notes.join()).toMatch(/torn last line of 15 bytes/);
    // a restarted device clock still moves forward in time
    const times = after.points.map((p) => BigInt(p.timestamp as string));
    expect(times[0]).toBeGreaterThan(BigInt(cursor.clock!.lastHostNs));
    expect(await backlogBytes(w.dir, after.next)).toBe(0);
  });
});

describe('holoring start --influx', () => {
  it('refuses a URL without a database before anything starts, naming the flag', () => {
    const r = runCli(['start', '--influx', 'http://127.0.0.1:8086', '--sweeps', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_ARG_INVALID: --influx: http:\/\/127\.0\.0\.1:8086: name the database/);
  });
});
