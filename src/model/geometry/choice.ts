/**
 * Which geometry describes the sample: the disk (a regular centre, below the
 * Hawking–Page temperature T_HP = 1/2π) or a horizon (above it). `auto` fits both
 * networks and picks by the evidence: the criterion χ² + 2ν (ν = 2P − dof, the
 * effective number of weights; an information criterion that charges each
 * network for the freedom it used). A difference below DECISIVE_EVIDENCE leaves
 * the choice to the sample temperature when it is known, else to the lower value.
 * A failed fit (quality.ts) is never chosen over one that is not, nor called
 * decisive; when both fail the choice says that neither describes the data.
 */
import type { FitVerdict } from '../quality.ts';

export type Geometry = 'disk' | 'horizon';
export const GEOMETRY_OPTIONS = ['disk', 'horizon', 'auto'] as const;
export type GeometryOption = (typeof GEOMETRY_OPTIONS)[number];

/** Criterion difference (in χ² units) from which the data alone decide the geometry (a likelihood ratio of e⁵ ≈ 150). */
export const DECISIVE_EVIDENCE = 10;

/** Fused passes each network gets in `auto` before the choice (a fit of the right geometry converges in 4–15). */
export const AUTO_PASS_BUDGET = 25;

/** Reduced temperature of the Hawking–Page point (units v/R, ħ = k_B = 1). */
export const T_HAWKING_PAGE = 1 / (2 * Math.PI);

export interface GeometryFigures {
  chi2: number;
  chi2_total: number;
  dof: number;
  /** χ² + 2ν. */
  criterion: number;
  converged: boolean;
  elapsedMs: number;
  /** The fit's verdict (quality.ts), when assessed. */
  quality?: FitVerdict;
  /** Why this geometry gave no fit at all (its fit stopped with an error: Δ ran to an integer, r_h ran away); its numbers are then NaN. */
  error?: { code: string; message: string };
}

/**
 * How the choice was made: by the evidence (`decisive` or `weak`), by the sample
 * temperature, as the `only` fit that did not fail, or `neither` geometry
 * describes the data (both fits failed; `picked` is then the lower criterion).
 */
export type ChoiceVerdict = 'decisive' | 'weak' | 'temperature' | 'only' | 'neither';

export interface GeometryChoice {
  picked: Geometry;
  verdict: ChoiceVerdict;
  /** In words: which and why. */
  reason: string;
  disk: GeometryFigures;
  horizon: GeometryFigures;
  /** Sample temperature in units of T_HP, when the frames and the configuration give it. */
  temperatureRatio?: number;
}

export function geometryFigures(fit: { chi2: number; chi2_total: number; dof: number; converged: boolean; elapsedMs: number; quality?: FitVerdict }, residuals: number): GeometryFigures {
  const nu = residuals - fit.dof;
  const figures: GeometryFigures = { chi2: fit.chi2, chi2_total: fit.chi2_total, dof: fit.dof, criterion: fit.chi2_total + 2 * nu, converged: fit.converged, elapsedMs: fit.elapsedMs };
  return fit.quality ? { ...figures, quality: fit.quality } : figures;
}

const fmt = (x: number): string => (Math.abs(x) >= 1e4 ? x.toExponential(1) : x.toFixed(x >= 100 ? 0 : 2));

/** Picks the geometry from the two fits' figures and, optionally, the sample temperature T/T_HP. */
export function chooseGeometry(disk: GeometryFigures, horizon: GeometryFigures, temperatureRatio?: number): GeometryChoice {
  const diff = disk.criterion - horizon.criterion; // > 0: the horizon describes the data better
  const byData: Geometry = diff > 0 ? 'horizon' : 'disk';
  const other: Geometry = byData === 'disk' ? 'horizon' : 'disk';
  const fig = { disk, horizon };
  const chi = `reduced χ² ${fmt(fig[byData].chi2)} against ${fmt(fig[other].chi2)} for the ${other}`;
  const hint: Geometry | undefined = temperatureRatio === undefined ? undefined : temperatureRatio > 1 ? 'horizon' : 'disk';
  const tText = temperatureRatio === undefined ? '' : `the sample is at ${fmt(temperatureRatio)} T_HP`;
  let picked = byData, reason: string, verdict: ChoiceVerdict;
  const failed = (g: Geometry): boolean => fig[g].quality === 'failed';
  const broken = (['disk', 'horizon'] as const).find((g) => fig[g].error);
  if (broken) {
    const ok: Geometry = broken === 'disk' ? 'horizon' : 'disk';
    const why = `the ${broken} fit stopped: ${fig[broken].error!.code}: ${fig[broken].error!.message}`;
    if (fig[ok].error || failed(ok)) {
      const okText = fig[ok].error ? `the ${ok} fit stopped: ${fig[ok].error!.code}: ${fig[ok].error!.message}` : `the ${ok} fit failed (reduced χ² ${fmt(fig[ok].chi2)}${fig[ok].converged ? '' : ', not converged'})`;
      return { picked: ok, verdict: 'neither', reason: `none: neither geometry describes the data: ${why}; ${okText}; check Δ (--delta auto, --delta-start), γ, the calibration and σ, or whether the material is holographic at all (holoring modes)`, disk, horizon, ...(temperatureRatio === undefined ? {} : { temperatureRatio }) };
    }
    return { picked: ok, verdict: 'only', reason: `${ok}: the only fit that describes the data (reduced χ² ${fmt(fig[ok].chi2)}); ${why}`, disk, horizon, ...(temperatureRatio === undefined ? {} : { temperatureRatio }) };
  }
  if (failed(byData) && failed(other)) {
    verdict = 'neither';
    reason = `none: neither geometry describes the data: both fits failed (reduced χ² ${fmt(disk.chi2)} for the disk${disk.converged ? '' : ', not converged'}, ${fmt(horizon.chi2)} for the horizon${horizon.converged ? '' : ', not converged'}); check Δ (--delta auto), γ, the calibration and σ, or whether the material is holographic at all (holoring modes)`;
  } else if (failed(byData)) {
    picked = other;
    verdict = 'only';
    reason = `${other}: the only fit that describes the data (reduced χ² ${fmt(fig[other].chi2)}); the ${byData}'s failed (reduced χ² ${fmt(fig[byData].chi2)}${fig[byData].converged ? '' : ', not converged'}) although its χ² + 2ν is lower by ${fmt(Math.abs(diff))}`;
  } else if (Math.abs(diff) >= DECISIVE_EVIDENCE) {
    verdict = 'decisive';
    reason = `${byData}: ${chi}; χ² + 2ν lower by ${fmt(Math.abs(diff))} (decisive)`;
    if (hint && hint !== byData) reason += `, although ${tText}, which suggests the ${hint}: check the thermometer and the Hawking–Page point`;
  } else if (hint && !failed(hint)) {
    picked = hint;
    verdict = 'temperature';
    reason = `${hint}: the data do not decide (χ² + 2ν differ by ${fmt(Math.abs(diff))}, ${chi}); ${tText}`;
  } else {
    verdict = 'weak';
    reason = `${byData}: ${chi}; χ² + 2ν lower by only ${fmt(Math.abs(diff))} (weak evidence: both geometries describe the data)`;
  }
  return { picked, verdict, reason, disk, horizon, ...(temperatureRatio === undefined ? {} : { temperatureRatio }) };
}
