import { firstValueFrom, lastValueFrom, take, takeWhile, timeout, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import type { RingDevice } from '../../src/contracts/device.ts';
import { FrameFlags, type FrameSource, type RingFrame } from '../../src/contracts/frame.ts';
import { isCompatibleVersion } from '../../drivers/ring/protocol.ts';
import { frequencyGrid } from '../../drivers/sim/simulator.ts';

/**
 * The device contract, one suite for every implementation. A target runs each
 * case against a fresh device (and cleans it up). Real time, bounded waits.
 */
export interface ContractTarget {
  /** Runs a case on a fresh device; `source` is the frame label that device must give. */
  run(c: (d: RingDevice, source: FrameSource) => Promise<void>): Promise<void>;
  /** Whether frames must carry FrameFlags.SIMULATED (undefined: not checked). */
  simulated?: boolean;
}

export const take$ = (d: RingDevice, n: number, ms = 15_000): Promise<RingFrame[]> => firstValueFrom(d.frames$.pipe(take(n), toArray(), timeout(ms)));

export function deviceContract(t: ContractTarget): void {
  it('refuses commands before connect, identifies at connect with a compatible protocol version', () =>
    t.run(async (d) => {
      await expect(d.configuration()).rejects.toMatchObject({ code: 'RING_ERR_NOT_CONNECTED' });
      const id = await d.connect();
      for (const v of [id.model, id.serial, id.firmware]) expect(v.length).toBeGreaterThan(0);
      expect(isCompatibleVersion(id.protocolVersion)).toBe(true);
      expect(await d.identify()).toEqual(id);
      expect(await firstValueFrom(d.state$)).toBe('connected');
      const conf = await d.configuration();
      expect(Number.isInteger(conf.sites) && conf.sites >= 4).toBe(true);
      expect(conf.sourceWidth).toBeGreaterThan(0);
      expect(conf.maxAmplitude).toBeGreaterThan(0);
    }));

  it('streams frames that carry the source settings, in sequence, labelled by origin', () =>
    t.run(async (d, source) => {
      await d.connect();
      const { sites } = await d.configuration();
      await d.setSource({ site: 2, amplitude: 0.5, omega: 1.75 });
      const got = take$(d, 8);
      await d.startStreaming();
      expect(await firstValueFrom(d.state$)).toBe('streaming');
      const frames = await got;
      await d.stopStreaming();
      expect(await firstValueFrom(d.state$)).toBe('connected');
      for (const f of frames) {
        expect([f.sourceSite, f.amplitude, f.omega, f.x.length, f.y.length]).toEqual([2, 0.5, 1.75, sites, sites]);
        expect(f.source).toBe(source);
        if (t.simulated !== undefined) expect((f.flags & FrameFlags.SIMULATED) !== 0).toBe(t.simulated);
        expect([...f.x, ...f.y].every(Number.isFinite)).toBe(true);
      }
      for (let i = 1; i < frames.length; i++) {
        expect(frames[i].seq).toBeGreaterThan(frames[i - 1].seq);
        expect(frames[i].deviceTimeUs).toBeGreaterThanOrEqual(frames[i - 1].deviceTimeUs);
      }
      const st = await d.status();
      expect(st.streaming).toBe(false);
      expect(st.source).toEqual({ site: 2, amplitude: 0.5, omega: 1.75 });
      expect(d.counters().frames).toBeGreaterThanOrEqual(frames.length);
    }));

  it('sweeps: frames visit every drive frequency of the grid, in order', () =>
    t.run(async (d) => {
      await d.connect();
      const spec = { start: 0.5, stop: 1.5, step: 0.25, dwellMs: 30 };
      const grid = frequencyGrid(spec.start, spec.stop, spec.step);
      const last = grid[grid.length - 1];
      const seen = lastValueFrom(d.frames$.pipe(takeWhile((f) => f.omega !== last, true), toArray(), timeout(20_000)));
      await d.sweep(spec);
      const omegas = (await seen).map((f) => f.omega);
      expect([...new Set(omegas)]).toEqual(grid);
    }));

  it('refuses an invalid setting with a device error and keeps working', () =>
    t.run(async (d) => {
      await d.connect();
      const { sites } = await d.configuration();
      await expect(d.setSource({ site: sites + 3 })).rejects.toMatchObject({ code: 'RING_ERR_DEVICE_ERROR' });
      await expect(d.sweep({ start: 2, stop: 1, step: 0.5, dwellMs: 10 })).rejects.toMatchObject({ code: 'RING_ERR_DEVICE_ERROR' });
      expect((await d.identify()).model.length).toBeGreaterThan(0);
    }));

  it('close completes the frame stream and later calls are refused', () =>
    t.run(async (d) => {
      await d.connect();
      const completed = lastValueFrom(d.frames$.pipe(toArray()));
      await d.close();
      await completed;
      await expect(d.identify()).rejects.toMatchObject({ code: expect.stringMatching(/^RING_ERR_(CLOSED|NOT_CONNECTED)$/) });
    }));
}
