import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Subject } from 'rxjs';
import type { DeviceState } from '../../src/contracts/device.ts';
import { encodeReply, encodeEvent } from '../../drivers/ring/codec.ts';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';
import { SerialRingDevice, SERIAL_DEFAULTS } from '../../drivers/ring/serialDevice.ts';
import type { SimpleLink } from '../../drivers/ring/transport.ts';
import { DEVICE_TRANSITIONS } from '../../drivers/ring/stateMachine.ts';
import { emulatorRig, scripted } from './rig.ts';

const IDN_OK = (link: SimpleLink): void => link.deliver(encodeReply('*IDN?', true, ['RING', 'SN9', '2.1', '1.3']));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('serial driver: command waiter', () => {
  it('registers the matcher before writing: a reply delivered during the write is not lost', async () => {
    const dev = new SerialRingDevice({ transport: scripted((line, link) => line.startsWith('*IDN?') && IDN_OK(link)) });
    await expect(dev.connect()).resolves.toMatchObject({ model: 'RING', protocolVersion: '1.3' });
    await dev.close();
  });

  it('rejects on timeout naming the command, after exactly the timeout in virtual time', async () => {
    const dev = new SerialRingDevice({ transport: scripted(() => undefined), commandTimeoutMs: 1500 });
    const p = dev.connect();
    let err: unknown;
    p.catch((e) => (err = e));
    await vi.advanceTimersByTimeAsync(1499);
    expect(err).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2);
    expect(err).toMatchObject({ code: 'RING_ERR_TIMEOUT' });
    expect((err as Error).message).toContain('*IDN?');
    expect(dev.state).toBe('disconnected');
    await dev.close();
  });

  it('counts a late reply as unexpected and does not hand it to the next command', async () => {
    let n = 0;
    const dev = new SerialRingDevice({
      transport: scripted((line, link) => {
        if (line.startsWith('*IDN?')) IDN_OK(link);
        if (line.startsWith('CONF?') && n++ === 0) setTimeout(() => link.deliver(encodeReply('CONF?', true, ['8', '0.15', '10'])), 3000);
        if (line.startsWith('STAT?')) link.deliver(encodeReply('STAT?', true, ['0', '1', '1', '2', '-1', '0', '0.01']));
      }),
    });
    await dev.connect();
    const c = dev.configuration();
    c.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(SERIAL_DEFAULTS.commandTimeoutMs + 1);
    await expect(c).rejects.toMatchObject({ code: 'RING_ERR_TIMEOUT' });
    const s = dev.status();
    await vi.advanceTimersByTimeAsync(2000);
    await expect(s).resolves.toMatchObject({ source: { site: 1, amplitude: 1, omega: 2 } });
    expect(dev.counters().rejects.RING_ERR_REPLY_UNEXPECTED).toBe(1);
    await dev.close();
  });

  it('refuses a device speaking another major protocol version with a clear error', async () => {
    const dev = new SerialRingDevice({ transport: scripted((line, link) => link.deliver(encodeReply('*IDN?', true, ['RING', 'SN9', '9.0', '2.0']))) });
    await expect(dev.connect()).rejects.toMatchObject({ code: 'RING_ERR_PROTOCOL_VERSION', message: expect.stringMatching(/speaks protocol 2\.0.*1\.x/) });
    expect(dev.state).toBe('disconnected');
    await dev.close();
  });

  it('gets an error reply (not silence) for an unknown command', async () => {
    const { emulator } = emulatorRig();
    const out: Buffer[] = [];
    emulator.attach({ write: (b) => (out.push(Buffer.from(b)), true) });
    emulator.receive(Buffer.from('FROB 1,2\n*idn?\n'));
    const text = Buffer.concat(out).toString('latin1');
    expect(text).toContain(encodeEvent('BOOT', ['1.1']).toString('latin1'));
    expect(text).toContain('$R,FROB,ERR,UNKNOWN_COMMAND,');
    expect(text).toContain('$R,*IDN?,OK,');
    emulator.stop();
  });
});

describe('serial driver over the emulator (virtual time)', () => {
  it('records sequence gaps and checksum failures exactly as the emulator injected them', async () => {
    const rig = emulatorRig({ faults: { drop: 0.1, corrupt: 0.1 }, rate: 50 });
    const gaps: number[] = [];
    rig.device.gaps$.subscribe((g) => gaps.push(g.missing));
    const rejects: { code: string; context: Record<string, unknown> }[] = [];
    rig.device.rejects$.subscribe((e) => rejects.push(e));
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(20_000);
    await rig.device.stopStreaming();
    await vi.advanceTimersByTimeAsync(100);
    const s = rig.emulator.stats();
    const c = rig.device.counters();
    expect(s.dropped).toBeGreaterThan(30);
    expect(s.corrupted).toBeGreaterThan(30);
    expect(c.checksumErrors).toBe(s.corrupted);
    expect(rejects).toHaveLength(s.corrupted);
    // each reject names the port and the last good sequence number before it
    for (const r of rejects) expect(r).toMatchObject({ code: 'RING_ERR_CHECKSUM', context: { port: 'in-process emulator', lastGoodSeq: expect.any(Number) } });
    expect(c.frames).toBe(s.sent - s.corrupted);
    // every frame that did not arrive intact is counted missing (a last frame lost at the very end cannot be seen)
    const lost = s.dropped + s.corrupted;
    expect(c.missingFrames).toBeGreaterThanOrEqual(lost - 2);
    expect(c.missingFrames).toBeLessThanOrEqual(lost);
    expect(gaps.reduce((a, b) => a + b, 0)).toBe(c.missingFrames);
    expect(gaps.length).toBe(c.gaps);
    // frame seqs are increasing and every gap size matches the hole in the seqs
    const seqs = rig.frames.map((f) => f.seq);
    const holes = seqs.slice(1).map((q, i) => q - seqs[i] - 1).filter((d) => d > 0);
    expect(holes).toEqual(gaps);
    await rig.device.close();
  });

  it('a short stall reads as stalled, then streaming again, without a reconnect', async () => {
    const rig = emulatorRig({ faults: { events: [{ at: 3, stall: 4 }] } });
    const states: DeviceState[] = [];
    rig.device.state$.subscribe((s) => states.push(s));
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(states).toEqual(['disconnected', 'connecting', 'connected', 'streaming', 'stalled', 'streaming']);
    expect(rig.device.counters().reconnects).toBe(0);
    for (let i = 1; i < states.length; i++) expect(DEVICE_TRANSITIONS[states[i - 1]]).toContain(states[i]);
    await rig.device.close();
  });

  it('a long stall trips the watchdog: the link is dropped and reopened', async () => {
    const rig = emulatorRig({ faults: { events: [{ at: 1, stall: 30 }] } });
    await rig.device.connect();
    await rig.device.startStreaming();
    await vi.advanceTimersByTimeAsync(1000 + SERIAL_DEFAULTS.stallReconnectMs + 500);
    // the link was dropped and reopened; the device stays silent, so re-identification keeps failing
    expect(rig.transport.attempts.length).toBeGreaterThanOrEqual(2);
    expect(rig.device.counters().reconnects).toBe(0);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(rig.device.counters().reconnects).toBe(1);
    expect(rig.device.state).toBe('streaming');
    const n = rig.frames.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(rig.frames.length).toBeGreaterThan(n + 10);
    await rig.device.close();
  });

  it('a device that reboots under it is re-identified and its sweep resumed', async () => {
    const rig = emulatorRig({ faults: { events: [{ at: 2.5, reboot: true }] } });
    const spec = { start: 1, stop: 3, step: 0.5, dwellMs: 1000 };
    await rig.device.connect();
    await rig.device.sweep(spec);
    await vi.advanceTimersByTimeAsync(8000);
    const tx = rig.capture.events.filter((e) => 'tx' in e).map((e) => ('tx' in e ? e.tx : ''));
    expect(tx).toEqual(['*IDN?\n', 'SWE 1,3,0.5,1000\n', '*IDN?\n', 'SWE 1,3,0.5,1000,2\n']);
    expect([...new Set(rig.frames.map((f) => f.omega))]).toEqual([1, 1.5, 2, 2.5, 3]);
    // the restarted numbering is marked, never two frames with one seq unmarked
    expect(rig.device.counters()).toMatchObject({ reconnects: 1, sequenceResets: 1 });
    await rig.device.close();
  });

  it('reconnects with exponential backoff after an unplug, re-identifies and resumes the sweep where it stopped', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const rig = emulatorRig({ faults: { events: [{ at: 5, disconnect: 3 }] }, device: { logger } });
    const spec = { start: 0.5, stop: 4, step: 0.5, dwellMs: 1000 };
    const grid = frequencyGrid(spec.start, spec.stop, spec.step);
    const done = new Subject<void>();
    let finished = false;
    rig.device.events$.subscribe((e) => e.type === 'sweep-done' && ((finished = true), done.next()));
    await rig.device.connect();
    await rig.device.sweep(spec);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(finished).toBe(true);
    // backoff: the port is gone at t=5 s for 3 s; attempts at +250, +750, +1750 ms fail, +3750 ms succeeds
    const t0 = rig.transport.attempts[0].at;
    const b = SERIAL_DEFAULTS.backoff;
    const expected: number[] = [];
    for (let k = 0, t = 5000; expected.length < 4; k++) {
      t += Math.min(b.maxMs, b.initialMs * b.factor ** k);
      expected.push(t);
    }
    expect(rig.transport.attempts.slice(1).map((a) => a.at - t0)).toEqual(expected);
    expect(rig.transport.attempts.map((a) => a.ok)).toEqual([true, false, false, false, true]);
    expect(rig.device.counters().reconnects).toBe(1);
    // re-identified after the reconnect
    const tx = rig.capture.events.filter((e) => 'tx' in e).map((e) => ('tx' in e ? e.tx : ''));
    expect(tx.filter((t) => t === '*IDN?\n')).toHaveLength(2);
    // resumed at the point in progress when the port vanished: every point is covered, in order
    const omegas = rig.frames.map((f) => f.omega);
    const lastBefore = omegas[omegas.findIndex((_, i) => rig.frames[i + 1] && rig.frames[i + 1].seq < rig.frames[i].seq)];
    const resumeCmd = tx.find((t) => t.startsWith('SWE') && t.split(',').length === 5);
    expect(resumeCmd).toBe(`SWE 0.5,4,0.5,1000,${grid.indexOf(lastBefore)}\n`);
    expect([...new Set(omegas)]).toEqual(grid);
    // the device rebooted while unplugged: its numbering restarted, and that is marked
    expect(rig.device.counters().sequenceResets).toBe(1);
    // the story is in the structured log of the device component
    const log = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.component === 'device');
    expect(log.filter((o) => o.event === 'reconnect-scheduled').map((o) => o.delayMs)).toEqual([250, 500, 1000, 2000]);
    expect(log.filter((o) => o.event === 'reconnect-failed').map((o) => o.code)).toEqual(['RING_ERR_PORT_OPEN', 'RING_ERR_PORT_OPEN', 'RING_ERR_PORT_OPEN']);
    expect(log.find((o) => o.event === 'link-lost')).toMatchObject({ reason: 'disconnected', port: 'in-process emulator' });
    expect(log.filter((o) => o.event === 'reconnected')).toHaveLength(1);
    await rig.device.close();
  });
});
