import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCapture, type Capture } from '../../drivers/ring/capture.ts';
import { createReplayDevice } from '../../drivers/ring/replay.ts';
import { emulatorRig } from '../drivers/rig.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** What `probe --capture` records: identify, stream for a while, stop. */
async function probeSession(): Promise<{ capture: Capture; seqs: number[] }> {
  const rig = emulatorRig({ rate: 20 });
  await rig.device.connect();
  await rig.device.startStreaming();
  await vi.advanceTimersByTimeAsync(2000);
  await rig.device.close();
  rig.emulator.stop();
  return { capture: parseCapture(rig.capture.text()), seqs: rig.frames.map((f) => f.seq) };
}

/** What the daemon does with a device: identify, set the source, run a sweep. */
async function daemonLike(capture: Capture, follow?: 'session'): Promise<{ seqs: number[]; error: unknown }> {
  const d = createReplayDevice(capture, { speed: Infinity, follow });
  const seqs: number[] = [];
  d.frames$.subscribe((f) => seqs.push(f.seq));
  let error: unknown = null;
  try {
    await d.connect();
    await d.setSource({ site: 0, amplitude: 1 });
    await d.sweep({ start: 0.25, stop: 12, step: 0.25, dwellMs: 200 });
    await vi.advanceTimersByTimeAsync(100);
  } catch (e) {
    error = e;
  }
  await d.close();
  return { seqs, error };
}

describe('a capture of a probe session replays into a host that drives the device its own way', () => {
  it('session mode: every recorded frame arrives, in order; the host\'s own commands are answered', async () => {
    const rec = await probeSession();
    expect(rec.seqs.length).toBeGreaterThan(30);
    const r = await daemonLike(rec.capture, 'session');
    expect(r.error).toBeNull();
    expect(r.seqs).toEqual(rec.seqs);
  });

  it('the strict mode (re-running a recorded procedure) still refuses a different command', async () => {
    const rec = await probeSession();
    const r = await daemonLike(rec.capture);
    expect(r.error).toMatchObject({ code: 'RING_ERR_REPLAY_DIVERGED' });
  });
});
