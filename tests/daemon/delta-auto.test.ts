/**
 * physics.delta "auto" in the daemon: the live trainer estimates Δ with the metric,
 * warm-started from its last estimate, and the fit summary carries Δ ± σ.
 */
import { describe, expect, it } from 'vitest';
import { runCalibration } from '../../calibration/procedure.ts';
import { openDevice } from '../../drivers/ring/open.ts';
import { parseConfig, startDelta } from '../../src/config/schema.ts';
import { type FitSummary, createDaemon } from '../../src/daemon/daemon.ts';
import { createLiveTrainer } from '../../src/daemon/trainer.ts';
import { createLogger } from '../../src/log.ts';
import type { FitResult } from '../../src/model/index.ts';
import { deformedMetric } from '../../src/physics/metric.ts';

describe('physics.delta auto', () => {
  it('parses "auto" with a start, and the run starts from physics.deltaStart', () => {
    const c = parseConfig({ physics: { delta: 'auto', deltaStart: 1.4 } });
    expect(c.physics.delta).toBe('auto');
    expect(startDelta(c)).toBe(1.4);
    expect(startDelta(parseConfig({ physics: { delta: 2.5 } }))).toBe(2.5);
    expect(startDelta(parseConfig({ physics: { delta: 'auto' } }))).toBe(1.5);
    expect(() => parseConfig({ physics: { delta: 'automatic' } })).toThrow(/physics\.delta/);
    expect(() => parseConfig({ physics: { delta: 'auto', deltaStart: 2 } })).toThrow(/physics\.deltaStart: must not be an integer/);
  });

  it('a ring at Δ = 1.62: the trainer starts at 1.5, finds Δ within 3σ, and warm-starts the next fit from it', async () => {
    const delta = 1.62;
    const config = parseConfig({
      physics: { delta: 'auto', kMax: 4 },
      sweep: { start: 0.5, stop: 8, step: 0.5, dwellMs: 200 },
      model: { layers: 200, nodes: 16 },
      sweeps: 2,
    });
    const opened = openDevice({ kind: 'sim', seed: 5, rate: 20, speed: 1000, metric: deformedMetric(0.3, -0.2, 1.5), delta });
    const trainer = await createLiveTrainer({ geometry: 'disk', delta: 'auto', deltaStart: config.physics.deltaStart, layers: 200, nodes: 16 });
    const daemon = createDaemon(config, {
      device: opened.device,
      logger: createLogger({ level: 'silent' }),
      trainer,
      // the overall scale from the uv-ads reference at the ring's Δ (docs/model.md: the reference fixes the scale)
      resolveRecord: async (_identity, device) => (await runCalibration(device, { solve: { reference: { kind: 'uv-ads', delta } } })).record,
    });
    const fits: FitResult[] = [];
    const summaries: FitSummary[] = [];
    daemon.fits$.subscribe((f) => fits.push(f as FitResult));
    daemon.status$.subscribe((s) => {
      if (s.lastFit && s.lastFit !== summaries.at(-1)) summaries.push(s.lastFit);
    });
    await daemon.start();
    await daemon.done;
    await opened.dispose();
    expect(fits.length).toBe(2);
    const [first, second] = fits;
    expect(first.delta_auto).toBe(true);
    expect(first.delta_profile).toBeDefined();
    expect(second.delta_profile).toBeUndefined(); // warm-started from the first estimate
    for (const f of fits) {
      expect(f.delta_err).toBeGreaterThan(0);
      expect(Math.abs(f.delta - delta), `Δ = ${f.delta} ± ${f.delta_err}`).toBeLessThan(Math.max(3 * f.delta_err, 1e-3));
    }
    const last = summaries.at(-1)!;
    expect(last.deltaAuto).toBe(true);
    expect(last.delta).toBe(second.delta);
    expect(last.deltaErr).toBe(second.delta_err);
  }, 120_000);
});
