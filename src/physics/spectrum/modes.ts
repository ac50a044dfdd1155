import type { ResponsePoint } from '../../contracts/response.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { Rng } from '../../util/random.ts';
import type { Complex } from '../complex.ts';
import { type LineData, type PoleModel, fitPoleModel, lineData, modelZeros, selectPoleModel } from './poleFit.ts';
import { chiSquareSurvival } from './stats.ts';

/**
 * The poles (and zeros) of χ(Ω, k) in the complex Ω plane, per k, from a
 * response table sampled along Ω = ω + iγ: a weighted rational fit
 * (poleFit.ts), with 1σ errors from refitting the same model to R resamples of
 * the data within σ (each χ value moved by an independent N(0, σ²) draw per
 * component).
 *
 * What such data resolve: a pole a distance d below the sampled line shows as a
 * feature of width ~d on it, so it is **resolved** only when
 *   - it lies below the line (Im p < γ; a pole above it would be acausal; a
 *     zero may lie above it, and is judged on its width zeroWidth instead of d),
 *   - d ≤ (ω_max − ω_min)/4 (a broader feature is indistinguishable from the
 *     smooth background the fit carries in its linear term and far poles),
 *   - Re p ∈ [ω_min − d/2, ω_max − d/2]: inside the sampled range, or just
 *     below its low end, which the data constrain from both sides (a
 *     real-time response has χ(−Ω*) = χ(Ω)*); a pole within d/2 of ω_max or
 *     beyond is seen only through part of its feature or its tail, which the
 *     fit renders as a displaced pole, or a pole–zero pair,
 *   - at k = 0 it lies further than d from the imaginary axis: there the
 *     branches ±Ω of the spectrum meet (BTZ: a double pole at
 *     −i4πT(n + Δ/2)), which a sum of simple poles cannot place,
 *   - the fit of its k describes the data: χ² against its degrees of freedom
 *     has p ≥ FIT_P_MIN (a k whose fit does not is uninformative: none of
 *     its poles or zeros is resolved), and
 *   - its resampling error is below d/4, and
 *   - no zero lies within a quarter of the larger of their depths (a
 *     pole–zero pair that close is a Froissart doublet: both are dropped).
 * Disk poles sit γ below the line (d = γ: sharp); BTZ quasinormal modes sit
 * 4πT(n + Δ/2) further down (r_h = 1.5, Δ = 1.5: d = 2.5 for n = 0, 5.5 for
 * n = 1, so on the default grid only n = 0 is resolvable, and only roughly).
 */
export interface SpectrumOptions {
  /** Resamples for the errors (default 24). */
  resamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
  /** Largest AAA order tried (default 20). */
  maxOrder?: number;
  /** Relative σ floor for noiseless tables (default 1e-4: σ = 1e-4·|χ|/√2). */
  noiselessSigma?: number;
}

export interface SpectralPoint {
  k: number;
  re: number;
  im: number;
  /** 1σ of Re and Im from the resamples, and their quadrature sum |δp|. */
  errRe: number;
  errIm: number;
  err: number;
  /** Distance below the sampled line, γ − Im. */
  depth: number;
  resolved: boolean;
}

export interface KSpectrum {
  k: number;
  gamma: number;
  omegaMin: number;
  omegaMax: number;
  /** χ² of the fit and its degrees of freedom (2M real data − 4n − 4 parameters). */
  chi2: number;
  dof: number;
  /** P(χ² ≥ chi2) for dof degrees of freedom: how well the rational fit describes the data of this k. */
  fitP: number;
  /** fitP ≥ FIT_P_MIN: the fit describes the data, so its poles and zeros may count as evidence. */
  informative: boolean;
  poles: SpectralPoint[];
  zeros: SpectralPoint[];
}

/**
 * A pole and a zero closer than the larger of their depths over this are a
 * Froissart doublet (noise, or the tail of a pole beyond the window, fitted by
 * a pole–zero pair: separations ≲ 0.2 of the depth on the test tables). A
 * genuine pair lies further apart: a quasinormal mode and its zero are
 * 4πT(Δ − 1) apart, 0.29 of the pole's depth at Δ = 1.2 for BTZ r_h = 1.5.
 */
export const FROISSART_FRACTION = 4;

/**
 * Smallest p-value of a per-k fit's χ² (against its degrees of freedom) for its
 * poles and zeros to count. A fit that misses its data (too low an order, a
 * background the pole–residue model cannot carry) puts poles where the misfit
 * needs them, not where χ has them. On simulated tables at 1% noise the fits
 * of every k have p ≥ 0.01 except where the model runs out (the diffusive ring
 * at k = 8: χ² = 206 for 92; a fit limited to order 3: χ² = 2·10⁵ for 76); at
 * 10⁻³ a k of an adequate fit is set aside by chance once in ~80 tables of 13 k,
 * which only withholds evidence.
 */
export const FIT_P_MIN = 1e-3;

export const SPECTRUM_DEFAULTS = { resamples: 24, seed: 1, maxOrder: 20, noiselessSigma: 1e-4 } as const;

/** The rows of one |k| along one line Ω = ω + iγ, sorted by ω (at least 8 of them). */
function lineOf(points: readonly ResponsePoint[], floor: number): LineData {
  const rows = [...points].sort((a, b) => a.omega - b.omega);
  const z = rows.map((p) => ({ re: p.omega, im: p.gamma }));
  const f = rows.map((p) => ({ re: p.chiRe, im: p.chiIm }));
  const tiny = 1e-12 * Math.max(...f.map((c) => Math.hypot(c.re, c.im)), 1e-300);
  const sigma = rows.map((p, i) => (p.sigma > 0 ? p.sigma : Math.max((floor * Math.hypot(f[i].re, f[i].im)) / Math.SQRT2, tiny)));
  return lineData(z, f, sigma);
}

const distance = (a: Complex, b: Complex): number => Math.hypot(a.re - b.re, a.im - b.im);

/**
 * The width of the feature a zero makes on the line Ω = ω + iγ, the scale its
 * resolution is judged on: its depth γ − Im below the line, and for a zero
 * above the real axis (the n = 0 zeros of a black hole at 2 < Δ < 3, physics.md
 * §5: Im = 4πT(Δ/2 − 1) > 0) at least its height Im above the axis, which is
 * what the data must tell apart from zero. Unlike a pole, a zero above the
 * sampled line is causal and sharp.
 */
export function zeroWidth(z: Complex, gamma: number): number {
  return Math.max(gamma - z.im, z.im);
}

/**
 * Errors of matched points: RMS deviation of Re and Im over the resamples; a
 * point a resample lost (null) counts as displaced by its depth below the
 * sampled line (its width, for a zero: zeroWidth), split evenly between Re
 * and Im.
 */
function spread(nominal: Complex[], samples: (Complex | null)[][], width: (p: Complex) => number): { re: number; im: number }[] {
  return nominal.map((p, i) => {
    let sr = 0, si = 0;
    for (const s of samples) {
      const q = s[i];
      if (q) {
        sr += (q.re - p.re) ** 2;
        si += (q.im - p.im) ** 2;
      } else {
        sr += width(p) ** 2 / 2;
        si += width(p) ** 2 / 2;
      }
    }
    const n = Math.max(samples.length, 1);
    return { re: Math.sqrt(sr / n), im: Math.sqrt(si / n) };
  });
}

/** The spectrum of one |k| (rows of a single k and a single γ). */
export function spectrumOfK(points: readonly ResponsePoint[], opts: SpectrumOptions = {}): KSpectrum {
  const o = { ...SPECTRUM_DEFAULTS, ...opts };
  const k = Math.abs(points[0].k);
  const d = lineOf(points, o.noiselessSigma);
  const M = d.z.length;
  const model = selectPoleModel(d, Math.min(o.maxOrder, Math.floor(M / 3)));
  const zeros = modelZeros(model, d);
  const rng = new Rng(o.seed * 1000 + k);
  const poleSamples: Complex[][] = [];
  const zeroSamples: (Complex | null)[][] = [];
  for (let b = 0; b < o.resamples; b++) {
    const f = d.f.map((c, i) => ({ re: c.re + d.sigma[i] * rng.normal(), im: c.im + d.sigma[i] * rng.normal() }));
    const db: LineData = { ...d, f };
    const fit: PoleModel = fitPoleModel(db, model.poles, model, 30);
    poleSamples.push(fit.poles);
    const zb = modelZeros(fit, db);
    zeroSamples.push(zeros.map((z0) => {
      let best: Complex | null = null, bd = Infinity;
      for (const z of zb) {
        const dd = distance(z, z0);
        if (dd < bd) { bd = dd; best = z; }
      }
      // a zero that moved further than its width has no counterpart in this resample
      return bd <= zeroWidth(z0, d.centre.im) ? best : null;
    }));
  }
  const gamma = d.centre.im;
  const omegaMin = d.z[0].re, omegaMax = d.z[M - 1].re;
  const maxDepth = (omegaMax - omegaMin) / 4;
  const poleWidth = (p: Complex): number => gamma - p.im;
  const width = (z: Complex): number => zeroWidth(z, gamma);
  const dof = 2 * M - 4 * model.poles.length - 4;
  const fitP = dof > 0 ? chiSquareSurvival(model.chi2, dof) : 0;
  const informative = fitP >= FIT_P_MIN;
  const classify = (p: Complex, e: { re: number; im: number }, w: number): SpectralPoint => {
    const err = Math.hypot(e.re, e.im);
    const resolved = informative && w > 0 && w <= maxDepth && p.re >= omegaMin - w / 2 && p.re <= omegaMax - w / 2 && err < w / 4 && !(k === 0 && Math.abs(p.re) < w);
    return { k, re: p.re, im: p.im, errRe: e.re, errIm: e.im, err, depth: gamma - p.im, resolved };
  };
  const pe = spread(model.poles, poleSamples, poleWidth);
  const ze = spread(zeros, zeroSamples, width);
  const byRe = (a: SpectralPoint, b: SpectralPoint): number => a.re - b.re;
  const poles = model.poles.map((p, i) => classify(p, pe[i], poleWidth(p)));
  const zs = zeros.map((z, i) => classify(z, ze[i], width(z)));
  // a pole and a zero closer than a quarter of the larger depth (or width; above the line too) are a Froissart doublet (noise, or a pole beyond the window, fitted by a pole–zero pair): neither is resolved
  for (const p of poles) {
    for (const z of zs) {
      if (distance(p, z) < Math.max(Math.abs(p.depth), width(z)) / FROISSART_FRACTION) {
        p.resolved = false;
        z.resolved = false;
      }
    }
  }
  return {
    k, gamma, omegaMin, omegaMax,
    chi2: model.chi2,
    dof, fitP, informative,
    poles: poles.sort(byRe),
    zeros: zs.sort(byRe),
  };
}

/**
 * The spectrum of every |k| of a response table. Refuses (RING_ERR_TABLE_TOO_SMALL)
 * a |k| with fewer than 12 frequencies or with several γ.
 */
export function findSpectrum(points: readonly ResponsePoint[], opts: SpectrumOptions = {}): KSpectrum[] {
  const byK = new Map<number, ResponsePoint[]>();
  for (const p of points) {
    const k = Math.abs(p.k);
    if (!byK.has(k)) byK.set(k, []);
    byK.get(k)!.push(p);
  }
  return [...byK.keys()].sort((a, b) => a - b).map((k) => {
    const rows = byK.get(k)!;
    if (new Set(rows.map((p) => p.gamma)).size > 1) {
      throw new HoloringError(ErrorCodes.TABLE_VALUE, `|k| = ${k}: the rows lie on several lines Ω = ω + iγ (γ = ${[...new Set(rows.map((p) => p.gamma))].join(', ')}); give one γ per table`, { k });
    }
    if (rows.length < 12) {
      throw new HoloringError(ErrorCodes.TABLE_TOO_SMALL, `|k| = ${k}: ${rows.length} frequencies; the pole fit needs at least 12 along the line`, { k, rows: rows.length });
    }
    return spectrumOfK(rows, opts);
  });
}
