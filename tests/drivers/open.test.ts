import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { openDevice, parseDeviceSpec } from '../../drivers/ring/open.ts';
import { FrameFlags } from '../../src/contracts/frame.ts';

describe('device specs', () => {
  it('parses every kind and refuses nonsense naming the accepted forms', () => {
    expect(parseDeviceSpec('emulator')).toEqual({ kind: 'emulator', seed: undefined });
    expect(parseDeviceSpec('sim:7')).toEqual({ kind: 'sim', seed: 7 });
    expect(parseDeviceSpec('replay:/tmp/a.capture@4')).toEqual({ kind: 'replay', file: '/tmp/a.capture', speed: 4 });
    expect(parseDeviceSpec('replay:a.capture@inf')).toEqual({ kind: 'replay', file: 'a.capture', speed: Infinity });
    expect(parseDeviceSpec('/dev/ttyUSB0')).toEqual({ kind: 'serial', port: '/dev/ttyUSB0' });
    expect(() => parseDeviceSpec('emulator:x')).toThrow(/seed.*emulator\[:SEED\]/);
    expect(() => parseDeviceSpec('replay:a@0')).toThrow(expect.objectContaining({ code: 'RING_ERR_ARG_INVALID' }));
  });

  it('the in-process emulator and the simulator with the same seed inject the same calibration errors', async () => {
    const a = openDevice({ kind: 'emulator', seed: 5, sites: 8, rate: 200 });
    const b = openDevice({ kind: 'sim', seed: 5, sites: 8, rate: 200 });
    expect(a.simulator!.truth()).toEqual(b.simulator!.truth());
    for (const { device } of [a, b]) {
      expect(await device.connect()).toMatchObject({ serial: 'SIM-5' });
      const frames = firstValueFrom(device.frames$.pipe(take(3), toArray()));
      await device.startStreaming();
      for (const f of await frames) expect(f.flags & FrameFlags.SIMULATED).toBeTruthy();
    }
    await a.dispose();
    await b.dispose();
  });
});
