import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { frameToJson, framesFileHeader } from '../../src/io/framesFile.ts';
import { openDocumentLog } from '../../src/storage/documentLog.ts';
import { listRunIds, listSegments, makeRunId, readDocuments, readRunFrames, readSegment, runDir, runState } from '../../src/storage/index.ts';

const identity = { model: 'HOLORING-RING', serial: 'SIM-1', firmware: '1.0.0', protocolVersion: '1.0' };

describe('run ids', () => {
  it('are UTC time plus a random part, and sort by start time', () => {
    const a = makeRunId(new Date('2026-11-29T15:30:12.345Z'), () => Buffer.from([0x7f, 0x3a]));
    expect(a).toBe('20261129T153012Z-7f3a');
    const b = makeRunId(new Date('2026-11-29T15:30:13Z'), () => Buffer.from([0, 1]));
    expect([b, a].sort()).toEqual([a, b]);
  });
});

describe('reading a run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'holoring-read-'));
  const id = '20261129T153012Z-7f3a';
  const dir = runDir(dataDir, id);
  mkdirSync(dir, { recursive: true });
  const sim = new RingSimulator({ seed: 9 });
  const frames = [...sim.sweep([1, 2, 3, 4])];
  const seg = join(dir, 'frames-000001.jsonl');
  writeFileSync(seg, framesFileHeader(identity) + '\n' + frames.slice(0, 3).map((f) => frameToJson(f) + '\n').join(''));

  it('lists runs and segments, and reads a growing segment from a byte position, complete lines only', () => {
    mkdirSync(join(dataDir, 'runs', 'not-a-run'), { recursive: true });
    expect(listRunIds(dataDir)).toEqual([id]);
    expect(listSegments(dataDir, id).map((s) => [s.kind, s.index])).toEqual([['frames', 1]]);
    const first = readSegment(seg, 0, { maxBytes: 2000 });
    expect(first.device).toEqual(identity);
    expect(first.nextOffset).toBeGreaterThan(0);
    // continue from where the last read stopped: every frame once, in order
    const got = [...first.frames];
    let pos = first.nextOffset;
    while (pos < first.size) {
      const c = readSegment(seg, pos, { maxBytes: 2000 });
      expect(c.device).toBeNull();
      got.push(...c.frames);
      pos = c.nextOffset;
    }
    expect(got.map((f) => f.frame)).toEqual(frames.slice(0, 3));
    expect(got[1].offset).toBe(got[0].end);
    // a line being written is not returned until its newline is there
    const line = frameToJson(frames[3]) + '\n';
    appendFileSync(seg, line.slice(0, 100));
    const partial = readSegment(seg, pos);
    expect(partial.frames).toEqual([]);
    expect(partial.partialBytes).toBe(100);
    expect(readRunFrames(dataDir, id).tornTails).toEqual({ [seg]: 100 });
    appendFileSync(seg, line.slice(100));
    const rest = readSegment(seg, pos);
    expect(rest.frames.map((f) => f.frame)).toEqual([frames[3]]);
    expect(rest.partialBytes).toBe(0);
    expect(readRunFrames(dataDir, id)).toEqual({ frames, tornTails: {} });
  });

  it('reads documents (a cut last line left out and sized), and tells stopped, running and interrupted runs apart', () => {
    const docs = openDocumentLog(dir, id);
    docs.write({ type: 'state', state: 'streaming', previous: 'connected' });
    docs.close();
    expect(readDocuments(dataDir, id)).toMatchObject({ documents: [{ type: 'state', run: id, state: 'streaming' }], tornBytes: 0 });
    appendFileSync(join(dir, 'documents.jsonl'), '{"type":"gap","ti');
    expect(readDocuments(dataDir, id).tornBytes).toBe(17);
    expect(runState(dataDir, id)).toBe('interrupted');
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    expect(runState(dataDir, id)).toBe('running');
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), since: new Date().toISOString() }));
    expect(runState(dataDir, id)).toBe('interrupted');
    // a bad line before the last is refused, naming it
    const text = readFileSync(join(dir, 'documents.jsonl'), 'utf8');
    writeFileSync(join(dir, 'documents.jsonl'), '{"type":"nope"}\n' + text);
    expect(() => readDocuments(dataDir, id)).toThrow(/documents\.jsonl:1: not a run document/);
  });
});
