/**
 * physics.delta "auto" in the daemon: the calibration reference fits Δ, the live
 * trainer estimates Δ with the metric and a free complex scale of χ, warm-started
 * from its last estimate, and the fit summary carries Δ ± σ and the scale.
 */
import { describe, expect, it } from 'vitest';
import { runCalibration } from '../../calibration/procedure.ts';
import { openDevice } from '../../drivers/ring/open.ts';
import type { ReferenceOptions } from '../../calibration/reference.ts';
import { type Config, parseConfig, startDelta } from '../../src/config/schema.ts';
import { type FitSummary, createDaemon } from '../../src/daemon/daemon.ts';
import { calibrationReference, trainerOptions } from '../../src/daemon/deltaAuto.ts';
import { type TrainerOptions, createLiveTrainer } from '../../src/daemon/trainer.ts';
import type { CalibrationRecord } from '../../src/contracts/calibration.ts';
import { createLogger } from '../../src/log.ts';
import type { FitResult } from '../../src/model/index.ts';
import { blackHoleMetric, btzMetric, deformedMetric } from '../../src/physics/metric.ts';

/**
 * A daemon run on a simulated deformed ring at Δ with physics.delta "auto": by
 * default the daemon's own wiring (deltaAuto.ts: the reference fits Δ from
 * deltaStart, the fits have a free scale); `spoil` alters the calibration record
 * before the run uses it.
 */
async function autoRun(delta: number, o: {
  deltaStart?: number; sweeps?: number; seed?: number;
  trainer?: (c: Config) => TrainerOptions; reference?: (c: Config) => ReferenceOptions; spoil?: (r: CalibrationRecord) => CalibrationRecord;
} = {}) {
  const config = parseConfig({
    physics: { delta: 'auto', deltaStart: o.deltaStart ?? 1.5, kMax: 4 },
    sweep: { start: 0.5, stop: 8, step: 0.5, dwellMs: 200 },
    model: { layers: 200, nodes: 16 },
    sweeps: o.sweeps ?? 1,
  });
  const opened = openDevice({ kind: 'sim', seed: o.seed ?? 7, rate: 20, speed: 1000, metric: deformedMetric(0.3, -0.2, 1.5), delta });
  const trainer = await createLiveTrainer((o.trainer ?? trainerOptions)(config));
  const records: CalibrationRecord[] = [];
  const daemon = createDaemon(config, {
    device: opened.device,
    logger: createLogger({ level: 'silent' }),
    trainer,
    resolveRecord: async (_identity, device) => {
      const reference = o.reference ? o.reference(config) : calibrationReference(config, null);
      const record = (o.spoil ?? ((r) => r))((await runCalibration(device, { solve: { reference } })).record);
      records.push(record);
      return record;
    },
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
  return { fits, summaries, record: records[0] };
}

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
    const { fits, summaries } = await autoRun(delta, {
      sweeps: 2, seed: 5,
      trainer: (c) => ({ geometry: 'disk', delta: 'auto', deltaStart: c.physics.deltaStart, layers: 200, nodes: 16 }),
      // the overall scale from the uv-ads reference at the ring's Δ (docs/model.md: the reference fixes the scale)
      reference: () => ({ kind: 'uv-ads', delta }),
    });
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

  it('wiring: "auto" fits the reference\'s Δ, a number does not; the fits have a free scale either way (the reference\'s common error)', () => {
    const auto = parseConfig({ physics: { delta: 'auto', deltaStart: 1.32 } });
    expect(calibrationReference(auto, null)).toMatchObject({ delta: 1.32, fitDelta: true, geometry: 'ads' });
    expect(trainerOptions(auto)).toMatchObject({ delta: 'auto', deltaStart: 1.32, freeScale: true });
    const fixed = parseConfig({ physics: { delta: 1.62 } });
    expect(calibrationReference(fixed, null).fitDelta).toBeUndefined();
    expect(trainerOptions(fixed).freeScale).toBe(true);
  });

  it('a simulated black hole (BTZ or deformed) is calibrated against BTZ at its horizon, and that reference holds across k', async () => {
    const config = parseConfig({});
    expect(calibrationReference(config, btzMetric(1.5)).geometry).toBe('btz:1.5');
    expect(calibrationReference(config, blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7)).geometry).toBe('btz:1.5');
    expect(calibrationReference(config, deformedMetric(0.3, -0.2, 1.5)).geometry).toBe('ads');
    expect(calibrationReference(parseConfig({ calibration: { referenceGeometry: 'ads' } }), btzMetric(1.5)).geometry).toBe('ads');
    // the deformed black hole of `--metric blackhole`: against AdS its reference was refused (χ²/dof 5.2 across k)
    const opened = openDevice({ kind: 'sim', seed: 1, rate: 20, speed: 1000, metric: blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7), delta: 1.5 });
    try {
      await opened.device.connect();
      const { record } = await runCalibration(opened.device, { solve: { reference: calibrationReference(config, blackHoleMetric(1.5, 0.3, 0, 2.4, 0.7)) } });
      expect(record.reference.geometry).toBe('btz:1.5');
      expect(record.reference.reducedChi2).toBeLessThan(5);
    } finally {
      await opened.dispose();
    }
  }, 120_000);

  it.each([1.32, 1.92])('a ring at Δ = 1.62 from physics.deltaStart = %s (0.3 off): the reference and the fit find Δ within 3σ', async (deltaStart) => {
    const delta = 1.62;
    const { fits, summaries, record } = await autoRun(delta, { deltaStart });
    // the reference's Δ from the large-|k| response (closed form of physics.md §5)
    expect(record.reference.deltaErr).toBeGreaterThan(0);
    expect(Math.abs(record.reference.delta! - delta)).toBeLessThan(Math.max(3 * record.reference.deltaErr!, 2e-3));
    expect(fits).toHaveLength(1);
    const [fit] = fits;
    expect(Math.abs(fit.delta - delta), `Δ = ${fit.delta} ± ${fit.delta_err}`).toBeLessThan(Math.max(3 * fit.delta_err, 1e-3));
    // the scale the reference fixed is right: κ = 1 within 3σ (and 1%)
    expect(fit.scale).toBeDefined();
    expect(Math.abs(fit.scale!.re - 1)).toBeLessThan(Math.max(3 * fit.scale!.re_err, 0.01));
    expect(Math.abs(fit.scale!.im)).toBeLessThan(Math.max(3 * fit.scale!.im_err, 0.01));
    expect(fit.chi2).toBeLessThan(2);
    expect(summaries.at(-1)!.scale).toEqual({ re: fit.scale!.re, im: fit.scale!.im, reErr: fit.scale!.re_err, imErr: fit.scale!.im_err });
  }, 120_000);

  it('a table whose overall scale is off (gains × 0.8·e^{0.1i}): the free scale takes it, Δ stays within 3σ', async () => {
    const delta = 1.62;
    const s = { re: 0.8 * Math.cos(0.1), im: 0.8 * Math.sin(0.1) };
    const spoil = (r: CalibrationRecord): CalibrationRecord => ({ ...r, gains: r.gains.map((c) => ({ re: c.re * s.re - c.im * s.im, im: c.re * s.im + c.im * s.re })) });
    const { fits } = await autoRun(delta, { spoil });
    const [fit] = fits;
    expect(Math.abs(fit.delta - delta), `Δ = ${fit.delta} ± ${fit.delta_err}`).toBeLessThan(Math.max(3 * fit.delta_err, 1e-3));
    // χ_table = χ/s, so κ = 1/s = 1.25·e^{−0.1i}
    const kappa = { re: 1.25 * Math.cos(0.1), im: -1.25 * Math.sin(0.1) };
    expect(Math.abs(fit.scale!.re - kappa.re)).toBeLessThan(Math.max(3 * fit.scale!.re_err, 0.01));
    expect(Math.abs(fit.scale!.im - kappa.im)).toBeLessThan(Math.max(3 * fit.scale!.im_err, 0.01));
    expect(fit.chi2).toBeLessThan(2);
  }, 120_000);
});
