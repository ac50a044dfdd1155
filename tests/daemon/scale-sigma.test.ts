/**
 * The calibration's common error counted once, in a whole daemon on the
 * in-process emulator (full byte path) with a BTZ bulk. A live table's σ holds
 * the calibration reference's error of the overall constant (σ_ref·|χ|, common
 * to every row), marked as its common part (ResponsePoint.sigmaCommon), and the
 * live fits carry a free scale κ for that same error and weigh the rows by the
 * rest of σ (tests/daemon/horizon-scale.test.ts checks the weighing itself).
 * r_h and T against the closed form (physics.md §5).
 */
import { describe, expect, it } from 'vitest';
import { runCalibration } from '../../calibration/procedure.ts';
import { openDevice } from '../../drivers/ring/open.ts';
import { parseConfig } from '../../src/config/schema.ts';
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { createDaemon } from '../../src/daemon/daemon.ts';
import { createLiveTrainer } from '../../src/daemon/trainer.ts';
import { silentLogger } from '../../src/log.ts';
import { btzMetric } from '../../src/physics/metric.ts';

const RH = 1.5;

describe('the calibration reference\'s common error, counted once', () => {
  it('live BTZ ring: the table carries the common part of σ on every row; the κ-free horizon fit finds r_h and T within 3σ', async () => {
    const config = parseConfig({ physics: { kMax: 4 }, sweep: { start: 0.5, stop: 12, step: 0.5, dwellMs: 400 }, model: { layers: 200, nodes: 16, geometry: 'horizon' }, sweeps: 2 });
    const opened = openDevice({ kind: 'emulator', seed: 5, metric: btzMetric(RH), rate: 20, speed: 2000 });
    const trainer = await createLiveTrainer({ geometry: 'horizon', delta: 1.5, layers: 200, nodes: 16 });
    const daemon = createDaemon(config, {
      device: opened.device, logger: silentLogger(), trainer,
      resolveRecord: async (_identity, device) => (await runCalibration(device, { framesPerSetting: 8, solve: { reference: { kind: 'uv-ads', geometry: `btz:${RH}` } } })).record,
    });
    const fits: { chi2: number; rh?: number; rh_err?: number; temperature?: number; temperature_err?: number }[] = [];
    let table: readonly ResponsePoint[] = [];
    daemon.fits$.subscribe((f) => fits.push(f));
    daemon.response$.subscribe((t) => (table = t.points));
    try {
      await daemon.start();
      await daemon.done;
    } finally {
      await opened.dispose();
      await trainer.dispose();
    }
    const last = fits.at(-1)!;
    // the common part is there, and below each row's σ
    expect(table.length).toBe(24 * 5);
    expect(table.every((p) => p.sigmaCommon !== undefined && p.sigmaCommon > 0 && p.sigmaCommon < p.sigma)).toBe(true);
    expect(last.chi2).toBeLessThan(1.5);
    expect(Math.abs(last.rh! - RH)).toBeLessThan(3 * last.rh_err!);
    expect(Math.abs(last.temperature! - RH / (2 * Math.PI))).toBeLessThan(3 * last.temperature_err!);
  }, 120_000);
});
