import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listRunIds, listSegments, readDocuments, readRunFrames, runState } from '../../src/storage/index.ts';
import { Rng } from '../../src/util/random.ts';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/killableDaemon.ts', import.meta.url));

interface Child {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves with the run id once the run is open (null: it ended first). */
  go(): Promise<string | null>;
}

/** Spawns a child daemon that loads and waits (so the next one loads while this one runs). */
function spawnChild(dataDir: string, sweeps: number): Child {
  const child = spawn(process.execPath, [RUN_TS, CHILD, dataDir, String(sweeps)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  const runId = new Promise<string | null>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /run (\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then(() => resolve(null));
  });
  return {
    child, exited,
    go: () => {
      child.stdin!.write('go\n');
      return runId;
    },
  };
}

const digest = (path: string, bytes: number) => createHash('sha256').update(readFileSync(path).subarray(0, bytes)).digest('hex');

describe('SIGKILL durability', () => {
  it('killed at 20 random moments: the journal parses, every frame in it is intact, untouched by later sessions, and each restart continues the same run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'holoring-kill-'));
    const rng = new Rng(20261129);
    let runId: string | null = null;
    const seen = new Map<string, { bytes: number; hash: string }>();
    let journaled = 0;
    let next = spawnChild(dataDir, 0);
    for (let kill = 0; kill < 20; kill++) {
      const c = next;
      const id = await c.go();
      next = spawnChild(dataDir, kill === 19 ? 1 : 0);
      expect(id).not.toBeNull();
      runId ??= id;
      // the same run every time: the interrupted run of this device is continued
      expect(id).toBe(runId);
      // a random moment: opening, replaying, acquiring
      await new Promise((r) => setTimeout(r, Math.floor(rng.uniform() * 400)));
      c.child.kill('SIGKILL');
      expect(await c.exited).toBeNull();
      expect(listRunIds(dataDir)).toEqual([runId]);
      expect(runState(dataDir, runId!)).toBe('interrupted');
      // the documents parse (a torn last line at most), and so do the frames: each one whole and in sequence
      const { documents } = readDocuments(dataDir, runId!);
      expect(documents[0]?.type ?? 'start').toBe('start');
      const { frames } = readRunFrames(dataDir, runId!);
      expect(frames.length).toBeGreaterThanOrEqual(journaled);
      for (const f of frames) {
        expect(f.x).toHaveLength(f.y.length);
        expect(f.x.length).toBeGreaterThan(0);
      }
      journaled = frames.length;
      // what earlier sessions wrote is never changed by later ones
      for (const s of listSegments(dataDir, runId!)) {
        const before = seen.get(s.path);
        if (before) expect(digest(s.path, before.bytes)).toBe(before.hash);
        seen.set(s.path, { bytes: s.bytes, hash: digest(s.path, s.bytes) });
      }
    }
    // the last session runs to its end: the run is whole, and stopped
    const last = next;
    expect(await last.go()).toBe(runId);
    expect(await last.exited).toBe(0);
    const { documents } = readDocuments(dataDir, runId!);
    expect(runState(dataDir, runId!)).toBe('stopped');
    const resumes = documents.filter((d) => d.type === 'resume');
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    const stop = documents[documents.length - 1];
    expect(stop.type).toBe('stop');
    const lastResume = resumes[resumes.length - 1];
    if (lastResume.type !== 'resume' || stop.type !== 'stop') throw new Error('unreachable');
    // the resumed session replayed everything journaled before it, and its own frames are all in the files
    const { frames } = readRunFrames(dataDir, runId!);
    expect(lastResume.replayedFrames + stop.frames.journaled).toBe(frames.length);
    expect(stop.frames.received).toBe(stop.frames.journaled);
  }, 300_000);
});
