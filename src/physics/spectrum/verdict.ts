import type { KSpectrum, SpectralPoint } from './modes.ts';
import { chiSquareSurvival, weightedLeastSquares } from './stats.ts';

/**
 * Tests of a measured spectrum against the two holographic geometries of
 * physics.md §5 and §12:
 *
 * - **disk ladder**: poles at Ω = a(Δ + |k| + 2n) and zeros at
 *   Ω = ±a(2 − Δ + |k| + 2n), all on the real axis (a = v/R in the table's
 *   frequency unit; the ladder spacing is 2a). Fitted by weighted least
 *   squares in (a, aΔ) with the rung numbers n assigned from the data.
 * - **horizon (BTZ)**: quasinormal modes Ω = ±ak − i·2πT(Δ + 2n) and zeros
 *   Ω = ±ak − i·2πT(2 − Δ + 2n); on a table sampled along ω + iγ only the
 *   n = 0 pole and zero of the +k branch are resolvable, so the fit is
 *   Re = a·k, Im(pole) = −u, Im(zero) = −v (u > v: Δ > 1), whence
 *   T = (u + v)/4π and Δ = 2u/(u + v).
 *
 * Each fit reports χ², degrees of freedom and the p-value P(χ²_ν ≥ χ²). A
 * geometry passes when its p-value is at least P_MIN and it has the evidence
 * it needs (a ladder: some k with two rungs; a horizon: poles and zeros on at
 * least three k ≥ 1, with a > 0 and u, v > 0 at 3σ).
 */
export const P_MIN = 0.01;
/** Systematic floor of a disk pole/zero position, in units of a (rational-fit bias measured on closed forms: ≲ 0.003). */
export const LADDER_FLOOR = 0.005;
/** Systematic floor of a BTZ zero's position, as a fraction of its depth below the sampled line (bias on the closed form: ≲ 0.07·depth). */
export const HORIZON_FLOOR = 0.1;
/** The same for a quasinormal mode (n = 0 at depth ~2.5 on the default grid: biased by up to ~0.5 at small k, where the −k branch is near). */
export const HORIZON_POLE_FLOOR = 0.25;

export interface Rung {
  k: number;
  /** Rung number; a zero of the negative-frequency branch −a(2 − Δ + |k| + 2n) is listed as −n − 1. */
  n: number;
  kind: 'pole' | 'zero';
  re: number;
  im: number;
  err: number;
  /** Measured minus fitted Re, in units of the error used in χ². */
  pull: number;
}

export interface GeometryTest {
  pass: boolean;
  reason: string;
  chi2: number;
  dof: number;
  pValue: number;
}

export interface LadderTest extends GeometryTest {
  delta: number;
  deltaErr: number;
  spacing: number;
  spacingErr: number;
  rungs: Rung[];
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

/** The disk-ladder test of the resolved poles and zeros. */
export function testLadder(spectra: readonly KSpectrum[]): LadderTest {
  const poles = spectra.flatMap((s) => s.poles.filter((p) => p.resolved && p.re > 0));
  const zeros = spectra.flatMap((s) => s.zeros.filter((p) => p.resolved && p.re > 0));
  const empty = { delta: NaN, deltaErr: NaN, spacing: NaN, spacingErr: NaN, rungs: [] };
  const perK = new Map<number, SpectralPoint[]>();
  for (const p of poles) perK.set(p.k, [...(perK.get(p.k) ?? []), p]);
  const gaps: number[] = [];
  for (const list of perK.values()) for (let i = 1; i < list.length; i++) gaps.push(list[i].re - list[i - 1].re);
  if (gaps.length === 0) return { ...none(`no ladder: at most one resolved pole per k (${poles.length} resolved poles over ${perK.size} k)`), ...empty };
  let best: LadderTest | null = null;
  for (const gap of gaps) {
    if (!(gap > 0)) continue;
    let a = gap / 2;
    let b = NaN;
    for (let sweep = 0; sweep < 3; sweep++) {
      const x = poles.map((p) => p.re / a - p.k);
      let dl: number;
      if (sweep === 0 || !Number.isFinite(b)) {
        // circular mean of x mod 2, then the lowest observed rung is n = 0
        const c = x.reduce((s, v) => s + Math.cos(Math.PI * v), 0), s = x.reduce((t, v) => t + Math.sin(Math.PI * v), 0);
        dl = (Math.atan2(s, c) / Math.PI + 2) % 2;
        const nMin = Math.min(...x.map((v) => Math.round((v - dl) / 2)));
        dl += 2 * nMin;
      } else dl = b / a;
      const rows: number[][] = [], y: number[] = [], sg: number[] = [], meta: Omit<Rung, 'pull'>[] = [];
      const floor = LADDER_FLOOR * a;
      for (const p of poles) {
        const n = Math.round((p.re / a - p.k - dl) / 2);
        rows.push([p.k + 2 * n, 1]); y.push(p.re); sg.push(Math.hypot(p.errRe, floor));
        meta.push({ k: p.k, n, kind: 'pole', re: p.re, im: p.im, err: p.err });
      }
      for (const z of zeros) {
        // zeros at ±a(2 − Δ + |k| + 2n): for Δ > 2 the n = 0 zero of the − branch lies at positive ω
        const x = z.re / a;
        const np = Math.max(0, Math.round((x - z.k - 2 + dl) / 2));
        const nm = Math.max(0, Math.round((-x - z.k - 2 + dl) / 2));
        const minus = Math.abs(x + (2 - dl + z.k + 2 * nm)) < Math.abs(x - (2 - dl + z.k + 2 * np));
        const n = minus ? nm : np;
        rows.push(minus ? [-(2 + z.k + 2 * n), 1] : [2 + z.k + 2 * n, -1]); y.push(z.re); sg.push(Math.hypot(z.errRe, floor));
        meta.push({ k: z.k, n: minus ? -n - 1 : n, kind: 'zero', re: z.re, im: z.im, err: z.err });
      }
      const fit = weightedLeastSquares(rows, y, sg);
      if (!fit || !(fit.beta[0] > 0)) break;
      [a, b] = fit.beta;
      if (sweep < 2) continue;
      // Im = 0 for every pole and zero
      const imChi2 = [...poles, ...zeros].reduce((s, p) => s + (p.im / Math.hypot(p.errIm, floor)) ** 2, 0);
      const chi2 = fit.chi2 + imChi2;
      const dof = 2 * rows.length - 2;
      const delta = b / a;
      const [[vaa, vab], [, vbb]] = fit.cov;
      const deltaErr = Math.sqrt(Math.max(0, vbb - 2 * delta * vab + delta * delta * vaa)) / a;
      const rungs = meta.map((m, i) => ({ ...m, pull: (y[i] - (rows[i][0] * a + rows[i][1] * b)) / sg[i] }));
      const pValue = chiSquareSurvival(chi2, dof);
      const ks = new Set(poles.map((p) => p.k)).size;
      const ladder = [...perK.values()].some((l) => l.length >= 2);
      const pass = pValue >= P_MIN && ladder && poles.length >= 3 && delta > 1;
      const reason = pass
        ? `${poles.length} poles and ${zeros.length} zeros over ${ks} k lie on the ladder Ω = a(Δ + |k| + 2n) (zeros a(2 − Δ + |k| + 2n)) on the real axis: χ² = ${chi2.toFixed(1)} for ${dof} degrees of freedom, p = ${pValue.toPrecision(2)}`
        : pValue < P_MIN
          ? `the resolved poles and zeros are not on a real-axis ladder: χ² = ${chi2.toFixed(1)} for ${dof} degrees of freedom, p = ${pValue.toPrecision(2)} < ${P_MIN}`
          : !(delta > 1) ? `the ladder's Δ = ${delta.toFixed(3)} is not > 1` : `too few resolved poles for a ladder (${poles.length})`;
      const t: LadderTest = { pass, reason, chi2, dof, pValue, delta, deltaErr, spacing: 2 * a, spacingErr: 2 * Math.sqrt(vaa), rungs };
      if (!best || t.chi2 / Math.max(t.dof, 1) < best.chi2 / Math.max(best.dof, 1)) best = t;
    }
  }
  return best ?? { ...none('no consistent ladder spacing'), ...empty };
}

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
