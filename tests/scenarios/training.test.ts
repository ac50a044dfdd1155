/**
 * Scenario 8: training rounds that yield NaN or diverge, in a daemon run as a
 * child process on the emulator over a pty. The faults come from the test
 * facility `model.faultInjection` (README "Fault injection"): round 2 is fitted
 * to a NaN table, round 3 to the conjugate of the table.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiAlarm, type LinkRig, socatAvailable, startLinkRig } from '../support/childDaemon.ts';

interface Metric { round: number; chi2: number; f: number[]; g: number[] }
type Status = { trainer: { rounds: number; discarded: number } };

describe.skipIf(!socatAvailable())('scenario 8: a training round yielding NaN or diverging', () => {
  let rig: LinkRig | null = null;
  afterAll(async () => {
    await rig?.dispose();
  });

  it('is discarded, the last good estimate is kept and served, the fit alarm is raised, and the next good round is accepted', async () => {
    rig = await startLinkRig({
      emulator: ['--speed', '8', '--metric', 'deformed', '--sites', '64', '--rate', '20'],
      train: true,
      calibrate: true,
      config: { model: { layers: 200, nodes: 8, thread: 'worker', geometry: 'disk', faultInjection: { nanRounds: [2], divergeRounds: [3] } }, alarms: { evaluateMs: 100 } },
      env: { HOLORING_FAULT_INJECTION: '1' },
    });
    const d = rig.daemon;
    await d.waitForLog('fault injection announced', (l) => /fault injection is on/.test(l.msg));
    // round 1: a good estimate
    await d.waitFor('round 1 kept', (s) => (s as unknown as Status).trainer.rounds >= 1, 60_000);
    const good = await d.api<Metric>('/api/metric');
    expect(Number.isFinite(good.chi2)).toBe(true);
    // rounds 2 (NaN) and 3 (diverged): discarded, the alarm raised, the estimate unchanged
    await d.waitFor('round 2 discarded', (s) => (s as unknown as Status).trainer.discarded >= 1, 60_000);
    const raised = await d.waitForAlarm('fitChi2', 'raised', 5000);
    expect(raised.active).toBe(true);
    expect(raised!.message).toMatch(/diverged .* was discarded; the last good estimate is kept/);
    expect(await d.api<Metric>('/api/metric')).toEqual(good);
    await d.waitFor('round 3 discarded', (s) => (s as unknown as Status).trainer.discarded >= 2, 60_000);
    expect(await d.api<Metric>('/api/metric')).toEqual(good);
    // round 4: accepted, from the last good weights; the alarm clears (latched until acknowledged)
    await d.waitFor('round 4 kept', (s) => (s as unknown as Status).trainer.rounds >= 2, 60_000);
    const next = await d.api<Metric>('/api/metric');
    expect(next.round).toBeGreaterThan(good.round);
    expect(Number.isFinite(next.chi2)).toBe(true);
    const cleared = await d.waitForAlarm('fitChi2', 'cleared', 10_000);
    expect(cleared.active).toBe(false);
    // the run's record: fit documents only for kept rounds, the alarm's raise and clear; the log names both discards
    const exit = await d.stop();
    expect(exit.code).toBe(0);
    const docs = d.documents();
    const fits = docs.filter((x) => x.type === 'fit') as unknown as { chi2: number }[];
    expect(fits.length).toBeGreaterThanOrEqual(2);
    expect(fits.every((f) => Number.isFinite(f.chi2))).toBe(true);
    const fitAlarms = docs.filter((x) => x.type === 'alarm' && (x as unknown as ApiAlarm).rule === 'fitChi2').map((x) => (x as unknown as ApiAlarm).state);
    expect(fitAlarms.slice(0, 2)).toEqual(['raised', 'cleared']);
    const discards = d.logs().filter((l) => l.component === 'daemon' && /training round \d diverged/.test(l.msg)).map((l) => l.msg);
    expect(discards[0]).toMatch(/round 2 diverged \(.*non-finite loss/);
    expect(discards[1]).toMatch(/round 3 diverged \(reduced χ² .* more than 100× the last good/);
  }, 120_000);
});
