import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `holoring start ARGS`; sends `signals` (at once) when stderr matches `when`, resolves with the exit code and output. */
function startThenSignal(args: string[], when: RegExp, signals: NodeJS.Signals[] = ['SIGTERM']): Promise<{ code: number | null; stderr: string; signalled: boolean }> {
  const child = spawn(process.execPath, ['bin/holoring.mjs', 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let signalled = false;
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (!signalled && when.test(stderr)) {
      signalled = true;
      for (const sig of signals) child.kill(sig);
    }
  });
  child.stdout!.resume();
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(guard);
    resolve({ code, stderr, signalled });
  }));
}

const logs = (stderr: string): Record<string, unknown>[] => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('holoring start and signals', () => {
  it('SIGTERM during the start-up calibration is a clean stop (exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-sig-'));
    const r = await startThenSignal(['--calibrate', '--no-train', '--data-dir', join(dir, 'data'), '--speed', '2', '--calibration-dir', dir], /"msg":"calibrating/);
    expect(r.signalled).toBe(true);
    expect(r.code).toBe(0);
    const l = logs(r.stderr);
    expect(l.some((x) => x.msg === 'stopped during start-up')).toBe(true);
    expect(l.filter((x) => (x.level as number) >= 50)).toEqual([]);
  }, 90_000);

  it('SIGINT and SIGTERM at once while acquiring (a wrapper signalling the group and the process): one clean stop, and the exit summary carries the frame account', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-sig-'));
    const r = await startThenSignal(['--no-train', '--data-dir', join(dir, 'data'), '--speed', '20', '--calibration-dir', dir], /"msg":"acquisition running"/, ['SIGINT', 'SIGTERM']);
    expect(r.code).toBe(0);
    const m = /frames: (\d+) received, (\d+) missing, (\d+) duplicates; seq (\d+)…(\d+)/.exec(r.stderr);
    expect(m).not.toBeNull();
    const [received, missing, , first, last] = m!.slice(1).map(Number);
    expect(received + missing).toBe(last - first + 1);
    const l = logs(r.stderr);
    expect(l.find((x) => x.msg === 'daemon stopped')).toMatchObject({ state: 'stopped' });
    // the run's stop document says the same
    const [runId] = readdirSync(join(dir, 'data', 'runs'));
    const docs = readFileSync(join(dir, 'data', 'runs', runId, 'documents.jsonl'), 'utf8').trim().split('\n').map((x) => JSON.parse(x) as { type: string; status?: string; frames?: { received: number } });
    expect(docs.at(-1)).toMatchObject({ type: 'stop', status: 'stopped', frames: { received } });
  }, 90_000);
});
