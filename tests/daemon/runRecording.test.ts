import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RingDevice } from '../../src/contracts/device.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { recordRun } from '../../src/daemon/runRecording.ts';
import { silentLogger } from '../../src/log.ts';
import type { RunRecorder } from '../../src/storage/run.ts';

/** A device and a run recorder reduced to what the recording uses (unit test: stand-ins, no bytes, no files). */
function rig() {
  const frames = new Subject<RingFrame>();
  const device = { state$: new Subject(), gaps$: new Subject(), events$: new Subject(), counters: () => ({}) } as unknown as RingDevice;
  const docs: Record<string, unknown>[] = [];
  const run = {
    document: (d: Record<string, unknown>) => docs.push(d),
    journalFrame: () => 'journaled',
    journalStats: () => ({ frames: { frames: 0, dropped: 0 }, calibration: null }),
    newSegment: () => undefined,
  } as unknown as RunRecorder;
  const rec = recordRun(run, device, frames, silentLogger());
  const send = (...seqs: number[]): void => seqs.forEach((seq) => frames.next({ seq } as RingFrame));
  return { rec, docs, send };
}

describe('run recording of a continued run', () => {
  it('documents the frames numbered while no daemon ran as a downtime gap with its count', () => {
    const r = rig();
    r.rec.resumedAfter(6258);
    r.send(6441, 6442);
    expect(r.docs).toEqual([{ type: 'gap', cause: 'downtime', after: 6258, missing: 182, from: 6259, to: 6440, reason: '182 frame(s) sent while the daemon was not running' }]);
    expect(r.rec.accounting({}).missing).toEqual({ downtime: 182 });
  });

  it('also when the first frame came before the journal was replayed', () => {
    const r = rig();
    r.send(20);
    r.rec.resumedAfter(9);
    expect(r.docs).toMatchObject([{ cause: 'downtime', after: 9, missing: 10, from: 10, to: 19 }]);
  });

  it('writes no count when the numbering went on without a hole, or restarted meanwhile (unknowable)', () => {
    for (const first of [10, 3]) {
      const r = rig();
      r.rec.resumedAfter(9);
      r.send(first, first + 1);
      expect(r.docs).toEqual([]);
      expect(r.rec.accounting({}).missing).toEqual({});
    }
    const fresh = rig();
    fresh.send(0, 5);
    expect(fresh.docs).toEqual([]);
  });
});
