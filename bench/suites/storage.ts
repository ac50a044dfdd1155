import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { parseRecordText } from '../../calibration/record.ts';
import { encodeDataFrame } from '../../drivers/ring/codec.ts';
import { RingDecoder } from '../../drivers/ring/decoder.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { readTextFile } from '../../src/io/readText.ts';
import { calibrate } from '../../src/pipeline/calibrate.ts';
import { accumulateResponse } from '../../src/pipeline/responseAccumulator.ts';
import { ringTransform } from '../../src/pipeline/ringTransform.ts';
import { openJournal } from '../../src/storage/journal.ts';
import type { BenchRow } from '../harness.ts';
import { time } from '../harness.ts';
import type { BenchSuite } from '../run.ts';

/**
 * Ingest of 64-site frames through framing + codec → journal (a real file,
 * written whole per frame) → calibration → ring transform → response table,
 * as frames/s, against framing + codec alone (goal ≥ 0.3) and against a
 * saturated 921600-baud line (goal ≥ 100×); and the journal's bytes per frame.
 */
const FRAMES = 2000;
const CHUNK = 4096;

export const suite: BenchSuite = {
  name: 'storage',
  cases: async () => {
    const record = parseRecordText(readTextFile(new URL('../../tests/fixtures/field-inputs/calibration-record-SIM-2.json', import.meta.url).pathname, 'RING_ERR_BENCH', 'record'), 'record');
    const identity = { model: record.device.model, serial: record.device.serial, firmware: record.device.firmware ?? '1.0.0', protocolVersion: '1.0' };
    const sim = new RingSimulator({ sites: 64, seed: 1 });
    const parts: Buffer[] = [];
    for (let i = 0; i < FRAMES; i++) parts.push(encodeDataFrame(sim.frame({ omega: 0.5 + 0.5 * (i % 8), sourceSite: 0 })));
    const stream = Buffer.concat(parts);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK));
    const bytesPerLineFrame = stream.length / FRAMES;
    const dir = mkdtempSync(join(tmpdir(), 'holoring-bench-storage-'));

    const framing = (): void => {
      let n = 0;
      const dec = new RingDecoder(() => n++);
      for (const c of chunks) dec.push(c);
      if (n !== FRAMES) throw new Error(`decoded ${n} of ${FRAMES}`);
    };
    let journalBytes = 0;
    const ingest = async (): Promise<void> => {
      const runDir = mkdtempSync(join(dir, 'run-'));
      const journal = openJournal(runDir, 'frames', identity, { syncMs: 1000 });
      const frames$ = new Subject<RingFrame>();
      let tables = 0;
      const sub = frames$.pipe(calibrate({ record, identity }), ringTransform({ kMax: 12, gamma: 0.25 }), accumulateResponse({ minFrames: 2 })).subscribe(() => tables++);
      const dec = new RingDecoder((ev) => {
        if (ev.type !== 'data') return;
        journal.write(ev.frame);
        frames$.next(ev.frame);
      });
      for (const c of chunks) dec.push(c);
      sub.unsubscribe();
      await journal.close();
      const st = journal.stats();
      if (st.frames !== FRAMES || tables === 0) throw new Error(`journaled ${st.frames} of ${FRAMES}, ${tables} tables`);
      journalBytes = st.bytes;
      rmSync(runDir, { recursive: true, force: true });
    };
    return [
      async (): Promise<BenchRow[]> => {
        const base = await time(framing, 7, 2);
        const t = await time(ingest, 7, 2);
        rmSync(dir, { recursive: true, force: true });
        const fps = (ms: number): number => (FRAMES / ms) * 1000;
        const lineRate = 921_600 / 10 / bytesPerLineFrame;
        const perFrame = journalBytes / FRAMES;
        return [
          {
            name: 'ingest: framing → journal → calibration → transform → table',
            value: fps(t.median), unit: 'frames/s', baseline: fps(base.median), ratio: fps(t.median) / fps(base.median),
            median: fps(t.median), min: fps(t.max), max: fps(t.min),
            note: 'baseline: framing + codec alone (ratio = speed relative to it); goal ratio ≥ 0.3',
          },
          {
            name: 'ingest vs saturated 921600-baud line',
            value: fps(t.median), unit: 'frames/s', baseline: lineRate, ratio: fps(t.median) / lineRate,
            note: `baseline: ${lineRate.toFixed(1)} frames/s of ${bytesPerLineFrame.toFixed(0)} bytes at 921600 baud 8N1; goal ratio ≥ 100`,
          },
          {
            name: 'journal bytes per 64-site frame',
            value: perFrame, unit: 'bytes', baseline: bytesPerLineFrame, ratio: perFrame / bytesPerLineFrame,
            note: 'baseline: the same frame on the serial line',
          },
        ];
      },
    ];
  },
};
