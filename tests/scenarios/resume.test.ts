/**
 * Scenario 5: the daemon SIGKILLed in the middle of a sweep and started again
 * on the same data directory and device (the emulator over a pty keeps
 * running): the run continues, its journal is intact, and the trainer
 * continues from the run's checkpoint.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChildDaemon, type LinkRig, socatAvailable, startChildDaemon, startLinkRig } from '../support/childDaemon.ts';
import { listRunIds } from '../../src/storage/index.ts';

type Status = { trainer: { rounds: number } };
interface FitDoc { round: number; iterations: number; chi2: number }
interface ResumeDoc { previousStop: string; checkpoint: boolean; downtimeMs: number; tornTails: Record<string, number> }

/** Every line of every segment of the run, parsed; a torn tail must be one the resume document reported. */
function journalLines(runDir: string, tornTails: Record<string, number>): { file: string; seq: number }[] {
  const out: { file: string; seq: number }[] = [];
  for (const file of readdirSync(runDir).filter((f) => /^(frames|calibration)-\d+\.jsonl$/.test(f)).sort()) {
    const text = readFileSync(join(runDir, file), 'utf8');
    const lines = text.split('\n');
    const tail = lines.pop()!;
    // a segment ends with a newline, or with the torn tail the resume found (only in a segment no longer written)
    if (tail !== '') expect(tornTails[file], `${file} ends in ${Buffer.byteLength(tail)} torn bytes`).toBe(Buffer.byteLength(tail));
    lines.forEach((l, i) => {
      const v = JSON.parse(l) as { seq?: number };
      if (i > 0 && file.startsWith('frames')) out.push({ file, seq: v.seq! });
    });
  }
  return out;
}

describe.skipIf(!socatAvailable())('scenario 5: the daemon SIGKILLed mid-sweep and restarted', () => {
  let rig: LinkRig | null = null;
  let second: ChildDaemon | null = null;
  afterAll(async () => {
    await second?.dispose();
    await rig?.dispose();
  });

  it('continues the same run from its checkpoint, with an intact journal and no sequence number twice', async () => {
    rig = await startLinkRig({ emulator: ['--speed', '8', '--metric', 'deformed'], train: true });
    const first = rig.daemon;
    await first.waitFor('two training rounds', (s) => (s as unknown as Status).trainer.rounds >= 2, 60_000);
    // mid-sweep: a sweep is 120 frames (12 frequencies × 10 frames)
    await first.waitFor('the middle of a sweep', (s) => s.pipeline.frames % 120 > 30 && s.pipeline.frames % 120 < 90, 30_000);
    const killed = await first.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const runId = first.runId();
    const fitsBefore = first.documents().filter((x) => x.type === 'fit') as unknown as FitDoc[];
    expect(fitsBefore.length).toBeGreaterThanOrEqual(2);

    second = await startChildDaemon({ device: rig.link, dataDir: first.dataDir, train: true });
    await second.waitForLog('the trainer warm-starts', (l) => /the trainer warm-starts from the run checkpoint/.test(l.msg));
    await second.waitFor('a round after the resume', (s) => (s as unknown as Status).trainer.rounds >= 1, 60_000);
    await second.waitFor('a few more frames', (s) => s.pipeline.frames >= 300, 30_000);
    const exit = await second.stop();
    const counters = await rig.stopEmulator();
    expect(exit.code).toBe(0);

    // the same run, continued: a resume document after the interruption
    expect(listRunIds(first.dataDir)).toEqual([runId]);
    const docs = second.documents();
    const resume = docs.find((x) => x.type === 'resume') as unknown as ResumeDoc;
    expect(resume).toMatchObject({ previousStop: 'interrupted', checkpoint: true });
    expect(resume.downtimeMs).toBeGreaterThan(0);
    expect(docs.at(-1)).toMatchObject({ type: 'stop', status: 'stopped' });
    // the trainer continued: the first round after the resume started from the checkpoint, not from pure AdS
    const fits = docs.filter((x) => x.type === 'fit') as unknown as FitDoc[];
    const after = fits[fitsBefore.length];
    expect(after.round).toBe(fitsBefore.at(-1)!.round + 1);
    expect(after.iterations).toBeLessThan(fitsBefore[0].iterations);
    // the journal: every line parses, and no sequence number repeats within the device's one numbering
    expect(counters.reboots).toBe(0);
    const lines = journalLines(join(first.dataDir, 'runs', runId), resume.tornTails ?? {});
    const seqs = lines.map((l) => l.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i], `${lines[i].file}`).toBeGreaterThan(seqs[i - 1]);
    expect(new Set(lines.map((l) => l.file)).size).toBeGreaterThanOrEqual(2);
    process.stderr.write(`scenario 5: ${seqs.length} frames journaled in ${new Set(lines.map((l) => l.file)).size} segments; first fit ${fitsBefore[0].iterations} iterations from AdS, ${after.iterations} after the resume; down ${resume.downtimeMs} ms; torn ${JSON.stringify(resume.tornTails)}\n`);
  }, 150_000);
});
