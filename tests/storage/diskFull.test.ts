import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimRingDevice } from '../../drivers/sim/device.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import { formatRunSummary } from '../../src/cli/commands/start.ts';
import { parseConfig } from '../../src/config/schema.ts';
import { type DaemonStatus, createDaemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/log.ts';
import { readDocuments, readRunFrames } from '../../src/storage/index.ts';
import { openRun } from '../../src/storage/run.ts';
import { smallFilesystem } from '../support/smallFs.ts';

const small = smallFilesystem();
const mountPoint = small?.dir ?? null;
afterAll(() => small?.unmount());

describe.skipIf(!mountPoint)('the journal on a real full disk (300 KiB tmpfs)', () => {
  it('names the cause "disk full", counts exactly what is in the files, and resumes journaling by itself when space returns', async () => {
    const dataDir = join(mountPoint!, 'data');
    const filler = join(mountPoint!, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(250 * 1024));
    const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 1, stop: 4, step: 1, dwellMs: 200 }, storage: { retryMs: 20, maxBufferBytes: 16 * 1024 } });
    const logger = silentLogger();
    const device = new SimRingDevice({ sim: new RingSimulator({ seed: 5 }), rate: 100, speed: 20, identity: { serial: 'SIM-5' } });
    const daemon = createDaemon(config, {
      device, logger, trainer: null, resolveRecord: async () => null,
      openRun: (identity) => openRun({ dataDir, identity, storage: config.storage, logger }),
    });
    let freedAt: number | null = null;
    let resumedWith = 0;
    daemon.status$.subscribe((s: DaemonStatus) => {
      const j = s.journal;
      if (!j || s.state !== 'running') return;
      if (freedAt === null && j.dropped > 0) {
        // the disk filled and frames were dropped: give space back
        expect(j.error).toBe('disk full');
        rmSync(filler);
        freedAt = j.frames;
      } else if (freedAt !== null && j.error === null && j.frames >= freedAt + 10 && resumedWith === 0) {
        resumedWith = j.frames;
        void daemon.stop();
      }
    });
    await daemon.start();
    await daemon.done;
    await device.close();
    const st = daemon.status();
    expect(resumedWith).toBeGreaterThan(0);
    const a = st.accounting;
    const id = st.run!.id;
    const { frames, tornTails } = readRunFrames(dataDir, id);
    // no cut line, and exactly the frames counted as journaled are in the files
    expect(tornTails).toEqual({});
    expect(a.journaled).toBe(frames.length);
    expect(a.received).toBe(a.journaled + a.missing.journal);
    expect(st.journal).toMatchObject({ dropCause: 'disk full', error: null, dropped: a.missing.journal });
    // journaling resumed: frames after the dropped ones are in the file
    const { documents } = readDocuments(dataDir, id);
    const gaps = documents.filter((d) => d.type === 'gap' && d.cause === 'journal');
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    const first = gaps[0];
    if (first.type !== 'gap') throw new Error('unreachable');
    expect(first.reason).toBe('disk full');
    expect(frames[frames.length - 1].seq).toBeGreaterThan(Number(first.to));
    expect(gaps.reduce((n, g) => n + (g.type === 'gap' ? g.missing ?? 0 : 0), 0)).toBe(a.missing.journal);
    // the stop document (written once space returned) says the same, and so does the summary
    const stop = documents[documents.length - 1];
    expect(stop).toMatchObject({ type: 'stop', frames: { received: a.received, journaled: frames.length, missing: { journal: a.missing.journal } } });
    const summary = formatRunSummary(st);
    expect(summary).toContain(`${a.received} received, ${frames.length} in the journal files`);
    expect(summary).toContain(`${a.missing.journal} raw frames dropped (disk full)`);
    expect(summary).not.toMatch(/too slow/);
  }, 120_000);
});
