import { mkdtempSync, readFileSync, readdirSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { readFramesFile } from '../../src/io/framesFile.ts';
import { openJournal } from '../../src/storage/journal.ts';
import { fakeDisk } from './fakeDisk.ts';

const identity = { model: 'HOLORING-RING', serial: 'SIM/1', firmware: '1.0.0', protocolVersion: '1.0' };
const fresh = () => mkdtempSync(join(tmpdir(), 'holoring-journal-'));

describe('journal segments', () => {
  it('records every frame exactly, each segment a readable frames file, a new segment at every open', async () => {
    const dir = fresh();
    const sim = new RingSimulator({ seed: 5 });
    const frames = [...sim.sweep([0.5, 1, 1.5, 2], { sourceSite: 3 })];
    const j = openJournal(dir, 'frames', identity, { syncMs: 5 });
    frames.forEach((f) => expect(j.write(f)).toBe('journaled'));
    await j.close();
    const again = openJournal(dir, 'frames', identity, { anchor: (f) => ({ hostTimeMs: 1.5e12, deviceTimeUs: f.deviceTimeUs }) });
    again.write(frames[0]);
    await again.close();
    // the header carries the session's clock anchor when given
    const header = JSON.parse(readFileSync(join(dir, 'frames-000002.jsonl'), 'utf8').split('\n')[0]);
    expect(header).toMatchObject({ kind: 'holoring-frames', device: identity, anchor: { hostTimeMs: 1.5e12, deviceTimeUs: frames[0].deviceTimeUs } });
    expect(readdirSync(dir).sort()).toEqual(['frames-000001.jsonl', 'frames-000002.jsonl']);
    const back = readFramesFile(join(dir, 'frames-000001.jsonl'));
    expect(back.device).toEqual(identity);
    expect(back.tornTail).toBe(false);
    expect(back.frames).toEqual(frames);
    expect(j.stats()).toMatchObject({ frames: 4, dropped: 0, pending: 0, error: null, segments: 1 });
    expect(j.stats().syncs).toBeGreaterThan(0);
  });

  it('a device restart: the next frame opens a new segment with a fresh anchor, so no segment holds a seq twice', async () => {
    const dir = fresh();
    const sim = new RingSimulator({ seed: 7 });
    const first = [...sim.sweep([0.5, 1, 1.5])].map((f, i) => ({ ...f, seq: i, deviceTimeUs: 1000 * (i + 1) }));
    const second = first.slice(0, 2).map((f, i) => ({ ...f, seq: i, deviceTimeUs: 10 * (i + 1) }));
    let anchors = 0;
    const j = openJournal(dir, 'frames', identity, { anchor: (f) => ({ hostTimeMs: 1e12 + anchors++, deviceTimeUs: f.deviceTimeUs }) });
    first.forEach((f) => j.write(f));
    j.rotate();
    // a rotation asked for twice before the next frame is one new segment
    j.rotate();
    second.forEach((f) => j.write(f));
    await j.close();
    expect(readdirSync(dir).sort()).toEqual(['frames-000001.jsonl', 'frames-000002.jsonl']);
    const a = readFramesFile(join(dir, 'frames-000001.jsonl'));
    const b = readFramesFile(join(dir, 'frames-000002.jsonl'));
    expect(a.frames.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(b.frames.map((f) => f.seq)).toEqual([0, 1]);
    const header = (n: number) => JSON.parse(readFileSync(join(dir, `frames-00000${n}.jsonl`), 'utf8').split('\n')[0]) as { anchor: { deviceTimeUs: number } };
    expect(header(1).anchor.deviceTimeUs).toBe(1000);
    expect(header(2).anchor.deviceTimeUs).toBe(10);
    expect(j.stats()).toMatchObject({ frames: 5, segments: 2, dropped: 0 });
  });

  it('rotates at the segment size, never splitting a frame', async () => {
    const dir = fresh();
    const sim = new RingSimulator({ seed: 6 });
    const frames = [...sim.sweep([1, 2, 3, 4, 5, 6, 7, 8])];
    const j = openJournal(dir, 'calibration', identity, { segmentBytes: 3000 });
    frames.forEach((f) => j.write(f));
    await j.close();
    const names = readdirSync(dir).sort();
    expect(names.length).toBe(j.stats().segments);
    expect(names.length).toBeGreaterThan(1);
    const all = names.flatMap((n) => {
      expect(readFileSync(join(dir, n)).length).toBeLessThanOrEqual(3000);
      return readFramesFile(join(dir, n)).frames;
    });
    expect(all).toEqual(frames);
  });

  it('a segment cut mid-line (power loss) keeps every complete frame and reports the cut size', async () => {
    const dir = fresh();
    const sim = new RingSimulator({ seed: 6 });
    const frames = [...sim.sweep([1, 2, 3])];
    const j = openJournal(dir, 'frames', identity);
    frames.forEach((f) => j.write(f));
    await j.close();
    const path = join(dir, 'frames-000001.jsonl');
    truncateSync(path, readFileSync(path).length - 200);
    const back = readFramesFile(path);
    expect(back.tornTail).toBe(true);
    const lastLine = readFileSync(path, 'utf8').split('\n').pop()!;
    expect(back.tornBytes).toBe(Buffer.byteLength(lastLine));
    expect(back.frames).toEqual(frames.slice(0, 2));
  });

  it('on a full disk: frames wait in memory up to the bound, the rest are dropped with the cause, and journaling resumes when space returns', async () => {
    const dir = fresh();
    const sim = new RingSimulator({ seed: 7 });
    const frames = Array.from({ length: 40 }, () => sim.frame({ omega: 1 }));
    const lineBytes = JSON.stringify({ ...frames[0], x: Array.from(frames[0].x), y: Array.from(frames[0].y) }).length;
    const disk = fakeDisk(10 * lineBytes);
    let t = 0;
    const drops: number[] = [];
    const j = openJournal(dir, 'frames', identity, { fs: disk.ops, now: () => t, retryMs: 100, maxBufferBytes: 5 * lineBytes, onDrop: (_s, lost) => drops.push(...lost.map((f) => f.seq)) });
    const results = frames.slice(0, 20).map((f) => j.write(f));
    const st = j.stats();
    expect(st.error).toBe('disk full');
    expect(st.frames + st.pending + st.dropped).toBe(20);
    expect(st.pending).toBeGreaterThan(0);
    expect(st.dropped).toBeGreaterThan(0);
    expect(st.dropCause).toBe('disk full');
    expect(drops).toEqual(frames.slice(0, 20).filter((_f, i) => results[i] === 'dropped').map((f) => f.seq));
    // the file holds exactly the journaled frames, no cut line
    const before = readFramesFile(join(dir, 'frames-000001.jsonl'));
    expect(before.tornTail).toBe(false);
    expect(before.frames.length).toBe(st.frames);
    disk.grow(1e6);
    t = 1000;
    frames.slice(20).forEach((f) => expect(j.write(f)).toBe('journaled'));
    await j.close();
    const end = j.stats();
    expect(end.error).toBeNull();
    expect(end.frames + end.dropped).toBe(40);
    const after = readFramesFile(join(dir, 'frames-000001.jsonl'));
    expect(after.frames.length).toBe(end.frames);
    expect(after.frames.map((f) => f.seq)).toEqual(frames.filter((f) => !drops.includes(f.seq)).map((f) => f.seq));
  });
});
