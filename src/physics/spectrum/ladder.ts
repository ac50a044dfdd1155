import type { KSpectrum, SpectralPoint } from './modes.ts';
import { chiSquareSurvival, weightedLeastSquares } from './stats.ts';

/**
 * The normal-mode ladder of a regular (horizonless) bulk, physics.md §5, §12.
 *
 * Any static, asymptotically AdS bulk with a regular centre has, for each k,
 * one tower of real normal modes. By WKB, with τ = ∫₀^∞ dr/√(fg) the light
 * time from the boundary to the centre, the tower approaches
 *
 *   Ω_{k,n} → a(Δ + |k| + 2n) + O(1/Ω),   a = π/(2τ),
 *
 * (the centre contributes the Bessel order |k|, the boundary the order Δ − 1),
 * and the zeros of χ approach a(2 − Δ + |k| + 2n). Pure AdS (τ = π/2) has
 * exactly Ω = Δ + |k| + 2n with spacing 2; a deformed bulk moves the low rungs
 * and changes τ, hence the spacing 2a (the default deformed metric of §9: 2.077).
 *
 * The window of a table (ω ≤ 12 by default) shows only the first rungs, where a
 * deformed bulk is still far from that asymptote (gaps of one k still moving
 * by ~10%, the k-dependence of the low rungs not yet a·|k|). So the verdict
 * tests the structure holography predicts for any regular bulk, without a
 * parametric model of the deformation:
 * - **real normal modes**: Im of every shallow pole (at most SHALLOW_DEPTH·γ
 *   below the line) and, for Δ < 2, every zero off the imaginary axis against
 *   0, χ² with the floor LADDER_FLOOR·a or DEPTH_FLOOR of the depth, failing
 *   only at p < P_STRONG (strong evidence);
 * - **one tower per k**: consecutive rungs (shallow poles on the real axis
 *   within 3σ, placed to a tenth of a spacing) of a k are one spacing apart
 *   (within TOWER_TOLERANCE; a gap of m spacings is m − 1 rungs not resolved),
 *   so an extra isolated pole fails, and some k has at least two rungs (an
 *   oscillator's one pole per k fails);
 * - **equal spacing approached**: in every tower with two or more gaps the
 *   last gap is no further from the common spacing than the first (within
 *   errors), and the towers share that spacing.
 * Reported alongside: the asymptotic ladder a(Δ + 2n) + c|k| fitted with an
 * allowance a·(LADDER_FLOOR + BULK_DEVIATION/x) per rung (x = Δ + |k| + 2n;
 * zeros 2 − Δ + |k| + 2n), and the pure AdS ladder a(Δ + |k| + 2n) (the floor
 * alone): how far the spectrum is from it exactly. The asymptotic ladder's
 * slope in |k| is its own: at large |k| the low rungs live near the AdS
 * boundary and Ω − |k| → Δ + 2n with slope v/R, while the overtone spacing
 * tends to π/τ (the default deformed metric at Δ = 2.2: c = 1.01, 2a = 2.09;
 * one common a compromised at 2.056 and put Δ 4σ off). Δ and the spacing are
 * those of the pure AdS fit when it is consistent (p ≥ P_MIN), else of the
 * asymptotic fit, whose errors carry its model error: a deformed bulk's
 * rungs depart from any ladder coherently in a finite window, which no
 * averaging over rungs removes, so the errors also hold how far Δ and 2a move
 * when one k is left out (`jackknifeOverK`) and between the two ladder models
 * (one slope, or the |k| slope apart), which the window cannot tell apart.
 */
/** Systematic floor of a disk pole/zero position, in units of a (rational-fit bias measured on closed forms: ≲ 0.003). */
export const LADDER_FLOOR = 0.005;
/**
 * Allowed shift of a rung from the asymptotic ladder, a·BULK_DEVIATION/x. On
 * deformed disks with |α|, |β| ≲ 0.3 (mode-solver tables, physics.md §9) the
 * shift times x stays below ~0.17a; the allowance is one standard deviation.
 */
export const BULK_DEVIATION = 0.25;
/** Largest relative departure of a gap from the common spacing in one tower (deformed disks of §9 with |α|, |β| ≤ 0.3: ≤ 0.12). */
export const TOWER_TOLERANCE = 0.3;
export const P_MIN = 0.01;
/**
 * p-value below which a test counts as positive evidence against a geometry
 * (Im of the rungs against 0; the pure AdS ladder). One table makes ~20 such
 * tests (13 k, several statistics), so a p of 1% turns up by chance in a good
 * fraction of honest disks (pure AdS at γ = 0.5, 1% noise, seed 3: p = 0.0086;
 * at Δ = 1.2, 3% noise: pure AdS ladder p = 0.0014). 10⁻⁴ is 0.2% family-wise
 * over 20 tests (Bonferroni), ~3.9σ for one.
 */
export const P_STRONG = 1e-4;
/**
 * Systematic floor of a disk pole's Im as a fraction of its depth below the
 * sampled line: the rational fit's bias grows with the distance it
 * extrapolates (noiseless pure AdS at γ = 1: |Im| up to ~0.01 at depth 1; at
 * γ = 0.5, 1% noise, zeros next to the window's top edge: up to 0.08 at depth 0.45).
 * Combined with LADDER_FLOOR·a by the larger.
 */
/**
 * Systematic floor of a rung's Re as a fraction of its depth below the sampled
 * line: LADDER_FLOOR·a at the default depth γ = 0.25 (v/R units), twice that at
 * γ = 0.5, where pure AdS at 1% noise otherwise reads as deformed (pure AdS
 * ladder χ² = 341 for 152).
 */
export const RE_DEPTH_FLOOR = 0.02;
/** Deepest pole (in units of γ, the depth of a disk's poles) that counts for or against the disk ladder. */
export const SHALLOW_DEPTH = 3;
export const DEPTH_FLOOR = 0.05;

export interface Rung {
  k: number;
  /** Rung number; a zero of the negative-frequency branch −a(2 − Δ + |k| + 2n) is listed as −n − 1. */
  n: number;
  kind: 'pole' | 'zero';
  re: number;
  im: number;
  err: number;
  /** Position on the asymptotic ladder, a(Δ + |k| + 2n) (zeros: a(2 − Δ + |k| + 2n)). */
  ladder: number;
  /** Measured minus asymptotic-ladder Re, in units of the error used in χ² (with the bulk allowance). */
  pull: number;
  /** Measured Re minus the pure AdS ladder of the `pureAds` fit (same rung). */
  deviation: number;
}

/** A weighted least-squares fit of the rungs to the ladder a(Δ + |k| + 2n). */
export interface LadderFit {
  chi2: number;
  dof: number;
  pValue: number;
  delta: number;
  deltaErr: number;
  /** 2a in the table's frequency unit. */
  spacing: number;
  spacingErr: number;
}

/** One k: its rung numbers (from the gaps) and the gaps between resolved poles, per rung. */
export interface Tower {
  k: number;
  rungs: number[];
  gaps: number[];
}

/**
 * The verdict and its evidence. Of the LadderFit fields, chi2/dof/pValue are
 * those of Im against 0 (real normal modes); Δ and the spacing 2a those of the
 * pure AdS fit if consistent, else of the asymptotic one.
 */
export interface LadderTest extends LadderFit {
  pass: boolean;
  reason: string;
  towers: Tower[];
  /** The ladder approached at large n, with the allowance for a deformed bulk (information). */
  asymptotic: LadderFit | null;
  /** Ω = a(Δ + |k| + 2n) exactly (information): `consistent` when p ≥ P_MIN. */
  pureAds: (LadderFit & { consistent: boolean }) | null;
  /** Largest |measured − pure AdS ladder| over the rungs, in units of a. */
  maxDeviation: number;
  /**
   * The asymptotic ladder's slope c in |k| (its spacing 2a is that of the
   * overtones n) and its model errors: the delete-one-k jackknife of Δ and of
   * the spacing, and how far they move to the one-slope ladder a(Δ + |k| + 2n)
   * (`deltaModels`, `spacingModels`). The asymptotic errors are
   * √(max(fit, jackknife)² + models²). Null without a ladder fit.
   */
  model: { kSlope: number; deltaJackknife: number; spacingJackknife: number; deltaModels: number; spacingModels: number } | null;
  rungs: Rung[];
}

interface Fit {
  a: number;
  b: number;
  /** Slope in |k| (= a for the ladder a(Δ + |k| + 2n); free for the asymptotic ladder). */
  c: number;
  cov: number[][];
  chi2: number;
  chi2Im: number;
  dof: number;
  y: number[];
  sg: number[];
  rows: number[][];
  meta: Omit<Rung, 'pull' | 'ladder' | 'deviation'>[];
}

/** Lowest-rung offset Δ from a spacing guess: circular mean of x = Re/a − |k| mod 2, shifted so that the lowest observed rung is n = 0. */
function offsetGuess(poles: readonly SpectralPoint[], a: number): number {
  const x = poles.map((p) => p.re / a - p.k);
  const c = x.reduce((s, v) => s + Math.cos(Math.PI * v), 0), s = x.reduce((t, v) => t + Math.sin(Math.PI * v), 0);
  const dl = (Math.atan2(s, c) / Math.PI + 2) % 2;
  return dl + 2 * Math.min(...x.map((v) => Math.round((v - dl) / 2)));
}

/**
 * Weighted least squares of the rungs against a(Δ + 2n) + c|k| (poles) and
 * ±[a(2 − Δ + 2n) + c|k|] (zeros), rung numbers re-assigned in each of three
 * sweeps from (a, Δ, c). With `kSlope` false, c = a: the ladder a(Δ + |k| + 2n)
 * (pure AdS: a = 1 in v/R). With `kSlope` true, c is free: the asymptotic
 * ladder of a deformed bulk (the spacing 2a = π/τ of the overtones n, the
 * slope c in |k|, which tends to the boundary light speed v/R at large |k|,
 * where the modes live near the AdS boundary). `allowance` is BULK_DEVIATION
 * for the asymptotic ladder, 0 for pure AdS.
 */
function fitLadder(poles: readonly SpectralPoint[], zeros: readonly SpectralPoint[], a0: number, dl0: number, allowance: number, kSlope: boolean, c0 = a0): Fit | null {
  let a = a0, dl = dl0, c = kSlope ? c0 : a0;
  let out: Fit | null = null;
  // a row of the design matrix: (2n or its zero's form, ±1, |k|), folded into (k + 2n, ±1) when c = a
  const row = (n2: number, one: number, k: number): number[] => (kSlope ? [n2, one, k] : [n2 + k, one]);
  for (let sweep = 0; sweep < 3; sweep++) {
    const rows: number[][] = [], y: number[] = [], sg: number[] = [], meta: Fit['meta'] = [];
    // the fit's bias grows with the depth it extrapolates: RE_DEPTH_FLOOR of the depth, LADDER_FLOOR·a at the least
    const floor = (x: number, depth: number): number => Math.max(a * LADDER_FLOOR, RE_DEPTH_FLOOR * Math.abs(depth)) + (a * allowance) / Math.max(x, 1);
    for (const p of poles) {
      const n = Math.round(((p.re - c * p.k) / a - dl) / 2);
      rows.push(row(2 * n, 1, p.k)); y.push(p.re); sg.push(Math.hypot(p.errRe, floor(dl + p.k + 2 * n, p.depth)));
      meta.push({ k: p.k, n, kind: 'pole', re: p.re, im: p.im, err: p.err });
    }
    for (const z of zeros) {
      // zeros at ±[a(2 − Δ + 2n) + c|k|]: for Δ > 2 the n = 0 zero of the − branch lies at positive ω
      const xp = (z.re - c * z.k) / a, xm = (-z.re - c * z.k) / a;
      const np = Math.max(0, Math.round((xp - 2 + dl) / 2));
      const nm = Math.max(0, Math.round((xm - 2 + dl) / 2));
      const minus = Math.abs(xm - (2 - dl + 2 * nm)) < Math.abs(xp - (2 - dl + 2 * np));
      const n = minus ? nm : np;
      rows.push(minus ? row(-(2 + 2 * n), 1, -z.k) : row(2 + 2 * n, -1, z.k)); y.push(z.re);
      sg.push(Math.hypot(z.errRe, floor(Math.abs(2 - dl + z.k + 2 * n), z.depth)));
      meta.push({ k: z.k, n: minus ? -n - 1 : n, kind: 'zero', re: z.re, im: z.im, err: z.err });
    }
    const fit = weightedLeastSquares(rows, y, sg);
    if (!fit || !(fit.beta[0] > 0)) return out;
    [a, dl, c] = [fit.beta[0], fit.beta[1] / fit.beta[0], kSlope ? fit.beta[2] : fit.beta[0]];
    const chi2Im = [...poles, ...zeros].reduce((t, p) => t + (p.im / Math.hypot(p.errIm, LADDER_FLOOR * a)) ** 2, 0);
    out = { a, b: fit.beta[1], c, cov: fit.cov, chi2: fit.chi2 + chi2Im, chi2Im, dof: 2 * rows.length - (kSlope ? 3 : 2), y, sg, rows, meta };
  }
  return out;
}

/**
 * Δ = b/a and the spacing 2a of a fit with their 1σ errors; where the fit is
 * poor (p < P_MIN: the rungs deviate from the ladder more than allowed, e.g.
 * high k of a strongly deformed bulk) the errors are scaled by √(χ²/ν)
 * (the Birge ratio), so that Δ is not reported more precisely than the
 * ladder describes the rungs.
 */
function summary(f: Fit): LadderFit {
  const delta = f.b / f.a;
  const [[vaa, vab], [, vbb]] = f.cov;
  const pValue = chiSquareSurvival(f.chi2, f.dof);
  const birge = pValue < P_MIN ? Math.sqrt(f.chi2 / Math.max(f.dof, 1)) : 1;
  const deltaErr = (birge * Math.sqrt(Math.max(0, vbb - 2 * delta * vab + delta * delta * vaa))) / f.a;
  return { chi2: f.chi2, dof: f.dof, pValue, delta, deltaErr, spacing: 2 * f.a, spacingErr: 2 * birge * Math.sqrt(vaa) };
}

/** The rung position a fit predicts for its i-th row: (2n-part)·a + (±1)·b + (|k|-part)·c. */
const predicted = (f: Fit, i: number): number => f.rows[i][0] * f.a + f.rows[i][1] * f.b + (f.rows[i].length === 3 ? f.rows[i][2] * f.c : 0);

/**
 * The model error of the asymptotic ladder: the delete-one-k jackknife of Δ
 * and of the spacing 2a, √((m − 1)/m · Σ(θ₋ₖ − θ̄)²) over the m values of k
 * (0 with fewer than three k). A deformed bulk's rungs follow
 * a(Δ + 2n) + c|k| only asymptotically (n → ∞; and Ω → |k| + Δ + 2n as
 * |k| → ∞); in a finite window each k's tower departs from it coherently,
 * which averaging the rungs as if independent does not shrink, but which
 * shows as a change of Δ and 2a when that k is left out.
 */
function jackknifeOverK(poles: readonly SpectralPoint[], zeros: readonly SpectralPoint[], fit: Fit): { delta: number; spacing: number } {
  const ks = [...new Set([...poles, ...zeros].map((p) => p.k))];
  const deltas: number[] = [], spacings: number[] = [];
  if (ks.length >= 3) {
    for (const k of ks) {
      const f = fitLadder(poles.filter((p) => p.k !== k), zeros.filter((z) => z.k !== k), fit.a, fit.b / fit.a, BULK_DEVIATION, true, fit.c);
      if (f) { deltas.push(f.b / f.a); spacings.push(2 * f.a); }
    }
  }
  const se = (v: number[]): number => {
    if (v.length < 3) return 0;
    const m = v.reduce((t, x) => t + x, 0) / v.length;
    return Math.sqrt(((v.length - 1) / v.length) * v.reduce((t, x) => t + (x - m) ** 2, 0));
  };
  return { delta: se(deltas), spacing: se(spacings) };
}

const none = (reason: string): LadderTest => ({
  pass: false, reason, chi2: NaN, dof: 0, pValue: NaN, delta: NaN, deltaErr: NaN, spacing: NaN, spacingErr: NaN,
  towers: [], asymptotic: null, pureAds: null, maxDeviation: NaN, model: null, rungs: [],
});

const median = (v: number[]): number => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Per k, rung numbers from the gaps in units of the spacing s (a gap of m spacings skips m − 1 rungs). */
function towersOf(perK: Map<number, SpectralPoint[]>, s: number): Tower[] {
  return [...perK.entries()].map(([k, list]) => {
    const rungs = [0], gaps: number[] = [];
    for (let i = 1; i < list.length; i++) {
      const g = list[i].re - list[i - 1].re, m = Math.max(1, Math.round(g / s));
      rungs.push(rungs[i - 1] + m);
      gaps.push(g / m);
    }
    return { k, rungs, gaps };
  });
}

/**
 * The ladder test of the resolved poles and zeros (Re > 0): are they the
 * normal modes of a regular bulk (see the file's head)? The fits to the
 * asymptotic and the pure AdS ladder are reported alongside.
 */
export function testLadder(spectra: readonly KSpectrum[]): LadderTest {
  const gamma = spectra[0]?.gamma ?? 0;
  const maxDepth = spectra.length ? (spectra[0].omegaMax - spectra[0].omegaMin) / 4 : 0;
  // a disk's poles sit γ below the line; a pole more than 3γ deep is placed only roughly (±0.1–0.5, as a quasinormal
  // mode), and a background the linear term cannot carry (χ ~ Ω^{2Δ−2} at large Δ: Δ = 4.3 puts poles 1.1–1.5 below
  // the line at the window's top edge, "resolved" to ±0.1–0.2) is fitted by such poles: no rung, and no evidence
  // against the disk
  const shallow = (p: SpectralPoint): boolean => p.depth <= Math.min(maxDepth, SHALLOW_DEPTH * gamma);
  const resolved = spectra.flatMap((s) => s.poles.filter((p) => p.resolved && p.re > 0 && shallow(p)));
  // a zero of χ at Ω² < 0 lies on the imaginary axis (a strongly deformed bulk moves the k = 0 zero there): not on the ladder
  const resolvedZeros = spectra.flatMap((s) => s.zeros.filter((p) => p.resolved && p.re > Math.abs(p.im)));
  // rungs: poles on the real axis within 3σ (Im floor: LADDER_FLOOR·a, or DEPTH_FLOOR of the depth, the larger)
  // and placed to a tenth of a spacing; the others enter only the test of Im against 0
  const imFloor = (p: SpectralPoint, a: number): number => Math.max(LADDER_FLOOR * a, DEPTH_FLOOR * Math.abs(p.depth));
  const onAxis = resolved.filter((p) => Math.abs(p.im) <= 3 * Math.hypot(p.errIm, imFloor(p, 1)));
  const axisGaps = onAxis.flatMap((p, i) => (i > 0 && onAxis[i - 1].k === p.k ? [p.re - onAxis[i - 1].re] : []));
  const placeable = axisGaps.length ? 0.1 * median(axisGaps) : Infinity;
  const poles = onAxis.filter((p) => p.err <= placeable);
  // zeros on the ladder: placed to a twentieth of a spacing (a disk's are sharp, ≲ 0.02; pure AdS at γ = 0.5, 1% noise,
  // k = 3: a second zero 10.87 − 0.24i ± 0.17 next to the rung 11.55 would be read as a deformation of 0.6a)
  const zeros = resolvedZeros.filter((z) => z.err <= placeable / 2);
  const offAxis = resolved.filter((p) => !poles.includes(p));
  const perK = new Map<number, SpectralPoint[]>();
  for (const p of poles) perK.set(p.k, [...(perK.get(p.k) ?? []), p]);
  const gaps: number[] = [];
  for (const list of perK.values()) for (let i = 1; i < list.length; i++) gaps.push(list[i].re - list[i - 1].re);
  if (gaps.length === 0) return none(`no ladder: at most one resolved pole per k on the real axis (${poles.length} such poles over ${perK.size} k${offAxis.length ? `; ${offAxis.length} more off it` : ''})`);
  // the spacing: median of the gaps of a rung, from the median of all gaps (missing rungs count as multiples)
  const s0 = median(gaps);
  const towers = towersOf(perK, s0);
  const spacing = median(towers.flatMap((t) => t.gaps));
  // ladder fits: asymptotic (the allowance of a deformed bulk) and pure AdS, from every gap as a spacing guess
  let best: Fit | null = null;
  for (const gap of [spacing, ...gaps]) {
    if (!(gap > 0)) continue;
    const f = fitLadder(poles, zeros, gap / 2, offsetGuess(poles, gap / 2), BULK_DEVIATION, false);
    if (f && (!best || f.chi2 / Math.max(f.dof, 1) < best.chi2 / Math.max(best.dof, 1))) best = f;
  }
  if (!best) return none('no consistent ladder spacing');
  // the asymptotic ladder: the overtone spacing and the slope in |k| apart, from the common ladder
  const fit = fitLadder(poles, zeros, best.a, best.b / best.a, BULK_DEVIATION, true, best.a) ?? best;
  // its errors: the fit's (with the √(χ²/ν) scaling where it fits poorly) or the jackknife over k, the larger,
  // combined with the model choice: how far Δ and 2a move from the one-slope ladder a(Δ + |k| + 2n)
  const jack = jackknifeOverK(poles, zeros, fit);
  const fitted = summary(fit), oneSlope = summary(best);
  const model = {
    kSlope: fit.c, deltaJackknife: jack.delta, spacingJackknife: jack.spacing,
    deltaModels: Math.abs(fitted.delta - oneSlope.delta), spacingModels: Math.abs(fitted.spacing - oneSlope.spacing),
  };
  const asymptotic = {
    ...fitted,
    deltaErr: Math.hypot(Math.max(fitted.deltaErr, jack.delta), model.deltaModels),
    spacingErr: Math.hypot(Math.max(fitted.spacingErr, jack.spacing), model.spacingModels),
  };
  const pure = fitLadder(poles, zeros, fit.a, asymptotic.delta, 0, false);
  const pureAds = pure ? { ...summary(pure), consistent: summary(pure).pValue >= P_STRONG } : null;
  const rungs: Rung[] = fit.meta.map((m, i) => ({
    ...m,
    ladder: predicted(fit, i),
    pull: (fit.y[i] - predicted(fit, i)) / fit.sg[i],
    // the pure fit assigns the same rungs unless the spectrum is far from any ladder
    deviation: pure && pure.meta[i].n === m.n ? fit.y[i] - predicted(pure, i) : NaN,
  }));
  const maxDeviation = Math.max(...rungs.map((r) => Math.abs(r.deviation) / (pure?.a ?? fit.a)));
  const reported = pureAds?.consistent ? pureAds : asymptotic;
  // real normal modes: Im against 0, every resolved shallow pole (rungs and those off the axis) and, for Δ < 2, zero:
  // the zeros are the normal modes of the same bulk with Δ → 2 − Δ, real for 1 < Δ < 2 (both quantizations unitary),
  // but for Δ > 2 (2 − Δ below the unitarity bound) a pair of them may leave the axis as Ω, Ω* (deformed disk at
  // Δ = 3.4, k = 1: 1.49 − 1.45i and 1.57 + 1.58i)
  const real = [...poles, ...offAxis, ...(reported.delta < 2 ? zeros : [])];
  const chi2 = real.reduce((t, p) => t + (p.im / Math.hypot(p.errIm, imFloor(p, reported.spacing / 2))) ** 2, 0);
  const dof = real.length;
  const pValue = chiSquareSurvival(chi2, dof);
  // one tower per k: every gap one spacing (or a multiple) within TOWER_TOLERANCE
  const uneven = towers.flatMap((t) => t.gaps.map((g, j) => ({ k: t.k, g, at: perK.get(t.k)![j + 1].re })).filter((x) => Math.abs(x.g - spacing) > TOWER_TOLERANCE * spacing));
  // equal spacing approached: the last gap of a tower no further from the spacing than its first (errors and a 2% floor allowed)
  const gapErr = (t: Tower, j: number): number => {
    const l = perK.get(t.k)!;
    return Math.hypot(l[j].errRe, l[j + 1].errRe) / (t.rungs[j + 1] - t.rungs[j]);
  };
  const diverging = towers.filter((t) => t.gaps.length >= 2 && Math.abs(t.gaps[t.gaps.length - 1] - spacing) > Math.abs(t.gaps[0] - spacing) + 3 * Math.hypot(gapErr(t, 0), gapErr(t, t.gaps.length - 1)) + 0.02 * spacing);
  const ladder = towers.some((t) => t.rungs.length >= 2);
  const pass = pValue >= P_STRONG && ladder && uneven.length === 0 && diverging.length === 0 && reported.delta > 1;
  const stats = `Im χ² = ${chi2.toFixed(1)} for ${dof} degrees of freedom, p = ${pValue.toPrecision(2)}`;
  const reason = pass
    ? `${poles.length} real poles (and ${zeros.length} zeros) over ${perK.size} k form one tower per k, its gaps settling to one spacing (${stats})`
    : !ladder
      ? `no ladder: at most one resolved pole per k`
      : uneven.length > 0
        ? `not one tower per k: ${uneven.map((x) => `k = ${x.k}, a gap of ${x.g.toFixed(3)} below ${x.at.toFixed(3)}`).join('; ')} where the spacing is ${spacing.toFixed(3)} (an extra pole or no ladder)`
        : pValue < P_STRONG
          ? `the resolved poles and zeros are not real normal modes: they lie off the real axis (${stats} < ${P_STRONG})`
          : diverging.length > 0
            ? `the spacing does not settle: the gaps of k = ${diverging.map((t) => t.k).join(', ')} move away from ${spacing.toFixed(3)} as n grows`
            : `the ladder's Δ = ${reported.delta.toFixed(3)} is not > 1`;
  return { pass, reason, chi2, dof, pValue, delta: reported.delta, deltaErr: reported.deltaErr, spacing: reported.spacing, spacingErr: reported.spacingErr, towers, asymptotic, pureAds, maxDeviation, model, rungs };
}
