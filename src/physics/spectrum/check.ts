import type { ResponsePoint } from '../../contracts/response.ts';
import { FIT_P_MIN, type KSpectrum, type SpectrumOptions, findSpectrum } from './modes.ts';
import { type LadderTest, testLadder } from './ladder.ts';
import { type HorizonTest, testHorizon } from './verdict.ts';

/**
 * `holoring modes`: is the material holographic? The poles of χ(Ω, k) per k
 * (modes.ts), then the disk ladder and the horizon tests (verdict.ts). The
 * result is the `--json` document of README "holoring modes".
 */
export interface HolographyCheck {
  holographic: boolean;
  /**
   * The verdict in one word: `undecided` when too little is resolved to decide (e.g.
   * the zeros follow a light cone but the quasinormal modes lie too deep to resolve:
   * widen the ω window or lower γ), which `holographic: false` alone does not tell
   * apart from `not holographic` (positive evidence against both geometries).
   */
  status: 'holographic' | 'not holographic' | 'undecided';
  geometry: 'disk' | 'horizon' | 'none';
  /** Δ from the ladder (disk) or from the quasinormal modes and zeros (horizon); null otherwise. */
  delta: number | null;
  delta_err: number | null;
  /** Ladder spacing 2a in the table's frequency unit (2 in units of v/R: v/R = spacing/2). */
  spacing: number | null;
  spacing_err: number | null;
  /** T of the BTZ ladder fitted to the n = 0 poles and zeros, (u + v)/4π in the table's frequency unit (horizon only; see verdict.ts). */
  temperature: number | null;
  temperature_err: number | null;
  /** Resolved poles, every k. */
  poles: { k: number; re: number; im: number; err: number }[];
  evidence: {
    verdict: string;
    disk: Omit<LadderTest, 'rungs'> & { deviations: LadderTest['rungs'] };
    horizon: HorizonTest;
    resolvability: {
      gamma: number;
      window: [number, number];
      maxDepth: number;
      note: string;
    };
    zeros: { k: number; re: number; im: number; err: number }[];
    /** Per k: the rational fit's χ², dof and p (`fitP`); `informative` false when the fit does not describe the data (p < FIT_P_MIN): its poles and zeros are not counted. */
    perK: { k: number; chi2: number; dof: number; fitP: number; informative: boolean; poles: number; resolvedPoles: number; zeros: number; resolvedZeros: number }[];
    /** The k whose fit does not describe the data (uninformative), and a sentence on them (empty when there are none). */
    uninformative: { ks: number[]; note: string };
  };
}

/** One sentence on how far the ladder is from pure AdS (Ω = a(Δ + |k| + 2n) exactly, spacing 2a = 2 v/R). */
function pureAdsNote(disk: LadderTest): string {
  const p = disk.pureAds;
  const m = disk.model;
  if (!p) return 'no pure AdS fit';
  return p.consistent
    ? `consistent with the pure AdS ladder (χ² = ${p.chi2.toFixed(1)} for ${p.dof}, p = ${p.pValue.toPrecision(2)}): the spacing is 2 v/R`
    : `a deformed bulk: the rungs deviate from the pure AdS ladder by up to ${disk.maxDeviation.toFixed(3)} of the half-spacing a (χ² = ${p.chi2.toFixed(1)} for ${p.dof}, p = ${p.pValue.toPrecision(2)}); Δ and the spacing are those of the asymptotic ladder a(Δ + 2n) + c|k| (c = ${m ? m.kSlope.toFixed(4) : '—'}), the spacing 2a approaching π/τ, τ the bulk's boundary-to-centre light time; their errors include the ladder's model error: how far they move when one k is left out (Δ ${m ? m.deltaJackknife.toPrecision(2) : '—'}, spacing ${m ? m.spacingJackknife.toPrecision(2) : '—'}) and with one slope for |k| and n (Δ ${m ? m.deltaModels.toPrecision(2) : '—'}, spacing ${m ? m.spacingModels.toPrecision(2) : '—'})`;
}

/** One sentence on the temperature: the BTZ ladder Ω = ±k − i4πT(n + Δ/2) fitted to the n = 0 modes and zeros. */
function btzNote(h: HorizonTest): string {
  const b = h.btz;
  if (!b) return 'no BTZ ladder fit';
  const t = `T = ${b.temperature.toFixed(4)} ± ${b.temperatureErr.toPrecision(2)}, Δ = ${b.delta.toFixed(3)} ± ${b.deltaErr.toPrecision(2)} (for 1 < Δ < 3, where the least-damped zero is n = 0: below the real axis for Δ < 2, above it for Δ > 2)`;
  return b.consistent
    ? `consistent with the BTZ ladder Ω = ±k − i4πT(n + Δ/2) (χ² = ${b.chi2.toFixed(1)} for ${b.dof}, p = ${b.pValue.toPrecision(2)}): ${t}`
    : `a deformed horizon: the BTZ ladder Ω = ±k − i4πT(n + Δ/2) fits poorly (χ² = ${b.chi2.toFixed(1)} for ${b.dof}, p = ${b.pValue.toPrecision(2)}), so ${t} is the BTZ black hole with the same n = 0 spectrum; the errors include how much the k disagree (the zeros' depths spread by ±${(100 * b.zeroDepthSpread).toFixed(0)}%)`;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Runs the holography check on a response table (physics.md §12). */
export function holographyCheck(points: readonly ResponsePoint[], opts: SpectrumOptions = {}): HolographyCheck {
  const spectra: KSpectrum[] = findSpectrum(points, opts);
  const disk = testLadder(spectra);
  const horizon = testHorizon(spectra);
  const geometry = disk.pass && (!horizon.pass || disk.pValue >= horizon.pValue) ? 'disk' : horizon.pass ? 'horizon' : 'none';
  const gamma = spectra[0].gamma;
  const window: [number, number] = [Math.min(...spectra.map((s) => s.omegaMin)), Math.max(...spectra.map((s) => s.omegaMax))];
  const maxDepth = (window[1] - window[0]) / 4;
  // "not holographic" needs positive evidence from the k whose fits describe their data; with most k uninformative
  // the failures say too little (a fit limited to order 3 or 6 misses every rung it has no room for)
  const bad = spectra.filter((s) => !s.informative).map((s) => s.k);
  const tooFew = bad.length > spectra.length / 2;
  const undecided = horizon.reason.startsWith('undecided') || tooFew;
  const status = geometry !== 'none' ? 'holographic' : undecided ? 'undecided' : 'not holographic';
  const uninformative = {
    ks: bad,
    note: bad.length === 0 ? '' : `the rational fits of k = ${bad.join(', ')} do not describe their data (${spectra.filter((s) => !s.informative).map((s) => `k = ${s.k}: χ² = ${s.chi2.toPrecision(3)} for ${s.dof}`).slice(0, 4).join('; ')}${bad.length > 4 ? '; …' : ''}, p < ${FIT_P_MIN}): their poles are not counted${tooFew ? '; with most k uninformative the check cannot decide — raise --max-order or give more frequencies per k' : ''}`,
  };
  const verdict0 = geometry === 'disk'
    ? `holographic, disk: ${disk.reason}; Δ = ${disk.delta.toFixed(4)} ± ${disk.deltaErr.toPrecision(2)}, spacing ${disk.spacing.toFixed(4)} ± ${disk.spacingErr.toPrecision(2)}; ${pureAdsNote(disk)}`
    : geometry === 'horizon'
      ? `holographic, black hole: ${horizon.reason}; ${btzNote(horizon)}`
      : `${undecided ? 'not shown holographic (undecided)' : 'not holographic'}: disk — ${disk.reason}; horizon — ${horizon.reason}`;
  const verdict = uninformative.note ? `${verdict0}; ${uninformative.note}` : verdict0;
  const pick = (g: typeof geometry, d: number, h: number): number | null => finiteOrNull(g === 'disk' ? d : g === 'horizon' ? h : NaN);
  const pt = (p: { k: number; re: number; im: number; err: number }) => ({ k: p.k, re: p.re, im: p.im, err: p.err });
  const { rungs, ...diskRest } = disk;
  return {
    holographic: geometry !== 'none',
    status,
    geometry,
    delta: pick(geometry, disk.delta, horizon.delta),
    delta_err: pick(geometry, disk.deltaErr, horizon.deltaErr),
    spacing: geometry === 'disk' ? disk.spacing : null,
    spacing_err: geometry === 'disk' ? disk.spacingErr : null,
    temperature: geometry === 'horizon' ? finiteOrNull(horizon.temperature) : null,
    temperature_err: geometry === 'horizon' ? finiteOrNull(horizon.temperatureErr) : null,
    poles: spectra.flatMap((s) => s.poles.filter((p) => p.resolved).map(pt)),
    evidence: {
      verdict,
      disk: { ...diskRest, deviations: rungs },
      horizon,
      resolvability: {
        gamma,
        window,
        maxDepth,
        note:
          `χ is sampled on Ω = ω + iγ, γ = ${gamma}, ω ∈ [${window[0]}, ${window[1]}]. A pole at depth d below that line is resolved when d ≤ ${maxDepth.toFixed(2)} (a quarter of the window), ` +
          `its real part lies within d/2 of the window and its resampling error is below d/4. Disk poles sit γ = ${gamma} below the line (sharp; rungs above ω = ${window[1]} are not seen). ` +
          `Quasinormal modes sit γ + 4πT(n + Δ/2) below it (BTZ r_h = 1.5, Δ = 1.5: ${(gamma + 2.25).toFixed(2)} for n = 0, ${(gamma + 5.25).toFixed(2)} for n = 1), the zeros γ + 4πT(n + 1 − Δ/2): ` +
          `on such a table only n = 0 is resolvable, roughly for the poles and sharply for the zeros.`,
      },
      zeros: spectra.flatMap((s) => s.zeros.filter((p) => p.resolved).map(pt)),
      uninformative,
      perK: spectra.map((s) => ({
        k: s.k, chi2: s.chi2, dof: s.dof, fitP: s.fitP, informative: s.informative,
        poles: s.poles.length, resolvedPoles: s.poles.filter((p) => p.resolved).length,
        zeros: s.zeros.length, resolvedZeros: s.zeros.filter((p) => p.resolved).length,
      })),
    },
  };
}
