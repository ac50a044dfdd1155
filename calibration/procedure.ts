import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import type { CalibrationRecord } from '../src/contracts/calibration.ts';
import type { DeviceIdentity, RingDevice } from '../src/contracts/device.ts';
import type { RingFrame } from '../src/contracts/frame.ts';
import { HoloringError, isHoloringError } from '../src/errors.ts';
import { CalibrationErrorCodes as E } from './errors.ts';
import { REJECT_FLAGS } from './data.ts';
import { buildRecord } from './record.ts';
import { type SolveOptions, solveCalibration } from './solve.ts';

/**
 * The calibration procedure against a connected RingDevice:
 *  1. offsets: `offFrames` frames with the source off (amplitude 0);
 *  2. gains: for each drive ω and each source site, `framesPerSetting` frames;
 *  3. solve (redundant calibration + reference), check, and build the record.
 */
export interface ProcedureOptions {
  /** Source sites (default: defaultSourceSites(sites, 16)). */
  sourceSites?: number[];
  /** Drive frequencies (default 0.5, 1, 2). */
  omegas?: number[];
  amplitude?: number;
  framesPerSetting?: number;
  offFrames?: number;
  /** Frames discarded after every change of the source (default 1: the settling frame). */
  discardAfterChange?: number;
  /** Longest wait for the frames of one setting (ms, default 30000). */
  settingTimeoutMs?: number;
  note?: string;
  supersedes?: string;
  solve?: SolveOptions;
  onProgress?: (done: number, total: number, info: string) => void;
  now?: () => Date;
}

export const PROCEDURE_DEFAULTS = { omegas: [0.5, 1, 2], amplitude: 1, framesPerSetting: 4, offFrames: 16, discardAfterChange: 1, settingTimeoutMs: 30_000, sourceSiteCount: 16 } as const;

/**
 * `count` source sites spread over the ring with one adjacent pair, so that the
 * site differences share no factor with N (otherwise the gains are degenerate).
 */
export function defaultSourceSites(sites: number, count: number = PROCEDURE_DEFAULTS.sourceSiteCount): number[] {
  const m = Math.max(2, Math.min(count, sites));
  const out = new Set<number>();
  for (let i = 0; i < m; i++) out.add(Math.round((i * sites) / m) % sites);
  out.add(1);
  return [...out].sort((a, b) => a - b);
}

export interface ProcedureResult {
  record: CalibrationRecord;
  identity: DeviceIdentity;
  /** Every frame received, in order (raw; keep them to re-calibrate later). */
  frames: RingFrame[];
}

export async function runCalibration(device: RingDevice, opts: ProcedureOptions = {}): Promise<ProcedureResult> {
  const o = { ...PROCEDURE_DEFAULTS, ...opts };
  const identity = await device.identify();
  const config = await device.configuration();
  const sourceSites = opts.sourceSites ?? defaultSourceSites(config.sites);
  for (const s of sourceSites) {
    if (!Number.isInteger(s) || s < 0 || s >= config.sites) {
      throw new HoloringError('RING_ERR_ARG_INVALID', `source site ${s} is outside 0..${config.sites - 1}`, { site: s });
    }
  }
  if (!(o.amplitude > 0 && o.amplitude <= config.maxAmplitude)) {
    throw new HoloringError('RING_ERR_ARG_INVALID', `source amplitude must be in (0, ${config.maxAmplitude}] (got ${o.amplitude})`, { amplitude: o.amplitude });
  }
  const settings: { site: number; omega: number; amplitude: number; n: number }[] = [
    { site: sourceSites[0], omega: o.omegas[0], amplitude: 0, n: o.offFrames },
  ];
  for (const omega of o.omegas) for (const site of sourceSites) settings.push({ site, omega, amplitude: o.amplitude, n: o.framesPerSetting });
  const total = settings.reduce((a, s) => a + s.n, 0);
  const frames: RingFrame[] = [];
  const status = await device.status();
  const wasStreaming = status.streaming;
  if (!wasStreaming) await device.startStreaming();
  let done = 0;
  try {
    for (const s of settings) {
      const label = s.amplitude === 0 ? 'offsets (source off)' : `ω ${s.omega} source site ${s.site}`;
      const matches = (f: RingFrame): boolean =>
        Math.abs(f.omega - s.omega) <= 1e-9 * Math.max(1, Math.abs(s.omega)) && f.amplitude === s.amplitude && (s.amplitude === 0 || f.sourceSite === s.site) && (f.flags & REJECT_FLAGS) === 0;
      // subscribe before changing the source, so no frame of the new setting is missed
      const got = firstValueFrom(
        device.frames$.pipe(
          filter(matches),
          take(s.n + o.discardAfterChange),
          toArray(),
          timeout({ first: o.settingTimeoutMs, each: o.settingTimeoutMs }),
        ),
      ).catch((e: unknown) => {
        if (isHoloringError(e)) throw e;
        throw new HoloringError(E.DEVICE, `the device did not deliver ${s.n} frames for ${label} within ${o.settingTimeoutMs} ms (${(e as Error).message ?? e})`, { setting: s });
      });
      await device.setSource({ site: s.site, omega: s.omega, amplitude: s.amplitude });
      const batch = (await got).slice(o.discardAfterChange);
      frames.push(...batch);
      done += s.n;
      o.onProgress?.(done, total, label);
    }
  } finally {
    if (!wasStreaming) await device.stopStreaming().catch(() => {});
  }
  const solution = solveCalibration(frames, o.solve);
  const record = buildRecord(solution, { device: identity, note: o.note, createdAt: (o.now ?? (() => new Date()))(), supersedes: o.supersedes });
  return { record, identity, frames };
}
