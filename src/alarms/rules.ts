import type { AlarmsConfig } from '../config/alarms.ts';
import { hawkingPageKelvin } from '../physics/temperature.ts';
import type { AlarmInputs, AlarmRule } from './types.ts';

/** A rule's judgement: the condition holds (with what to say), does not hold (null), or cannot be judged (undefined). */
export interface Condition {
  message: string;
  action: string;
  value: number | null;
}
export type Judgement = Condition | null | undefined;

/** What a rule sees: the current inputs, the inputs `windowSeconds` ago (for rates) and the clock. */
export interface RuleContext {
  now: number;
  inputs: AlarmInputs;
  /** The oldest inputs within the rule's window that carry the counters it needs. */
  past: (windowMs: number) => AlarmInputs | undefined;
}

const DAY_MS = 86_400_000;

/** The temperature bound of `alarms.sampleTemperature` in kelvin, or null when the rig's scale is not configured. */
export function hawkingPageBound(c: AlarmsConfig['sampleTemperature']): number | null {
  if (c.hawkingPageK !== undefined) return c.hawkingPageK;
  if (c.velocityMps !== undefined && c.circumferenceM !== undefined) return hawkingPageKelvin(c.velocityMps, c.circumferenceM);
  return null;
}

function delta(now: AlarmInputs, then: AlarmInputs | undefined, key: 'framesAccepted' | 'checksumErrors' | 'missingFrames'): number | undefined {
  const a = now[key], b = then?.[key];
  if (a === undefined || b === undefined) return undefined;
  // a counter that went down was reset (new run, new driver): count from zero
  return a >= b ? a - b : a;
}

const fmt = (x: number, digits = 1): string => x.toFixed(digits);

/**
 * The rules, one pure function each of (context, config) → judgement. The
 * messages say what is wrong in plain language and the actions what to do.
 */
export const RULES: { readonly [R in AlarmRule]: (ctx: RuleContext, c: AlarmsConfig) => Judgement } = {
  noData({ now, inputs }, c) {
    if (inputs.expectingDataSinceMs === undefined) return undefined;
    if (inputs.expectingDataSinceMs === null) return null;
    const since = Math.max(inputs.expectingDataSinceMs, inputs.lastFrameAtMs ?? -Infinity);
    const idleS = (now - since) / 1000;
    if (idleS < c.noData.seconds) return null;
    return {
      value: idleS,
      message: `no data from the ring for ${fmt(idleS, 0)} s while it should be streaming`,
      action: 'check the cable and the device power; the daemon reconnects by itself when the device answers again',
    };
  },
  checksumRate({ inputs, past }, c) {
    const then = past(c.checksumRate.windowSeconds * 1000);
    const bad = delta(inputs, then, 'checksumErrors'), good = delta(inputs, then, 'framesAccepted');
    if (bad === undefined || good === undefined) return undefined;
    const total = bad + good;
    const fraction = total > 0 ? bad / total : 0;
    if (total === 0 || fraction <= c.checksumRate.maxFraction) return null;
    return {
      value: fraction,
      message: `${fmt(100 * fraction)}% of the frames in the last ${c.checksumRate.windowSeconds} s failed their checksum (${bad} of ${total})`,
      action: 'the serial line is noisy: check the cable, its shielding and the baud rate; bad frames are rejected and counted, none is used',
    };
  },
  sequenceGaps({ inputs, past }, c) {
    const missing = delta(inputs, past(c.sequenceGaps.windowSeconds * 1000), 'missingFrames');
    if (missing === undefined) return undefined;
    if (missing <= c.sequenceGaps.maxMissing) return null;
    return {
      value: missing,
      message: `${missing} frames missing from the device's sequence in the last ${c.sequenceGaps.windowSeconds} s`,
      action: 'frames are being lost between the device and the host: check the cable and the host load; each gap is recorded in the run',
    };
  },
  sampleTemperature({ inputs }, c) {
    const bound = hawkingPageBound(c.sampleTemperature);
    const t = inputs.temperatureK;
    if (bound === null || t === undefined) return undefined;
    if (t === null || !(t > bound)) return null;
    return {
      value: t,
      message: `the sample is at ${(t * 1e3).toPrecision(3)} mK, above the Hawking–Page point ${(bound * 1e3).toPrecision(3)} mK: the bulk has a horizon and the disk metric no longer applies`,
      action: 'cool the sample below the Hawking–Page point, or fit the black hole: model.geometry "auto" (the default) or "horizon" (a "disk" fit cannot describe it), and calibrate against BTZ with calibration.referenceGeometry "btz:RH" (r_h = 2πT)',
    };
  },
  fitChi2({ inputs }, c) {
    const fit = inputs.fit;
    if (fit === undefined) return undefined;
    if (fit === null || (!fit.discarded && fit.chi2 <= c.fitChi2.max)) return null;
    const finite = Number.isFinite(fit.chi2);
    return {
      value: finite ? fit.chi2 : null,
      message: fit.discarded || !finite
        ? `training round ${fit.round} diverged (reduced χ² ${finite ? fmt(fit.chi2, 2) : 'not finite'}) and was discarded; the last good estimate is kept and the next round starts from its weights`
        : `training round ${fit.round} fits the data poorly: reduced χ² ${fmt(fit.chi2, 2)} above ${c.fitChi2.max}`,
      action: 'check the calibration, Δ and γ; a sample above the Hawking–Page temperature has a horizon, which the disk network cannot represent',
    };
  },
  influxBacklog({ inputs }, c) {
    const n = inputs.influxBacklogBytes;
    if (n === undefined) return undefined;
    if (n === null || n <= c.influxBacklog.maxMB * 2 ** 20) return null;
    return {
      value: n / 2 ** 20,
      message: `${fmt(n / 2 ** 20)} MiB of the run are not yet written to InfluxDB (bound ${c.influxBacklog.maxMB} MiB)`,
      action: 'check that InfluxDB is running and reachable; the journal keeps every frame and the points are back-filled when it returns',
    };
  },
  diskSpace({ inputs }, c) {
    const free = inputs.diskFreeBytes;
    if (free === undefined) return undefined;
    if (free === null || free >= c.diskSpace.minFreeMB * 2 ** 20) return null;
    return {
      value: free / 2 ** 20,
      message: `only ${fmt(free / 2 ** 20, 0)} MiB free on the data disk (bound ${c.diskSpace.minFreeMB} MiB)`,
      action: 'free space on the data disk (move old runs away); when the disk fills, frames are held in memory up to a bound and then dropped and counted',
    };
  },
  journalShortfall({ inputs }, c) {
    const n = inputs.journalShortfall;
    if (n === undefined) return undefined;
    if (n === null || n <= c.journalShortfall.maxFrames) return null;
    return {
      value: n,
      message: `${n} accepted frames are not in the journal`,
      action: 'the journal could not keep up or could not write: check free space and the disk; the run\'s stop document counts the frames lost',
    };
  },
  calibrationAge({ now, inputs }, c) {
    const cal = inputs.calibration;
    if (cal === undefined) return undefined;
    const created = cal === null ? NaN : Date.parse(cal.createdAt);
    if (cal === null || !Number.isFinite(created)) return null;
    const days = (now - created) / DAY_MS;
    if (days <= c.calibrationAge.maxDays) return null;
    return {
      value: days,
      message: `the active calibration ${cal.version} is ${fmt(days, 0)} days old (bound ${c.calibrationAge.maxDays} days)`,
      action: 'recalibrate the ring (`holoring calibrate`) when the experiment allows',
    };
  },
};
