import { describe, expect, it } from 'vitest';
import { Subject, from, lastValueFrom, toArray } from 'rxjs';
import { RingSimulator } from '../../drivers/sim/simulator.ts';
import type { CalibratedFrame, CalibrationRecord } from '../../src/contracts/calibration.ts';
import type { DeviceIdentity } from '../../src/contracts/device.ts';
import type { RingFrame } from '../../src/contracts/frame.ts';
import { calibrate } from '../../src/pipeline/calibrate.ts';
import { truthRecord } from './support/truthRecord.ts';

const ident: DeviceIdentity = { model: 'HR-SIM', serial: 'SIM-0001', firmware: 'sim', protocolVersion: '1.0' };
const run = (frames: RingFrame[], record: CalibrationRecord | null | Subject<CalibrationRecord | null>, identity = ident): Promise<CalibratedFrame[]> =>
  lastValueFrom(from(frames).pipe(calibrate({ record, identity }), toArray()));

describe('calibrate operator', () => {
  it('with the exact injected errors, recovers the ideal response of noiseless frames', async () => {
    const sim = new RingSimulator({ seed: 2, noise: 0, noiseFloor: 0 });
    const rec = truthRecord(sim);
    const frames = [0.5, 3, 7.25].map((omega, i) => sim.frame({ omega, sourceSite: 9 * i }));
    const out = await run(frames, rec);
    out.forEach((f, i) => {
      const ideal = sim.idealResponse({ omega: frames[i].omega, sourceSite: frames[i].sourceSite, amplitude: 1 });
      expect(f.status).toBe('calibrated');
      expect(f.calibrationVersion).toBe(rec.version);
      for (let j = 0; j < 64; j++) {
        expect(Math.abs(f.x[j] - ideal.re[j])).toBeLessThan(1e-12 * (1 + Math.abs(ideal.re[j])));
        expect(Math.abs(f.y[j] - ideal.im[j])).toBeLessThan(1e-12 * (1 + Math.abs(ideal.im[j])));
      }
    });
  });

  it('keeps the raw frame untouched and available', async () => {
    const sim = new RingSimulator({ seed: 2 });
    const frame = sim.frame({ omega: 1, sourceSite: 3 });
    const copy = Float64Array.from(frame.x);
    const [out] = await run([frame], truthRecord(sim));
    expect(out.raw).toBe(frame);
    expect(Array.from(out.raw.x)).toEqual(Array.from(copy));
    expect(out.x).not.toBe(frame.x);
  });

  it('flags frames of a device whose identity does not match, and leaves them raw', async () => {
    const sim = new RingSimulator({ seed: 2 });
    const rec = truthRecord(sim);
    const frame = sim.frame({ omega: 1 });
    for (const other of [{ ...ident, serial: 'SIM-0002' }, { ...ident, model: 'HR-64' }]) {
      const [out] = await run([frame], rec, other);
      expect(out.status).toBe('identity-mismatch');
      expect(out.calibrationVersion).toBeNull();
      expect(out.x).toBe(frame.x);
      expect(out.siteSigma).toBeUndefined();
    }
    // firmware differences do not matter
    const [same] = await run([frame], rec, { ...ident, firmware: '2.0' });
    expect(same.status).toBe('calibrated');
  });

  it('flags a record that does not fit the frame, and frames with no record', async () => {
    const small = new RingSimulator({ seed: 2, sites: 32 });
    const big = new RingSimulator({ seed: 2 });
    const [mis] = await run([small.frame({ omega: 1 })], truthRecord(big));
    expect(mis.status).toBe('record-mismatch');
    const [none] = await run([big.frame({ omega: 1 })], null);
    expect(none.status).toBe('uncalibrated');
    expect(none.calibrationVersion).toBeNull();
  });

  it('switches records while running; every frame names the version it was calibrated with', async () => {
    const sim = new RingSimulator({ seed: 2 });
    const a = truthRecord(sim);
    const b = truthRecord(new RingSimulator({ seed: 3 }));
    const record$ = new Subject<CalibrationRecord | null>();
    const frames$ = new Subject<RingFrame>();
    const seen: (string | null)[] = [];
    frames$.pipe(calibrate({ record: record$, identity: ident })).subscribe((f) => seen.push(f.calibrationVersion));
    frames$.next(sim.frame({ omega: 1 }));
    record$.next(a);
    frames$.next(sim.frame({ omega: 1 }));
    record$.next(b);
    frames$.next(sim.frame({ omega: 1 }));
    record$.next(null);
    frames$.next(sim.frame({ omega: 1 }));
    expect(seen).toEqual([null, a.version, b.version, null]);
  });

  it('per-site σ describes the scatter of calibrated readings about the ideal response', async () => {
    const sim = new RingSimulator({ seed: 8 });
    const frames = Array.from({ length: 40 }, (_, i) => sim.frame({ omega: 2, sourceSite: i % 64 }));
    const out = await run(frames, truthRecord(sim));
    let s2 = 0;
    let n = 0;
    out.forEach((f) => {
      const ideal = sim.idealResponse({ omega: 2, sourceSite: f.sourceSite, amplitude: 1 });
      for (let j = 0; j < 64; j++) {
        s2 += ((f.x[j] - ideal.re[j]) / f.siteSigma![j]) ** 2 + ((f.y[j] - ideal.im[j]) / f.siteSigma![j]) ** 2;
        n += 2;
      }
    });
    expect(Math.sqrt(s2 / n)).toBeGreaterThan(0.9);
    expect(Math.sqrt(s2 / n)).toBeLessThan(1.1);
  });
});
