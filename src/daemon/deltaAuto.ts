import type { ReferenceOptions } from '../../calibration/reference.ts';
import { type Config, startDelta } from '../config/schema.ts';
import type { Metric } from '../physics/metric.ts';
import type { TrainerOptions } from './trainer.ts';

/**
 * How `physics.delta` reaches the daemon's calibration and its metric fits.
 *
 * With a number, the uv-ads calibration reference and every fit use that Δ.
 * With "auto" (physics.md §10, docs/model.md "Δ from the data"):
 * - the **calibration reference fits Δ** (`fitDelta`): the Δ of
 *   (⌊deltaStart⌋, ⌊deltaStart⌋ + 1) at which the large-|k| closed form
 *   matches the calibrated response consistently across k, so the table's
 *   overall scale does not carry the error of `physics.deltaStart`;
 * - the fits (disk: Δ one more weight; horizon: Δ profiled, model/horizon/fit.ts)
 *   take Δ from the shape of χ, not its amplitude: whatever the reference left in
 *   the scale (its own Δ error, a slightly off source width) goes into κ.
 * `physics.deltaStart` then only picks the integer interval of Δ.
 *
 * Either way the fits have a free complex scale κ (`freeScale`): the reference's
 * overall constant has an error common to every row of a live table.
 */
export function calibrationReference(config: Readonly<Config>, ringMetric: Metric | null): ReferenceOptions & { geometry: string; delta: number; gamma: number } {
  return {
    // a simulated black hole (BTZ or deformed) is referenced to BTZ at its horizon: the large-|k| response the
    // reference fits sees the asymptotic geometry (M = r_h²), where a deformation has died out
    geometry: config.calibration.referenceGeometry ?? (ringMetric?.centre.type === 'horizon' ? `btz:${ringMetric.centre.rh}` : 'ads'),
    delta: startDelta(config),
    gamma: config.physics.gamma,
    ...(config.physics.delta === 'auto' ? { fitDelta: true } : {}),
  };
}

/** The trainer's options from the configuration (Δ or "auto" with its start, a free scale, the network's shape, the geometry). */
export function trainerOptions(config: Readonly<Config>): Omit<TrainerOptions, 'faults' | 'log'> {
  return {
    geometry: config.model.geometry,
    delta: config.physics.delta,
    deltaStart: config.physics.deltaStart,
    freeScale: true,
    layers: config.model.layers,
    nodes: config.model.nodes,
  };
}
