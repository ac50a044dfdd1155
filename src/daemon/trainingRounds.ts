import type { ResponsePoint } from '../contracts/response.ts';
import { HoloringError, isHoloringError } from '../errors.ts';
import { type GeometryFit, ModelErrorCodes } from '../model/index.ts';

/**
 * Which training rounds the live trainer keeps. A round whose reduced χ² or
 * metric is not finite, or whose reduced χ² is more than DIVERGENCE_RATIO
 * times the last kept one (or than DIVERGENCE_RATIO when that was below 1),
 * is discarded: its weights never seed the next round, which starts from the
 * last kept weights. When DIVERGENCE_PATIENCE finite rounds in a row are
 * discarded for their χ² alone, the data changed rather than the fit, and the
 * next such round is kept.
 */
export const DIVERGENCE_RATIO = 100;
export const DIVERGENCE_PATIENCE = 3;

/**
 * Test facility (README "Fault injection"): training rounds, counted from 1
 * in this process, whose table is spoiled before the fit — `nanRounds` with
 * non-finite χ (the fit yields NaN), `divergeRounds` with χ replaced by its
 * complex conjugate (an acausal response no metric gives: the fit lands far
 * from the data). Never active unless
 * configured (`model.faultInjection`, refused without HOLORING_FAULT_INJECTION=1).
 */
export interface TrainingFaults {
  nanRounds?: readonly number[];
  divergeRounds?: readonly number[];
}

/** The table of round `round` (1-based) with the configured fault applied, or the table itself. */
export function spoilTable(points: readonly ResponsePoint[], round: number, faults: TrainingFaults | undefined): readonly ResponsePoint[] {
  if (faults?.nanRounds?.includes(round)) return points.map((p) => ({ ...p, chiRe: Number.NaN, chiIm: Number.NaN }));
  if (faults?.divergeRounds?.includes(round)) return points.map((p) => ({ ...p, chiIm: -p.chiIm }));
  return points;
}

/** Why a fit cannot be kept as a metric at all (a non-finite χ² or metric), or null. */
export function nonFinite(res: Pick<GeometryFit, 'chi2' | 'f' | 'g' | 'f_err' | 'g_err'>): string | null {
  if (!Number.isFinite(res.chi2)) return 'its reduced χ² is not finite';
  if (![res.f, res.g, res.f_err, res.g_err].every((a) => a.every(Number.isFinite))) return 'its metric is not finite';
  return null;
}

/**
 * Judges rounds in order. `keep(res)` gives null for a round to keep, or the
 * RING_ERR_MODEL_DIVERGED error (context: round, chi2, lastGoodChi2) that
 * discards it; `failed(e)` turns a fit's own RING_ERR_MODEL_DIVERGED into the
 * same discarding error and gives any other error back unchanged. The caller
 * rolls its weights back and throws the error.
 */
export function roundJudge() {
  let round = 0;
  let lastGood: number | null = null;
  let patience = 0;
  const discard = (why: string, chi2: number): HoloringError =>
    new HoloringError(ModelErrorCodes.DIVERGED, `training round ${round} diverged (${why}); discarded: the last good estimate is kept and the next round starts from its weights`, { round, chi2, lastGoodChi2: lastGood });
  return {
    /** Starts the next round; returns its number (1-based). */
    next: (): number => ++round,
    keep(res: Pick<GeometryFit, 'chi2' | 'f' | 'g' | 'f_err' | 'g_err'>): HoloringError | null {
      const bad = nonFinite(res);
      if (bad) return discard(bad, res.chi2);
      if (lastGood !== null && res.chi2 > DIVERGENCE_RATIO * Math.max(lastGood, 1) && patience < DIVERGENCE_PATIENCE) {
        patience++;
        return discard(`reduced χ² ${res.chi2.toPrecision(3)}, more than ${DIVERGENCE_RATIO}× the last good ${lastGood.toPrecision(3)}`, res.chi2);
      }
      lastGood = res.chi2;
      patience = 0;
      return null;
    },
    failed(e: unknown): unknown {
      return isHoloringError(e) && e.code === ModelErrorCodes.DIVERGED ? discard(e.message, Number.NaN) : e;
    },
  };
}
