/**
 * Scenario 6: the data disk fills and space returns, with the daemon as a
 * child process on the emulator over a pty and its data directory on a real
 * 300 KiB tmpfs (needs root; skipped with a note elsewhere, where the
 * in-process tests/storage/diskFull.test.ts and the injected-disk unit tests
 * cover the logic).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiStatus, type LinkRig, socatAvailable, startLinkRig } from '../support/childDaemon.ts';
import { smallFilesystem } from '../support/smallFs.ts';

const MAX_BUFFER = 16 * 1024;
const small = socatAvailable() ? smallFilesystem(300) : null;

interface JournalView { frames: number; pending: number; dropped: number; bytes: number; error: string | null; dropCause: string | null }
interface Accounting { received: number; journaled: number; missing: Record<string, number> }

describe.skipIf(!small)('scenario 6: disk full, then space returns', () => {
  let rig: LinkRig | null = null;
  afterAll(async () => {
    await rig?.dispose();
    small?.unmount();
  });

  it('raises the alarm, holds frames in memory up to the bound, counts the rest as dropped for "disk full", and journals again by itself', async () => {
    const filler = join(small!.dir, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(230 * 1024));
    rig = await startLinkRig({
      emulator: ['--speed', '4'],
      dataDir: join(small!.dir, 'data'),
      config: { storage: { retryMs: 50, maxBufferBytes: MAX_BUFFER }, alarms: { evaluateMs: 200 } },
    });
    const d = rig.daemon;
    const seen: JournalView[] = [];
    const journal = (s: ApiStatus): JournalView => {
      const j = (s.journal as JournalView | null) ?? { frames: 0, pending: 0, dropped: 0, bytes: 0, error: null, dropCause: null };
      seen.push(j);
      return j;
    };
    const full = await d.waitFor('frames dropped on the full disk', (s) => {
      const j = journal(s);
      return j.dropped > 50 && j;
    }, 30_000);
    expect(full).toMatchObject({ error: 'disk full', dropCause: 'disk full' });
    const alarm = await d.waitForAlarm('journalShortfall', 'raised', 10_000);
    expect(alarm.message).toMatch(/accepted frames are not in the journal/);
    // space returns: journaling resumes without any action
    rmSync(filler);
    const back = await d.waitFor('journaling again', (s) => {
      const j = journal(s);
      return j.error === null && j.frames > full.frames + 100 && j;
    }, 30_000);
    const exit = await d.stop();
    await rig.stopEmulator();
    expect(exit.code).toBe(0);

    // memory: frames waited for the disk up to the bound (in bytes of their lines), never more
    const lineBytes = back.bytes / back.frames;
    expect(Math.max(...seen.map((j) => j.pending))).toBeLessThanOrEqual(Math.ceil(MAX_BUFFER / lineBytes) + 1);
    // the account: what is in the files, what was dropped and why, in the stop document and the gap documents
    const docs = d.documents();
    const stop = docs.at(-1) as unknown as { type: string; frames: Accounting; journal: { dropped: number } };
    expect(stop.type).toBe('stop');
    const frames = d.frames();
    expect(stop.frames.journaled).toBe(frames.length);
    expect(stop.frames.received).toBe(stop.frames.journaled + stop.frames.missing.journal);
    expect(stop.frames.missing.journal).toBeGreaterThanOrEqual(full.dropped);
    const gaps = docs.filter((x) => x.type === 'gap' && (x as unknown as { cause: string }).cause === 'journal') as unknown as { reason: string; missing: number }[];
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    expect(gaps.every((g) => g.reason === 'disk full')).toBe(true);
    expect(gaps.reduce((n, g) => n + g.missing, 0)).toBe(stop.frames.missing.journal);
    // the alarm is in the run's record (written once space returned), and the daemon said what happened
    expect(docs.some((x) => x.type === 'alarm' && (x as unknown as { rule: string }).rule === 'journalShortfall')).toBe(true);
    expect(d.logs().some((l) => /disk full/.test(l.msg))).toBe(true);
    process.stderr.write(`scenario 6: ${frames.length} frames journaled, ${stop.frames.missing.journal} dropped (disk full), at most ${Math.max(...seen.map((j) => j.pending))} pending (${lineBytes.toFixed(0)} B a line, bound ${MAX_BUFFER} B)\n`);
  }, 120_000);
});
