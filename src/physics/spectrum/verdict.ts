import type { KSpectrum, SpectralPoint } from './modes.ts';
import { P_MIN } from './ladder.ts';
import { chiSquareSurvival, weightedLeastSquares } from './stats.ts';

/**
 * The horizon test of a measured spectrum (physics.md §5, §12): quasinormal
 * modes Ω = ±ak − i·2πT(Δ + 2n) and zeros Ω = ±ak − i·2πT(2 − Δ + 2n); on a
 * table sampled along ω + iγ only the n = 0 pole and zero of the +k branch are
 * resolvable, so the fit is Re = a·k, Im(pole) = −u, Im(zero) = −v (u > v:
 * Δ > 1), whence T = (u + v)/4π and Δ = 2u/(u + v). The disk's ladder test is
 * in ladder.ts.
 *
 * The fit reports χ², degrees of freedom and the p-value P(χ²_ν ≥ χ²); it
 * passes when the p-value is at least P_MIN and poles and zeros lie on at
 * least three k ≥ 1, with a > 0 and u, v > 0 at 3σ.
 */
/** Systematic floor of a BTZ zero's position, as a fraction of its depth below the sampled line (bias on the closed form: ≲ 0.07·depth). */
export const HORIZON_FLOOR = 0.1;
/** The same for a quasinormal mode (n = 0 at depth ~2.5 on the default grid: biased by up to ~0.5 at small k, where the −k branch is near). */
export const HORIZON_POLE_FLOOR = 0.25;

export interface GeometryTest {
  pass: boolean;
  reason: string;
  chi2: number;
  dof: number;
  pValue: number;
}

export interface HorizonTest extends GeometryTest {
  temperature: number;
  temperatureErr: number;
  delta: number;
  deltaErr: number;
  /** Re = a·k: a = v/R in the table's unit. */
  a: number;
}

const none = (reason: string) => ({ pass: false, reason, chi2: NaN, dof: 0, pValue: NaN });

/**
 * The horizon (BTZ) test of the resolved poles and zeros with k ≥ 1 below the
 * real axis, on the +k branch (Re > 0). The zeros (depth γ + 2πT(2 − Δ), sharp) carry the pattern:
 * Re = a·k and one depth for every k; the n = 0 modes (depth γ + 2πTΔ) are
 * located only to ~¼ of their depth (the −k branch and the background pull
 * them), so they enter with that floor and give u.
 */
export function testHorizon(spectra: readonly KSpectrum[]): HorizonTest {
  const below = (p: SpectralPoint): boolean => p.resolved && p.k >= 1 && p.re > 0 && p.im < -3 * p.errIm;
  const poles = spectra.flatMap((s) => s.poles.filter(below));
  const zeros = spectra.flatMap((s) => s.zeros.filter(below));
  const empty = { temperature: NaN, temperatureErr: NaN, delta: NaN, deltaErr: NaN, a: NaN };
  const kp = new Set(poles.map((p) => p.k)).size, kz = new Set(zeros.map((p) => p.k)).size;
  if (kp < 3 || kz < 3) {
    return { ...none(`no quasinormal-mode pattern: poles below the real axis on ${kp} k and zeros on ${kz} k (a horizon needs both on at least 3 k ≥ 1)`), ...empty };
  }
  const rows: number[][] = [], y: number[] = [], sg: number[] = [];
  for (const [list, col, floorFraction] of [[poles, 1, HORIZON_POLE_FLOOR], [zeros, 2, HORIZON_FLOOR]] as const) {
    for (const p of list) {
      const floor = floorFraction * p.depth;
      rows.push([p.k, 0, 0]); y.push(p.re); sg.push(Math.hypot(p.errRe, floor));
      const r = [0, 0, 0];
      r[col] = -1;
      rows.push(r); y.push(p.im); sg.push(Math.hypot(p.errIm, floor));
    }
  }
  const fit = weightedLeastSquares(rows, y, sg);
  if (!fit) return { ...none('the quasinormal-mode fit is singular'), ...empty };
  const [a, u, v] = fit.beta;
  const [ea, eu, ev] = [0, 1, 2].map((i) => Math.sqrt(fit.cov[i][i]));
  const dof = rows.length - 3;
  const pValue = chiSquareSurvival(fit.chi2, dof);
  const temperature = (u + v) / (4 * Math.PI);
  const temperatureErr = Math.sqrt(fit.cov[1][1] + 2 * fit.cov[1][2] + fit.cov[2][2]) / (4 * Math.PI);
  const delta = (2 * u) / (u + v);
  // ∂Δ/∂u = 2v/(u+v)², ∂Δ/∂v = −2u/(u+v)²
  const s2 = (u + v) ** 2;
  const gu = (2 * v) / s2, gv = (-2 * u) / s2;
  const deltaErr = Math.sqrt(Math.max(0, gu * gu * fit.cov[1][1] + 2 * gu * gv * fit.cov[1][2] + gv * gv * fit.cov[2][2]));
  const shaped = a > 3 * ea && u > 3 * eu && v > 3 * ev && u > v;
  const pass = pValue >= P_MIN && shaped;
  const reason = pass
    ? `quasinormal modes Ω = ak − i·2πTΔ (${poles.length} poles) and zeros Ω = ak − i·2πT(2 − Δ) (${zeros.length}) on ${kz} k: χ² = ${fit.chi2.toFixed(1)} for ${dof} degrees of freedom, p = ${pValue.toPrecision(2)}`
    : !shaped
      ? `the poles and zeros below the real axis do not move with k as quasinormal modes do (Re = a·k with a = ${a.toPrecision(3)} ± ${ea.toPrecision(2)}, depths u = ${u.toPrecision(3)} ± ${eu.toPrecision(2)} > v = ${v.toPrecision(3)} ± ${ev.toPrecision(2)} expected)`
      : `the poles and zeros below the real axis are not quasinormal modes: χ² = ${fit.chi2.toFixed(1)} for ${dof} degrees of freedom, p = ${pValue.toPrecision(2)} < ${P_MIN}`;
  return { pass, reason, chi2: fit.chi2, dof, pValue, temperature, temperatureErr, delta, deltaErr, a };
}
