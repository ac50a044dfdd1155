/**
 * Other starts of a horizon fit whose start from the r_h scan failed. The scan
 * compares BTZ (α = β = 0) at each r_h; for a black hole with a deformation at
 * 1.5–3 r_h the BTZ χ² can fall monotonically towards small r_h (blackhole:0.5,
 * 0.3,0.2,1.5,0.4 at 1% noise: the best scan start is the scan's edge 0.3, and
 * Levenberg–Marquardt from there runs r_h to 0.043 with reduced χ² 72, while a
 * start at 0.6 or 1.2 reaches r_h = 0.4986 ± 0.0062, reduced χ² 0.95). So a fit
 * from the scan that fails (reduced χ² > FAILED_FIT_CHI2) or runs r_h out of the
 * scanned range is tried again from the scan points twice and four times away
 * from it, on the other side of where r_h ran (restartCandidates). Each
 * candidate is first probed by a few passes at the first clamp; only one whose
 * probe already has less than RESTART_PROBE_GAIN of the failed fit's loss is
 * fitted in full, and the fit of the lowest loss is kept. A table the horizon
 * does not describe at all (a disk's under `--geometry auto`, whose fit from the
 * scan also runs r_h towards 0) pays only the probes: there other starts lower
 * the loss by a quarter at most (a deformed disk at Δ = 2.8 fitted at 2.6:
 * 5.5·10⁵ → 4.0·10⁵), where for a black hole they cut it fivefold (9.1·10⁴ → 1.9·10⁴).
 */
import { FAILED_FIT_CHI2 } from '../quality.ts';
import { RH_SCAN } from './network.ts';

/** Passes of a candidate start's probe (a fit from the scan takes 10–30). */
export const RESTART_PROBE_PASSES = 6;

/** A probe is fitted in full when its loss is below this share of the failed fit's. */
export const RESTART_PROBE_GAIN = 0.5;

/** Factors between the first start and the candidates (the scan's grid is ×1.26 a point). */
const RESTART_FACTORS = [2, 4] as const;

/** A start the fit left by more than this factor in r_h is where it "ran". */
const RAN = 1.5;

/**
 * True when a fit from a scan start needs other starts: reduced χ² above
 * FAILED_FIT_CHI2, or r_h more than a factor 2 outside the scanned range RH_SCAN.
 */
export function failedStart(fit: { chi2: number; rh: number }): boolean {
  return !(fit.chi2 <= FAILED_FIT_CHI2) || !(fit.rh >= RH_SCAN.min / 2 && fit.rh <= 2 * RH_SCAN.max);
}

/**
 * The other starts r_h to try after a fit from `start` ended at `reached`:
 * start·2 and start·4 when r_h ran down, start/2 and start/4 when it ran up, start·2
 * and start/2 when it stayed; each clipped to the scanned range and dropped when
 * within a factor 1.5 of the start or of a candidate before it.
 */
export function restartCandidates(start: number, reached: number): number[] {
  const up = RESTART_FACTORS.map((x) => start * x), down = RESTART_FACTORS.map((x) => start / x);
  const order = reached < start / RAN ? up : reached > start * RAN ? down : [up[0], down[0]];
  const out: number[] = [];
  for (const r of order) {
    const c = Math.min(RH_SCAN.max, Math.max(RH_SCAN.min, r));
    if ([start, ...out].every((s) => Math.abs(Math.log(c / s)) > Math.log(RAN))) out.push(c);
  }
  return out;
}
