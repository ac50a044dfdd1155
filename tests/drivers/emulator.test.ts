import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DeviceMessage } from '../../drivers/ring/codec.ts';
import { RingDecoder } from '../../drivers/ring/decoder.ts';
import { RingEmulator } from '../../drivers/ring/emulator.ts';
import { NO_FAULTS, type FaultPlan, parseControlLine, parseScenario, parseWindow } from '../../drivers/ring/faults.ts';
import { RingDeviceModel } from '../../drivers/ring/model.ts';
import { SequenceTracker } from '../../drivers/ring/sequence.ts';
import { SimRingDevice } from '../../drivers/sim/device.ts';
import { RingSimulator, frequencyGrid } from '../../drivers/sim/simulator.ts';

/** An emulator whose output is decoded as the host would; time is virtual (fake timers). */
function bench(faults: Partial<FaultPlan> = {}, rate = 20) {
  const model = new RingDeviceModel({ sim: new RingSimulator({ sites: 8, seed: 2 }), rate });
  const emu = new RingEmulator({ model, faults: { ...NO_FAULTS, ...faults } });
  const got: { at: number; m: DeviceMessage }[] = [];
  const dec = new RingDecoder((m) => got.push({ at: Date.now(), m }));
  emu.attach({ write: (b) => (dec.push(Buffer.from(b)), true) });
  emu.start();
  const send = (line: string): void => emu.receive(Buffer.from(line + '\n'));
  const replies = () => got.filter((g) => g.m.type === 'reply').map((g) => g.m as Extract<DeviceMessage, { type: 'reply' }>);
  const data = () => got.filter((g) => g.m.type === 'data').map((g) => (g.m as Extract<DeviceMessage, { type: 'data' }>).frame);
  return { emu, model, got, dec, send, replies, data };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('emulator protocol server', () => {
  it('answers every command line, refusing bad arguments and over-long lines', () => {
    const b = bench();
    for (const l of ['SOUR:SITE 3', 'sour:ampl 0.25', 'SOUR:FREQ 2.5', 'STAT?', 'SOUR:SITE 8', 'SOUR:AMPL abc', 'STRM MAYBE', 'SWE 1,2', 'CONF? 1', 'X'.repeat(400)]) b.send(l);
    const r = b.replies();
    expect(r.map((x) => [x.command, x.ok, x.ok ? '' : x.fields[0]])).toEqual([
      ['SOUR:SITE', true, ''], ['SOUR:AMPL', true, ''], ['SOUR:FREQ', true, ''], ['STAT?', true, ''],
      ['SOUR:SITE', false, 'BAD_ARGUMENT'], ['SOUR:AMPL', false, 'BAD_ARGUMENT'], ['STRM', false, 'BAD_ARGUMENT'],
      ['SWE', false, 'BAD_ARGUMENT'], ['CONF?', false, 'BAD_ARGUMENT'], ['?', false, 'LINE_TOO_LONG'],
    ]);
    expect(r[3].fields).toEqual(['0', '3', '0.25', '2.5', '-1', '0', '0.01']);
    expect(b.dec.rejects).toMatchObject({ RING_ERR_CHECKSUM: 0, RING_ERR_FRAME_MALFORMED: 0 });
    b.emu.stop();
  });

  it('a sweep started at an index visits the remaining points, dwell × rate frames each, then reports SWEEP_DONE', async () => {
    const b = bench({}, 20);
    b.send('SWE 1,3,0.5,200,2');
    await vi.advanceTimersByTimeAsync(5000);
    const grid = frequencyGrid(1, 3, 0.5).slice(2);
    const omegas = b.data().map((f) => f.omega);
    expect(omegas).toEqual(grid.flatMap((w) => [w, w, w, w]));
    expect(b.got.at(-1)!.m).toMatchObject({ type: 'event', name: 'SWEEP_DONE', fields: ['5'] });
    expect(b.data().map((f) => f.seq)).toEqual(omegas.map((_, i) => i));
    b.emu.stop();
  });

  it('STRM OFF names the last frame numbered since boot (−1 before the first), and none is numbered after it', async () => {
    const b = bench({}, 20);
    b.send('STRM OFF');
    b.send('STRM ON');
    await vi.advanceTimersByTimeAsync(1000);
    b.send('STRM OFF');
    await vi.advanceTimersByTimeAsync(1000);
    const offs = b.replies().filter((r) => r.command === 'STRM').map((r) => r.fields);
    expect(offs).toEqual([['-1'], [], [String(b.emu.stats().numberings[0].lastSeq)]]);
    expect(b.data().at(-1)!.seq).toBe(b.emu.stats().numberings[0].lastSeq);
    expect(b.data()).toHaveLength(20);
    b.emu.stop();
  });

  it('delays replies by the configured time and holds them through a stall', async () => {
    const b = bench({ replyDelayMs: 300, events: [{ at: 1, stall: 2 }] });
    b.send('*IDN?');
    await vi.advanceTimersByTimeAsync(299);
    expect(b.replies()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.replies()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(700); // t = 1000: the stall starts
    b.send('STRM ON');
    await vi.advanceTimersByTimeAsync(1999);
    expect(b.replies()).toHaveLength(1);
    expect(b.data()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.replies()).toHaveLength(2);
    // frames resume at the end of the stall: ticks at 3000, 3050, …, 3950 ms
    await vi.advanceTimersByTimeAsync(999);
    expect(b.data().length).toBe(20);
    b.emu.stop();
  });
});

describe('fault plans and scenarios', () => {
  it('numbers no frame once held', async () => {
    const b = bench({ drop: 0.3 }, 20);
    b.send('STRM ON');
    await vi.advanceTimersByTimeAsync(1000);
    const first = b.data().map((f) => f.seq);
    b.emu.reboot();
    b.send('STRM ON');
    await vi.advanceTimersByTimeAsync(500);
    b.emu.hold();
    await vi.advanceTimersByTimeAsync(2000);
    const s = b.emu.stats();
    expect(s.numberings.map((n) => n.numbered)).toEqual([20, 10]);
    expect(s.numbered).toBe(s.sent + s.dropped + s.unsent);
    expect(first.at(-1)!).toBeLessThan(20);
    expect(b.data().slice(first.length).every((f) => f.seq < 10)).toBe(true);
    b.emu.stop();
  });

  it('parses a scenario and refuses bad ones naming the field', () => {
    expect(parseScenario('{"rate": 50, "events": [{"at": 1, "stall": 2}, {"at": 3, "corrupt": 0.1}]}')).toMatchObject({ rate: 50, events: [{ at: 1, stall: 2 }, { at: 3, corrupt: 0.1 }] });
    expect(() => parseScenario('{')).toThrow(expect.objectContaining({ code: 'RING_ERR_SCENARIO_INVALID' }));
    expect(() => parseScenario('{"rat": 5}')).toThrow(expect.objectContaining({ code: 'RING_ERR_SCENARIO_INVALID' }));
    expect(() => parseScenario('{"corrupt": 2}')).toThrow(/corrupt/);
    expect(() => parseScenario('{"events": [{"at": 1, "stall": 0}]}')).toThrow(/events\.0/);
    expect(parseWindow('--stall', '10:2.5')).toEqual({ at: 10, seconds: 2.5 });
    expect(() => parseWindow('--stall', '10')).toThrow(/--stall.*AT:SECONDS/);
  });
});

describe('control channel', () => {
  it('plays a fault event at once, whatever the timeline: a stall injected at run time stops the frames for its time', async () => {
    const b = bench({}, 20);
    b.send('STRM ON');
    await vi.advanceTimersByTimeAsync(1000);
    const before = b.data().length;
    b.emu.inject(parseControlLine('{"stall": 2}'));
    await vi.advanceTimersByTimeAsync(1990);
    expect(b.data()).toHaveLength(before);
    await vi.advanceTimersByTimeAsync(1010);
    expect(b.data().length).toBeGreaterThan(before + 15);
    b.emu.stop();
  });

  it('parses one event a line, `at` optional, and refuses anything else with RING_ERR_SCENARIO_INVALID', () => {
    expect(parseControlLine('{"corrupt": 0.02}')).toEqual({ at: 0, corrupt: 0.02 });
    expect(parseControlLine('{"at": 5, "unplug": 3}')).toEqual({ at: 5, unplug: 3 });
    expect(() => parseControlLine('stall 3')).toThrow(expect.objectContaining({ code: 'RING_ERR_SCENARIO_INVALID' }));
    expect(() => parseControlLine('{"stall": 0}')).toThrow(/not a fault event/);
    expect(() => parseControlLine('[1]')).toThrow(expect.objectContaining({ code: 'RING_ERR_SCENARIO_INVALID' }));
  });
});

describe('sequence tracking', () => {
  it('sees gaps across the 2^32 wrap and treats a jump backwards as a restart', () => {
    const t = new SequenceTracker();
    const seqs = [0xfffffffd, 0xfffffffe, 0xffffffff, 0, 1, 4, 5, 2, 3];
    const gaps = seqs.map((s) => t.see(s, 0)).filter((g) => g !== null);
    expect(gaps).toEqual([{ after: 1, missing: 2, atMs: 0 }]);
    expect([t.gaps, t.missing, t.resets]).toEqual([1, 2, 1]);
    const u = new SequenceTracker();
    u.see(0xfffffffe, 0);
    expect(u.see(1, 5)).toEqual({ after: 0xfffffffe, missing: 2, atMs: 5 });
  });
});

describe('in-process simulated device (virtual time)', () => {
  it('streams at its frame rate, flagged SIMULATED, and stops on request', async () => {
    const d = new SimRingDevice({ sim: new RingSimulator({ sites: 8, seed: 1 }), rate: 25 });
    const frames: number[] = [];
    d.frames$.subscribe((f) => frames.push(f.deviceTimeUs));
    await d.connect();
    await d.startStreaming();
    await vi.advanceTimersByTimeAsync(2000);
    await d.stopStreaming();
    await vi.advanceTimersByTimeAsync(1000);
    expect(frames).toHaveLength(50);
    expect(frames.slice(1).map((t, i) => t - frames[i])).toEqual(new Array(49).fill(40_000));
    await d.close();
  });
});
