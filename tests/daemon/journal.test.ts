import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { journalPath, openJournal } from '../../src/daemon/journal.ts';
import { parseFramesFile, readFramesFile } from '../../src/io/framesFile.ts';

const identity = { model: 'HOLORING-RING', serial: 'SIM/1', firmware: '1.0.0', protocolVersion: '1.0' };
const dir = mkdtempSync(join(tmpdir(), 'holoring-journal-'));

describe('journal of raw frames', () => {
  it('records every frame exactly, readable as a frames file', async () => {
    const sim = new RingSimulator({ seed: 5 });
    const frames = [...sim.sweep([0.5, 1, 1.5, 2], { sourceSite: 3 })];
    const path = journalPath(dir, identity, new Date('2026-01-02T03:04:05.678Z'));
    expect(path).toBe(join(dir, 'SIM_1-2026-01-02T03-04-05-678Z.frames.jsonl'));
    const j = openJournal(path, identity, { syncMs: 5 });
    frames.forEach((f) => j.write(f));
    await j.close();
    const back = readFramesFile(path);
    expect(back.device).toEqual(identity);
    expect(back.tornTail).toBe(false);
    expect(back.frames).toEqual(frames);
    expect(j.stats()).toMatchObject({ frames: 4, dropped: 0, error: null });
  });

  it('refuses to overwrite an existing journal', () => {
    const path = join(dir, 'exists.frames.jsonl');
    writeFileSync(path, 'x');
    expect(() => openJournal(path, identity)).toThrow(expect.objectContaining({ code: 'RING_ERR_JOURNAL' }));
  });

  it('a journal cut mid-line (power loss) keeps every complete frame', async () => {
    const sim = new RingSimulator({ seed: 6 });
    const frames = [...sim.sweep([1, 2, 3])];
    const path = join(dir, 'torn.frames.jsonl');
    const j = openJournal(path, identity);
    frames.forEach((f) => j.write(f));
    await j.close();
    const size = readFileSync(path).length;
    truncateSync(path, size - 200);
    const back = readFramesFile(path);
    expect(back.tornTail).toBe(true);
    expect(back.frames).toEqual(frames.slice(0, 2));
    // corruption inside the file (not at the tail) is still refused, naming the line
    const text = readFileSync(path, 'utf8').split('\n');
    text[1] = text[1].slice(0, 50);
    expect(() => parseFramesFile(text.join('\n') + '\n', 'x.jsonl')).toThrow(/x\.jsonl:2/);
  });

  it('bounds memory when the disk falls behind: frames beyond the bound are dropped and counted', async () => {
    const sim = new RingSimulator({ seed: 7 });
    const path = join(dir, 'bounded.frames.jsonl');
    let reported = 0;
    const j = openJournal(path, identity, { maxBufferBytes: 4096, onDrop: () => reported++ });
    // written synchronously in one turn: the stream cannot drain in between
    for (let i = 0; i < 50; i++) j.write(sim.frame({ omega: 1 }));
    const st = j.stats();
    expect(st.frames + st.dropped).toBe(50);
    expect(st.dropped).toBeGreaterThan(0);
    expect(reported).toBeGreaterThan(0);
    await j.close();
    expect(readFramesFile(path).frames).toHaveLength(st.frames);
  });
});
