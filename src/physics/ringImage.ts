import type { ResponsePoint } from '../contracts/response.ts';
import { ErrorCodes, HoloringError, assertFinite } from '../errors.ts';
import type { Complex } from './complex.ts';

/**
 * The ring image (physics.md §13): the response seen through a virtual lens
 * at the antipode of the source. With x the arc coordinate around the
 * antipode (θ = θ_s + π + x, ring radius 1), aperture d and focal length f,
 *
 *   Ψ(x_S) ∝ ∫_{−d}^{d} ⟨O(θ_s + π + x)⟩ e^{−iωx x_S/f} dx,   image = |Ψ(x_S)|²,
 *
 * with ⟨O⟩ the ideal ring response of §6 (J₀ = 1) resummed from χ(Ω, k),
 * |k| ≤ K. Every term of that sum integrates in closed form,
 *
 *   ∫_{−d}^{d} e^{ikx − iqx} dx = 2d·sinc((k − q)d),   q = ωx_S/f,
 *
 * so Ψ(x_S) = (1/2π) Σ_{|k|≤K} (−1)^k e^{−k²σ²/2} χ(Ω, k) · 2d·sinc((k − q)d)
 * exactly (no quadrature). ω is the drive frequency Re Ω.
 */
export interface RingImageOptions {
  /** Half-aperture d of the lens along the arc (rad of the unit ring). Default 0.5. */
  aperture?: number;
  /** Focal length f (same units as x_S). Default 1. */
  focal?: number;
  /** Width σ of the source profile (rad). Default 0.15. */
  sourceWidth?: number;
  /** The image plane spans x_S ∈ [−extent·f, extent·f]. Default 1.5. */
  extent?: number;
  /** Samples of the image plane (odd, so x_S = 0 is one of them). Default 601. */
  samples?: number;
  /**
   * 1σ per component of χ(Ω, |k|) for |k| = 0..K (a response table's σ). With
   * it the spot also needs the antipodal response to stand out of the noise
   * (antipodeSnr ≥ SPOT_SNR); without it (or all zero) that test is skipped.
   */
  sigmaByK?: readonly number[];
}

/** The image and its figures of merit (physics.md §13 table). */
export interface RingImage {
  /** Drive frequency ω = Re Ω used in the lens phase. */
  omega: number;
  /** Complex frequency Ω at which χ was taken. */
  Omega: Complex;
  /** Largest |k| summed. */
  kMax: number;
  /** Image-plane coordinates x_S and the image |Ψ(x_S)|², normalised to a maximum of 1. */
  x: Float64Array;
  intensity: Float64Array;
  /** x_S of the brightest point (the one nearest x_S = 0 on a tie). */
  position: number;
  /**
   * Full width at half maximum: the distance between the outermost crossings of
   * half the maximum (linearly interpolated); for a split image (two side peaks)
   * it spans both, as in the §13 table.
   */
  width: number;
  /** centre / mean: |Ψ(0)|² over the mean of |Ψ|² on the image plane [−extent·f, extent·f]. */
  contrast: number;
  /** The antipodal refocusing gain of the response (see `refocusingGain`). */
  refocusing: number;
  /** |⟨O(θ_s + π)⟩| over its noise (see `antipodeSnr`); null without σ. */
  antipodeSnr: number | null;
  /** The image is centred: the brightest point lies inside the central half-maximum region and contrast ≥ SPOT_CONTRAST. */
  central: boolean;
  /** The focused holographic spot: `central`, refocusing ≥ REFOCUSING_GAIN and, with σ, antipodeSnr ≥ SPOT_SNR. */
  spot: boolean;
}

/**
 * Smallest |⟨O(θ_s + π)⟩| / noise for a spot: below it the antipodal response
 * (and so the refocusing gain and the image) may be noise, as for a black
 * hole, which absorbs the wave (BTZ at 5% noise, |k| ≤ 12: a centred image and
 * a gain above 3 in ~1% of the images without this test). Noise alone exceeds
 * 5 with probability e^{−25}; the disk at 5% noise has 15.7 or more.
 */
export const SPOT_SNR = 5;

/** Smallest centre/mean that counts as a spot (the §13 disk rows have 3.0–5.4, BTZ 0.41). */
export const SPOT_CONTRAST = 2;

/**
 * The largest antipodal refocusing gain a ring without a bulk can reach:
 * 2/(1 + min_t sin t/t) = 2/(1 − 0.21723) ≈ 2.555 (docs/spectrum.md, "Why the
 * spot needs refocusing"). Every §12 ring (one pole pair ±κ in k per Ω) responds
 * far from its source as one standing wave cos(κ(θ − θ_s − π)), whose gain is
 * at most this.
 */
export const SINGLE_WAVE_GAIN = 2 / (1 - 0.217233628211222);

/**
 * Smallest refocusing gain that counts as the refocused bulk wave: above the
 * single-wave bound 2.555 with a margin for a response table's truncation in
 * |k| and its noise. The disk has 3.3–11.4 wherever its image is centred
 * (Δ 1.2–3.3, deformed metrics, ω 6–20, |k| ≤ 12 or 40); the §12 rings and
 * black holes at most 2.2 (docs/spectrum.md).
 */
export const REFOCUSING_GAIN = 3;

/** Largest half-aperture: the lens' arc [−d, d] around the antipode must not reach the source at x = ±π. */
export const MAX_APERTURE = Math.PI;

export const IMAGE_DEFAULTS = { aperture: 0.5, focal: 1, sourceWidth: 0.15, extent: 1.5, samples: 601 } as const;

/** The lens' arc ends at least this many source widths σ from the source centre (x = ±π). */
export const SOURCE_CLEARANCE = 3;

/**
 * Refuses (RING_ERR_ARG_INVALID, context aperture, sourceWidth, max) a half-aperture d
 * outside (0, π − 3σ): the arc [−d, d] around the antipode must stay on the ring and
 * off the smeared source at ±π (width σ, rad), whose own field would otherwise enter
 * the lens (at d = 3.1, σ = 0.15 the image is fringes of period ≈ 0.09, no lens image).
 */
export function assertApertureOffSource(d: number, sourceWidth: number): void {
  const max = MAX_APERTURE - SOURCE_CLEARANCE * Math.max(0, sourceWidth);
  if (!(d > 0 && d < max)) {
    throw new HoloringError(
      ErrorCodes.ARG_INVALID,
      `lens half-aperture d must be in (0, π − ${SOURCE_CLEARANCE}σ) = (0, ${max.toFixed(3)}) for a source of width σ = ${sourceWidth}: the arc [−d, d] around the antipode must stay on the ring and off the source at ±π (got ${d})`,
      { aperture: d, sourceWidth, max },
    );
  }
}

const sinc = (t: number): number => (Math.abs(t) < 1e-8 ? 1 - (t * t) / 6 : Math.sin(t) / t);

/**
 * The ring image from χ(Ω, k) for |k| = 0..K (chiByK[|k|], χ even in k).
 * Refuses (RING_ERR_ARG_INVALID) an aperture outside (0, π − 3σ) (assertApertureOffSource), a non-positive focal length or extent,
 * fewer than 3 samples, an empty χ list, and ω = Re Ω ≤ 0 (no wave optics).
 */
export function ringImage(chiByK: readonly Complex[], Omega: Complex, opts: RingImageOptions = {}): RingImage {
  const d = opts.aperture ?? IMAGE_DEFAULTS.aperture;
  const f = opts.focal ?? IMAGE_DEFAULTS.focal;
  const width = opts.sourceWidth ?? IMAGE_DEFAULTS.sourceWidth;
  const extent = opts.extent ?? IMAGE_DEFAULTS.extent;
  let n = Math.floor(opts.samples ?? IMAGE_DEFAULTS.samples);
  assertFinite('ring image parameter', d, f, width, extent, Omega.re, Omega.im);
  const bad = (why: string, ctx: Record<string, unknown>): never => {
    throw new HoloringError(ErrorCodes.ARG_INVALID, why, ctx);
  };
  assertApertureOffSource(d, width);
  if (!(f > 0)) bad(`focal length must be > 0 (got ${f})`, { focal: f });
  if (!(extent > 0)) bad(`image extent must be > 0 (got ${extent})`, { extent });
  if (!(width >= 0)) bad(`source width must be ≥ 0 (got ${width})`, { width });
  if (!(n >= 3)) bad(`the image needs at least 3 samples (got ${n})`, { samples: n });
  if (chiByK.length === 0) bad('the image needs χ for at least k = 0', {});
  if (!(Omega.re > 0)) bad(`the lens needs a drive frequency ω = Re Ω > 0 (got ${Omega.re})`, { omega: Omega.re });
  if (n % 2 === 0) n += 1;
  const K = chiByK.length - 1;
  // a_k = (−1)^k e^{−k²σ²/2} χ_k / 2π · 2d, for k = 0..K (χ_{−k} = χ_k)
  const aRe = new Float64Array(K + 1);
  const aIm = new Float64Array(K + 1);
  for (let k = 0; k <= K; k++) {
    const s = ((k % 2 === 0 ? 1 : -1) * Math.exp((-k * k * width * width) / 2) * 2 * d) / (2 * Math.PI);
    aRe[k] = s * chiByK[k].re;
    aIm[k] = s * chiByK[k].im;
  }
  const x = new Float64Array(n);
  const intensity = new Float64Array(n);
  const half = (n - 1) / 2;
  for (let i = 0; i < n; i++) {
    const xs = (extent * f * (i - half)) / half;
    const q = (Omega.re * xs) / f;
    let re = aRe[0] * sinc(q * d);
    let im = aIm[0] * sinc(q * d);
    for (let k = 1; k <= K; k++) {
      const w = sinc((k - q) * d) + sinc((k + q) * d);
      re += aRe[k] * w;
      im += aIm[k] * w;
    }
    x[i] = xs;
    intensity[i] = re * re + im * im;
  }
  const figures = imageFigures(x, intensity);
  const refocusing = refocusingGain(chiByK, width);
  const snr = opts.sigmaByK ? antipodeSnr(chiByK, opts.sigmaByK, width) : null;
  const spot = figures.central && refocusing >= REFOCUSING_GAIN && (snr === null || snr >= SPOT_SNR);
  return { ...figures, refocusing, antipodeSnr: snr, spot, omega: Omega.re, Omega, kMax: K, x, intensity };
}

/**
 * The antipodal response over its noise: |⟨O(θ_s + π)⟩| / √E|δO(θ_s + π)|²,
 * with ⟨O(θ_s + π)⟩ = (1/2π)[χ₀ + 2Σ_{k≥1} (−1)^k e^{−k²σ²/2} χ_k] and the
 * χ_k independent with 1σ `sigmaByK[k]` per component:
 * E|δO|² = (2/4π²)[σ₀² + 4Σ_{k≥1} e^{−k²σ²} σ_k²]. Null when every σ is 0
 * or the lists differ in length.
 */
export function antipodeSnr(chiByK: readonly Complex[], sigmaByK: readonly number[], width: number): number | null {
  if (sigmaByK.length !== chiByK.length) return null;
  let re = 0, im = 0, noise = 0;
  for (let k = 0; k < chiByK.length; k++) {
    const w = (k === 0 ? 1 : 2) * (k % 2 === 0 ? 1 : -1) * Math.exp((-k * k * width * width) / 2);
    re += w * chiByK[k].re;
    im += w * chiByK[k].im;
    noise += 2 * w * w * sigmaByK[k] * sigmaByK[k];
  }
  return noise > 0 ? Math.hypot(re, im) / Math.sqrt(noise) : null;
}

/**
 * The antipodal refocusing gain of the ring response (physics.md §6, §13: the
 * wave that crossed the bulk refocuses at the antipode):
 *
 *   G = |⟨O(θ_s + π)⟩|² / mean_{π/2 ≤ |θ − θ_s| ≤ π} |⟨O(θ)⟩|²,
 *
 * ⟨O⟩ resummed from χ(Ω, |k|) for |k| ≤ K with the source profile e^{−k²σ²/2}
 * (`width` = σ, rad); the mean over the far half of the ring by the trapezoid
 * rule on 16(K + 1) intervals. Dimensionless; 0 when the far field vanishes.
 * A ring without a bulk stays below SINGLE_WAVE_GAIN ≈ 2.555; the disk refocuses
 * (3–11 on the §13 settings).
 */
export function refocusingGain(chiByK: readonly Complex[], width: number): number {
  const K = chiByK.length - 1;
  const w = chiByK.map((_, k) => (k === 0 ? 1 : 2) * Math.exp((-k * k * width * width) / 2));
  const intensity = (theta: number): number => {
    let re = 0;
    let im = 0;
    for (let k = 0; k <= K; k++) {
      const c = w[k] * Math.cos(k * theta);
      re += c * chiByK[k].re;
      im += c * chiByK[k].im;
    }
    return re * re + im * im;
  };
  const m = 16 * (K + 1);
  let sum = 0;
  for (let i = 0; i <= m; i++) sum += (i === 0 || i === m ? 0.5 : 1) * intensity(Math.PI / 2 + (Math.PI / 2) * (i / m));
  const mean = sum / m;
  return mean > 0 ? intensity(Math.PI) / mean : 0;
}

/** Position, FWHM (outermost half-maximum crossings), centre/mean and the spot verdict of an image; normalises it to max 1 in place. */
function imageFigures(x: Float64Array, I: Float64Array): Pick<RingImage, 'position' | 'width' | 'contrast' | 'central'> {
  const n = I.length;
  const c = (n - 1) / 2;
  let best = 0;
  for (let i = 0; i < n; i++) if (I[i] > I[best] || (I[i] === I[best] && Math.abs(i - c) < Math.abs(best - c))) best = i;
  const max = I[best];
  if (!(max > 0)) return { position: 0, width: 0, contrast: 0, central: false };
  // mean by the trapezoid rule over the image plane
  let sum = 0;
  for (let i = 0; i < n - 1; i++) sum += (I[i] + I[i + 1]) / 2;
  const mean = sum / (n - 1);
  const contrast = I[c] / mean;
  for (let i = 0; i < n; i++) I[i] /= max;
  const crossing = (i: number, j: number): number => x[i] + ((0.5 - I[i]) / (I[j] - I[i])) * (x[j] - x[i]);
  let lo = 0;
  while (lo < n && I[lo] < 0.5) lo++;
  let hi = n - 1;
  while (hi > 0 && I[hi] < 0.5) hi--;
  const left = lo > 0 ? crossing(lo - 1, lo) : x[0];
  const right = hi < n - 1 ? crossing(hi, hi + 1) : x[n - 1];
  // the central half-maximum region: walk out from x_S = 0 while above half
  let cl = c;
  let cr = c;
  if (I[c] >= 0.5) {
    while (cl > 0 && I[cl - 1] >= 0.5) cl--;
    while (cr < n - 1 && I[cr + 1] >= 0.5) cr++;
  }
  const central = I[c] >= 0.5 && best >= cl && best <= cr && contrast >= SPOT_CONTRAST;
  return { position: x[best], width: right - left, contrast, central };
}

/**
 * χ(Ω, |k|) and its σ for |k| = 0..K at one drive frequency of a response table: the rows
 * whose ω is within 1e-9·max(1, |ω|) of `omega`. Refuses (RING_ERR_ARG_INVALID)
 * an ω the table does not hold (the message lists the nearest ones) and a k
 * range with gaps (the sum needs every |k| from 0).
 */
export function chiAtOmega(points: readonly ResponsePoint[], omega: number): { Omega: Complex; chiByK: Complex[]; sigmaByK: number[] } {
  const tol = 1e-9 * Math.max(1, Math.abs(omega));
  const rows = points.filter((p) => Math.abs(p.omega - omega) <= tol);
  if (rows.length === 0) {
    const omegas = [...new Set(points.map((p) => p.omega))].sort((a, b) => Math.abs(a - omega) - Math.abs(b - omega)).slice(0, 3);
    throw new HoloringError(ErrorCodes.ARG_INVALID, `the response table has no rows at ω = ${omega}; nearest: ${omegas.join(', ')}`, { omega, nearest: omegas });
  }
  const gammas = new Set(rows.map((p) => p.gamma));
  if (gammas.size > 1) {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `the response table has rows at ω = ${omega} with several γ (${[...gammas].join(', ')}); give a table with one γ per ω`, { omega });
  }
  const byK = new Map(rows.map((p) => [Math.abs(p.k), { re: p.chiRe, im: p.chiIm, sigma: p.sigma }]));
  const K = Math.max(...byK.keys());
  const chiByK: Complex[] = [];
  const sigmaByK: number[] = [];
  for (let k = 0; k <= K; k++) {
    const c = byK.get(k);
    if (!c) throw new HoloringError(ErrorCodes.ARG_INVALID, `the response table at ω = ${omega} lacks |k| = ${k} (the image sums every |k| from 0 to ${K})`, { omega, k });
    chiByK.push({ re: c.re, im: c.im });
    sigmaByK.push(c.sigma);
  }
  return { Omega: { re: omega, im: rows[0].gamma }, chiByK, sigmaByK };
}

/** The figures of an image as `holoring image --json` prints them and the server serves them (README "holoring image"). */
export interface RingImageSummary {
  /** The focused holographic spot: a centred image and refocusing ≥ REFOCUSING_GAIN. */
  spot: boolean;
  /** The image alone is centred (brightest at x_S = 0, contrast ≥ SPOT_CONTRAST), whether or not the response refocuses. */
  central: boolean;
  position: number;
  width: number;
  contrast: number;
  /** Antipodal refocusing gain (refocusingGain). */
  refocusing: number;
  /** The antipodal response over its noise (antipodeSnr); null without σ. */
  antipodeSnr: number | null;
  /** Drive frequency ω and damping γ of Ω = ω + iγ. */
  omega: number;
  gamma: number;
  kMax: number;
  aperture: number;
  focal: number;
}

/** The figures of `img` with the lens it was taken through. */
export function imageSummary(img: RingImage, lens: { aperture: number; focal: number }): RingImageSummary {
  return { spot: img.spot, central: img.central, position: img.position, width: img.width, contrast: img.contrast, refocusing: img.refocusing, antipodeSnr: img.antipodeSnr, omega: img.omega, gamma: img.Omega.im, kMax: img.kMax, aperture: lens.aperture, focal: lens.focal };
}

/**
 * The ring image from a response table at drive frequency ω: chiAtOmega +
 * ringImage, with the table's σ.
 */
export function imageFromTable(points: readonly ResponsePoint[], omega: number, opts: RingImageOptions = {}): RingImage {
  const { Omega, chiByK, sigmaByK } = chiAtOmega(points, omega);
  return ringImage(chiByK, Omega, { sigmaByK, ...opts });
}
