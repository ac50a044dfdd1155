import { afterEach, describe, expect, it, vi } from 'vitest';
import { NEVER, Subject } from 'rxjs';
import { defaultSourceSites, runCalibration } from '../../calibration/procedure.ts';
import { SimRingDevice } from '../../drivers/sim/device.ts';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { DeviceState, RingDevice, SequenceGap } from '../../src/contracts/device.ts';

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

/** A device that answers commands but never delivers a frame. */
function silentDevice(): RingDevice & { streaming: boolean } {
  const dev = {
    streaming: false,
    frames$: NEVER, state$: new Subject<DeviceState>(), gaps$: new Subject<SequenceGap>(),
    connect: async () => ({ model: 'M', serial: 'S', firmware: 'f', protocolVersion: '1.0' }),
    identify: async () => ({ model: 'M', serial: 'S', firmware: 'f', protocolVersion: '1.0' }),
    configuration: async () => ({ sites: 16, sourceWidth: 0.15, maxAmplitude: 10 }),
    setSource: async () => {},
    sweep: async () => {},
    startStreaming: async () => { dev.streaming = true; },
    stopStreaming: async () => { dev.streaming = false; },
    status: async () => ({ state: 'connected' as const, streaming: dev.streaming, source: { site: 0, amplitude: 1, omega: 1 } }),
    counters: () => ({ frames: 0, bytes: 0, checksumErrors: 0, rejects: {}, gaps: 0, missingFrames: 0, reconnects: 0 }),
    close: async () => {},
  };
  return dev;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('calibration procedure', () => {
  it('default source sites: spread, include an adjacent pair, and their differences share no factor with N', () => {
    for (const n of [8, 16, 33, 64, 100, 512]) {
      const s = defaultSourceSites(n);
      expect(s).toContain(0);
      expect(s).toContain(1);
      expect(new Set(s).size).toBe(s.length);
      expect(s.every((v) => Number.isInteger(v) && v >= 0 && v < n)).toBe(true);
      expect(s.reduce((g, v) => gcd(g, v - s[0]), n)).toBe(1);
    }
    expect(defaultSourceSites(64)).toHaveLength(17);
  });

  it('reports progress up to the total and leaves streaming as it found it', async () => {
    const device = new SimRingDevice({ sim: new RingSimulator({ seed: 2, sites: 32 }), speed: 2000 });
    await device.connect();
    const seen: [number, number][] = [];
    const { record, frames } = await runCalibration(device, { sourceSites: [0, 1, 9, 20], omegas: [0.5, 1], framesPerSetting: 2, offFrames: 4, solve: { reference: { kind: 'unit-mean' } }, onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.length).toBe(1 + 4 * 2);
    expect(seen.every(([d, t], i) => t === 4 + 4 * 2 * 2 && (i === 0 || d > seen[i - 1][0]))).toBe(true);
    expect(seen.at(-1)![0]).toBe(20);
    expect(frames).toHaveLength(20);
    expect(record.method.sourceSites).toEqual([0, 1, 9, 20]);
    expect((await device.status()).streaming).toBe(false);
    await device.close();
  });

  it('a device that delivers no frames → RING_ERR_CALIB_DEVICE after the setting timeout (virtual time)', async () => {
    vi.useFakeTimers();
    const dev = silentDevice();
    const run = runCalibration(dev, { settingTimeoutMs: 5000 });
    const check = expect(run).rejects.toMatchObject({ code: 'RING_ERR_CALIB_DEVICE' });
    await vi.advanceTimersByTimeAsync(5001);
    await check;
    expect(dev.streaming).toBe(false);
  });

  it('refuses source sites outside the ring before measuring', async () => {
    await expect(runCalibration(silentDevice(), { sourceSites: [0, 16] })).rejects.toMatchObject({ code: 'RING_ERR_ARG_INVALID' });
  });
});
