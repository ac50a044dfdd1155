import type { KSpectrum, SpectralPoint } from './modes.ts';
import { LADDER_FLOOR, P_MIN } from './ladder.ts';
import { chiSquareSurvival, weightedLeastSquares } from './stats.ts';

/**
 * The horizon test of a measured spectrum (physics.md §5, §11, §12): is it
 * the quasinormal spectrum of a bulk with a horizon, whatever the bulk?
 *
 * BTZ has quasinormal modes Ω = ±k − i4πT(n + Δ/2) and zeros
 * Ω = ±k − i4πT(n + 1 − Δ/2); a deformed black hole moves both with k (the
 * default deformed black hole of the simulator: n = 0 depths from 2.3 at
 * k = 3 to 0.92 at k = 12, Re from k + 0.9 to k + 0.26). What every
 * asymptotically AdS bulk with a horizon shares, and the verdict tests
 * without a model of the deformation:
 * - **absorption**: the horizon absorbs, so every resolved pole lies strictly
 *   below the real axis (Im < 0 at 3σ with the floor LADDER_FLOOR·a); a
 *   normal mode (disk, or an extra undamped pole) fails;
 * - **the zeros of a conformal response**: χ = (2Δ − 2)B/A, so its zeros are
 *   the quasinormal modes of the same bulk with Δ → 2 − Δ (A and B swap);
 *   below Δ they are less damped: every resolved pole has, in its k, a
 *   resolved zero off the real axis and shallower than the pole — below the
 *   axis for Δ < 2, above it for 2 < Δ < 3, where the n = 0 zeros
 *   Ω = ±k + i4πT(Δ/2 − 1) lie (causal: a zero may lie above the axis, a
 *   pole may not). Damped oscillators and diffusion (χ = 1/polynomial) have
 *   no zeros;
 * - **a light cone**: far from the horizon the bulk is AdS, and the
 *   least-damped zero of each k ≥ 1 moves with k: Re = a·k + b within
 *   CONE_ALLOWANCE·a (χ², p ≥ P_MIN; a > 0 at 3σ; zeros on at least three
 *   k), with a the boundary light speed v/R in the table's unit (a → Re Ω/k
 *   at large k); every resolved pole lies within its damping |Im| of that cone;
 * - poles on at least three k.
 * "Not holographic" needs positive evidence: a resolved pole on or above the
 * real axis, a resolved pole with no shallower zero in its k, or zeros on at
 * least three k (and poles on three) that leave the light cone. Too little
 * resolved structure (modes deeper than the window resolves, as at Δ > 2 on
 * the default grid) and poles off the cone alone (a deformation shifts them)
 * leave the check undecided: its reason starts with "undecided".
 * The BTZ ladder below uses the least-damped zero of each k (n = 0).
 * Reported alongside, as information (physics.md §5): the BTZ ladder fitted
 * to the poles and zeros (Re = a·k, Im(pole) = −u − n(u + v), Im(zero) =
 * −v − n(u + v), each point's overtone n from a first fit of the least-damped
 * pole and zero of each k as n = 0), whence
 * T = (u + v)/4π and Δ = 2u/(u + v). Its errors carry floors for the rational
 * fit's bias (HORIZON_POLE_FLOOR, HORIZON_FLOOR of the depth) and, where the
 * BTZ ladder fits poorly (p < P_MIN), the Birge ratio √(χ²/ν). The error of T
 * also carries the deformation: on BTZ the depth of the n = 0 zeros is the
 * same for every k, on a deformed horizon it moves with k (the default
 * deformed black hole: 0.74 at k = 1 to 0.37 at k = 12), and which k's depth
 * stands for the horizon is not known without a model. So T is uncertain by
 * at least the half-range of those depths over their mean, times T. T is that
 * of the BTZ black hole with the same n = 0 spectrum, its error how far the
 * spectrum is from BTZ; the n = 0 modes alone cannot pin the Hawking
 * temperature of a deformed horizon (the near-horizon region shows in the deep
 * overtones). The per-k estimates T_k = (|Im p_k| + |Im z_k|)/4π and
 * Δ_k = 2|Im p_k|/(|Im p_k| + |Im z_k|) are reported, and their spread enters
 * the errors where the BTZ ladder fits poorly.
 */
/** Systematic floor of a BTZ zero's position, as a fraction of its depth below the sampled line (bias on the closed form: ≲ 0.07·depth). */
export const HORIZON_FLOOR = 0.1;
/** The same for a quasinormal mode (n = 0 at depth ~2.5 on the default grid: biased by up to ~0.5 at small k, where the −k branch is near). */
export const HORIZON_POLE_FLOOR = 0.25;
/**
 * Allowed departure of a zero from the straight light cone a·k + b, in units
 * of a. The n = 0 zeros of the deformed black holes of physics.md §11
 * (mode-solver roots, k = 1 … 12) depart from their best line by up to
 * 0.15a and 0.03a; the allowance is one standard deviation.
 */
export const CONE_ALLOWANCE = 0.15;

export interface GeometryTest {
  pass: boolean;
  reason: string;
  chi2: number;
  dof: number;
  pValue: number;
}

/** The light cone of the zeros: Re = a·k + b over k ≥ 1 (its χ² with the allowance CONE_ALLOWANCE·a). */
export interface LightCone {
  a: number;
  aErr: number;
  b: number;
  bErr: number;
  chi2: number;
  dof: number;
  pValue: number;
  /** The k whose least-damped zero was used. */
  ks: number[];
}

/** The BTZ ladder fitted to the n = 0 poles and zeros (information). */
export interface BtzFit {
  chi2: number;
  dof: number;
  pValue: number;
  /** p ≥ P_MIN: the spectrum is that of a BTZ black hole within the floors. */
  consistent: boolean;
  temperature: number;
  temperatureErr: number;
  delta: number;
  deltaErr: number;
  /** Re = a·k: a = v/R in the table's unit. */
  a: number;
  aErr: number;
  /** Per-k estimates from the least-damped resolved pole and zero of each k ≥ 1. */
  perK: { k: number; temperature: number; delta: number }[];
  /** Half-range over mean of the depths |Im| of the least-damped zeros of the k ≥ 1: 0 for BTZ up to noise (the relative error of T it carries). */
  zeroDepthSpread: number;
}

/**
 * chi2/dof/pValue are those of the light cone; temperature, delta and a those
 * of the BTZ fit (NaN when there was nothing to fit).
 */
export interface HorizonTest extends GeometryTest {
  temperature: number;
  temperatureErr: number;
  delta: number;
  deltaErr: number;
  a: number;
  lightCone: LightCone | null;
  btz: BtzFit | null;
  /** Resolved poles not below the real axis at 3σ (normal modes). */
  undamped: number;
  /** Resolved poles with no resolved zero of the same k shallower than them. */
  unpaired: number;
  /** Resolved poles further from the light cone than their damping |Im|. */
  offCone: number;
}

const fmt = (v: number, d = 3): string => v.toFixed(d);

/** The least-damped point (largest Im) of each k. */
function leastDamped(list: readonly SpectralPoint[]): SpectralPoint[] {
  const byK = new Map<number, SpectralPoint>();
  for (const x of list) if (!byK.has(x.k) || x.im > byK.get(x.k)!.im) byK.set(x.k, x);
  return [...byK.values()].sort((x, y) => x.k - y.k);
}

/** The zeros of each k on the side of the real axis of its least-damped one: above it (2 < Δ < 3) only the n = 0 zero, not the n = 1 zeros below. */
function n0Zeros(list: readonly SpectralPoint[]): SpectralPoint[] {
  const top = new Map(leastDamped(list).map((z) => [z.k, z.im > 0]));
  return list.filter((z) => (z.im > 0) === top.get(z.k));
}

/** BTZ ladder fit of the n = 0 poles and zeros with k ≥ 1, Re > 0 (see the file's head); null if singular or empty. */
export function fitBtz(poles: readonly SpectralPoint[], zeros: readonly SpectralPoint[]): BtzFit | null {
  const p = poles.filter((x) => x.k >= 1 && x.re > 0), z = n0Zeros(zeros.filter((x) => x.k >= 1 && x.re > 0));
  if (p.length === 0 || z.length === 0) return null;
  // overtones: Im p_n = −u − n(u + v), Im z_n = −v − n(u + v) (4πT = u + v); first the least-damped pole and zero of
  // each k as n = 0, then every point with its n from that fit (r_h = 0.6: the n = 1 modes and zeros are resolved too)
  const build = (pl: readonly SpectralPoint[], zl: readonly SpectralPoint[], u0: number, v0: number) => {
    const rows: number[][] = [], y: number[] = [], sg: number[] = [];
    for (const [list, pole, floorFraction] of [[pl, true, HORIZON_POLE_FLOOR], [zl, false, HORIZON_FLOOR]] as const) {
      for (const q of list) {
        const floor = floorFraction * Math.max(q.depth, q.im); // a zero above the line: its height above the axis
        const n = u0 + v0 > 0 ? Math.max(0, Math.round((-q.im - (pole ? u0 : v0)) / (u0 + v0))) : 0;
        rows.push([q.k, 0, 0]); y.push(q.re); sg.push(Math.hypot(q.errRe, floor));
        rows.push(pole ? [0, -(1 + n), -n] : [0, -n, -(1 + n)]); y.push(q.im); sg.push(Math.hypot(q.errIm, floor));
      }
    }
    return { rows, y, sg, fit: weightedLeastSquares(rows, y, sg) };
  };
  let built = build(leastDamped(p), leastDamped(z), NaN, NaN);
  for (let sweep = 0; sweep < 2 && built.fit; sweep++) {
    const next = build(p, z, built.fit.beta[1], built.fit.beta[2]);
    if (!next.fit) break;
    built = next;
  }
  const { rows, fit } = built;
  if (!fit) return null;
  const dof = rows.length - 3;
  const pValue = dof > 0 ? chiSquareSurvival(fit.chi2, dof) : NaN;
  const birge = pValue < P_MIN ? Math.sqrt(fit.chi2 / dof) : 1;
  const [a, u, v] = fit.beta;
  const c = fit.cov;
  // T = (u + v)/4π; Δ = 2u/(u + v): ∂Δ/∂u = 2v/(u+v)², ∂Δ/∂v = −2u/(u+v)²
  const s2 = (u + v) ** 2, gu = (2 * v) / s2, gv = (-2 * u) / s2;
  const perK = [...new Set(p.map((x) => x.k))].sort((x, y) => x - y).flatMap((k) => {
    const least = (l: readonly SpectralPoint[]) => l.filter((x) => x.k === k).reduce<SpectralPoint | null>((m, x) => (m === null || x.im > m.im ? x : m), null);
    const [pk, zk] = [least(p), least(z)];
    if (!pk || !zk) return [];
    const [uk, vk] = [-pk.im, -zk.im];
    return [{ k, temperature: (uk + vk) / (4 * Math.PI), delta: (2 * uk) / (uk + vk) }];
  });
  // the disagreement of the k, counted only where the BTZ ladder does not describe them
  const spread = (vals: number[]): number => {
    if (pValue >= P_MIN || vals.length < 2) return 0;
    const m = vals.reduce((t, x) => t + x, 0) / vals.length;
    return Math.sqrt(vals.reduce((t, x) => t + (x - m) ** 2, 0) / (vals.length - 1));
  };
  const depths = leastDamped(z).map((x) => Math.abs(x.im));
  const zeroDepthSpread = depths.length >= 2 ? (Math.max(...depths) - Math.min(...depths)) / (2 * (depths.reduce((t, x) => t + x, 0) / depths.length)) : 0;
  const temperature = (u + v) / (4 * Math.PI);
  return {
    chi2: fit.chi2, dof, pValue, consistent: pValue >= P_MIN,
    temperature,
    temperatureErr: Math.hypot((birge * Math.sqrt(Math.max(0, c[1][1] + 2 * c[1][2] + c[2][2]))) / (4 * Math.PI), spread(perK.map((x) => x.temperature)), zeroDepthSpread * temperature),
    delta: (2 * u) / (u + v),
    deltaErr: Math.hypot(birge * Math.sqrt(Math.max(0, gu * gu * c[1][1] + 2 * gu * gv * c[1][2] + gv * gv * c[2][2])), spread(perK.map((x) => x.delta))),
    a, aErr: birge * Math.sqrt(c[0][0]),
    perK,
    zeroDepthSpread,
  };
}

/** Weighted fit of the least-damped zero of each k ≥ 1 to Re = a·k + b, errors combined with CONE_ALLOWANCE·a (two passes for a). */
function fitCone(zeros: readonly SpectralPoint[]): LightCone | null {
  const list = leastDamped(zeros.filter((z) => z.k >= 1 && z.re > 0));
  if (list.length < 3) return null;
  let a = (list[list.length - 1].re - list[0].re) / (list[list.length - 1].k - list[0].k);
  let out: LightCone | null = null;
  for (let pass = 0; pass < 2; pass++) {
    const sg = list.map((z) => Math.hypot(z.errRe, CONE_ALLOWANCE * Math.abs(a)));
    const fit = weightedLeastSquares(list.map((z) => [z.k, 1]), list.map((z) => z.re), sg);
    if (!fit) return out;
    a = fit.beta[0];
    const dof = list.length - 2;
    out = {
      a, aErr: Math.sqrt(fit.cov[0][0]), b: fit.beta[1], bErr: Math.sqrt(fit.cov[1][1]),
      chi2: fit.chi2, dof, pValue: dof > 0 ? chiSquareSurvival(fit.chi2, dof) : NaN, ks: list.map((z) => z.k),
    };
  }
  return out;
}

/** Where the least-damped zeros of the cone's k lie: 'below' or 'above' the real axis (Δ < 2 or 2 < Δ < 3), 'off' when on both sides. */
function coneSide(zeros: readonly SpectralPoint[], cone: LightCone): string {
  const least = cone.ks.map((k) => Math.max(...zeros.filter((z) => z.k === k && z.re > 0).map((z) => z.im)));
  return least.every((im) => im < 0) ? 'below' : least.every((im) => im > 0) ? 'above' : 'off';
}

/** The horizon test of the resolved poles and zeros (see the file's head). */
export function testHorizon(spectra: readonly KSpectrum[]): HorizonTest {
  const poles = spectra.flatMap((s) => s.poles.filter((p) => p.resolved));
  // off the real axis at 3σ, on either side: above it for 2 < Δ < 3 (the n = 0 zeros, physics.md §5)
  const zeros = spectra.flatMap((s) => s.zeros.filter((z) => z.resolved && Math.abs(z.im) > 3 * z.errIm));
  const cone = fitCone(zeros);
  const btz = fitBtz(poles.filter((p) => p.im < 0), zeros);
  const scale = cone && cone.a > 0 ? cone.a : 1;
  const undamped = poles.filter((p) => !(p.im < -3 * Math.hypot(p.errIm, LADDER_FLOOR * scale)));
  const unpaired = poles.filter((p) => !zeros.some((z) => z.k === p.k && z.im > p.im));
  const offCone = cone ? poles.filter((p) => Math.abs(p.re - (cone.a * p.k + cone.b)) > Math.abs(p.im) + 3 * p.errRe) : [];
  const kp = new Set(poles.map((p) => p.k)).size;
  const maxDepth = spectra.length ? (spectra[0].omegaMax - spectra[0].omegaMin) / 4 : NaN;
  const info = {
    temperature: btz?.temperature ?? NaN, temperatureErr: btz?.temperatureErr ?? NaN,
    delta: btz?.delta ?? NaN, deltaErr: btz?.deltaErr ?? NaN, a: btz?.a ?? NaN,
    lightCone: cone, btz, undamped: undamped.length, unpaired: unpaired.length, offCone: offCone.length,
  };
  const stats = cone ? { chi2: cone.chi2, dof: cone.dof, pValue: cone.pValue } : { chi2: NaN, dof: 0, pValue: NaN };
  const at = (list: SpectralPoint[]): string => list.slice(0, 4).map((p) => `k = ${p.k}: ${fmt(p.re)} ${p.im < 0 ? '−' : '+'} ${fmt(Math.abs(p.im))}i`).join('; ') + (list.length > 4 ? '; …' : '');
  const conePass = cone !== null && cone.a > 3 * cone.aErr && cone.pValue >= P_MIN;
  const pass = kp >= 3 && undamped.length === 0 && unpaired.length === 0 && conePass && offCone.length === 0;
  const coneText = cone ? `Re = a·k + b with a = ${cone.a.toPrecision(4)} ± ${cone.aErr.toPrecision(2)}, b = ${cone.b.toPrecision(3)} ± ${cone.bErr.toPrecision(2)} (χ² = ${cone.chi2.toFixed(1)} for ${cone.dof}, p = ${cone.pValue.toPrecision(2)})` : '';
  const zeroKs = cone?.ks.length ?? new Set(zeros.filter((z) => z.k >= 1).map((z) => z.k)).size;
  const tooDeep = `quasinormal modes deeper than ${maxDepth.toFixed(2)} below the sampled line are not resolved — widen the ω window or lower γ`;
  // "not holographic" needs positive evidence against a horizon; too little resolved structure is "undecided"
  const reason = pass
    ? `${poles.length} poles on ${kp} k lie below the real axis (absorbed by a horizon), each with a shallower zero (the Δ → 2 − Δ modes), and the zeros of ${cone!.ks.length} k follow a light cone ${coneText}`
    : undamped.length > 0
      ? `not absorbed: ${undamped.length} resolved poles lie on the real axis (normal modes, not quasinormal): ${at(undamped)}`
      : unpaired.length > 0
        ? `${unpaired.length} resolved poles have no shallower zero in their k, as a conformal response's quasinormal modes do: ${at(unpaired)}`
        : cone !== null && !conePass && kp >= 3
          ? `the zeros do not follow a light cone: ${coneText}`
          : cone !== null && conePass && offCone.length > 0
            ? `undecided: ${offCone.length} resolved poles lie further from the light cone ${fmt(cone.a)}·k + ${fmt(cone.b)} than their damping (an extra mode, or a deformation of the bulk shifting the quasinormal modes): ${at(offCone)}`
            : cone !== null && conePass
              ? `undecided: the zeros of ${cone.ks.length} k lie ${coneSide(zeros, cone)} the real axis on a light cone ${coneText}, but resolved poles lie on only ${kp} k (a horizon needs them on at least 3): ${tooDeep}`
              : `undecided: no quasinormal spectrum resolved, and none ruled out: resolved poles on ${kp} k and zeros off the real axis on ${zeroKs} k ≥ 1 (a horizon needs both on at least 3; ${tooDeep})`;
  return { pass, reason, ...stats, ...info };
}
