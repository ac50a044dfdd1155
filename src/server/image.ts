import { z } from 'zod';
import type { ResponsePoint } from '../contracts/response.ts';
import { HoloringError, isHoloringError } from '../errors.ts';
import { IMAGE_DEFAULTS, MAX_APERTURE, type RingImage, type RingImageSummary, chiAtOmega, imageSummary, ringImage } from '../physics/ringImage.ts';
import { sig } from './protocol.ts';

/**
 * The live ring image (physics.md §13) for `GET /api/image` and the `image`
 * topic: |Ψ(x_S)|² through the virtual lens at the antipode of the source,
 * from the response table at one drive frequency ω, with the figures
 * `holoring image --json` reports.
 */

/** Stable codes of the image route. */
export const ImageErrorCodes = {
  /** A query parameter that is not a number in its range, or an unknown one. */
  INVALID: 'RING_ERR_HTTP_INVALID',
  /** The response table holds no complete row (every |k| from 0) at the ω asked for. */
  OMEGA: 'RING_ERR_IMAGE_OMEGA',
} as const;

/** The image and its figures (`holoring image --json`), the plane x_S and |Ψ|² / max rounded to 5 digits. */
export interface ImageView extends RingImageSummary {
  /** Width σ of the source profile (rad), from the latest frame. */
  sourceWidth: number;
  /** Image-plane coordinates x_S (units of f) and |Ψ(x_S)|² normalised to a maximum of 1. */
  x: number[];
  intensity: number[];
  /** The table the image was taken from: its calibration and the χ frames averaged into it. */
  calibrationVersion: string | null;
  frames: number;
}

/** What a caller may choose: ω (absent: the current drive frequency), the lens' half-aperture d and focal length f. */
export interface ImageQuery {
  omega?: number;
  aperture: number;
  focal: number;
}

const positive = (name: string) =>
  z.string().trim().min(1, `${name} is empty`).transform(Number).pipe(z.number({ error: `${name} must be a number` }).refine(Number.isFinite, `${name} must be finite`).refine((v) => v > 0, `${name} must be > 0`));

const QuerySchema = z.strictObject({
  omega: positive('omega').optional(),
  aperture: positive('aperture').refine((v) => v < MAX_APERTURE, 'aperture must be < π (the lens\' arc [−d, d] around the antipode stays off the source)').optional(),
  focal: positive('focal').optional(),
});

/**
 * Parses `?omega=W&aperture=d&focal=f` (each optional, each a finite number
 * > 0, the aperture < π; nothing else). Throws RING_ERR_HTTP_INVALID naming the parameter.
 */
export function parseImageQuery(query: unknown): ImageQuery {
  const r = QuerySchema.safeParse(query ?? {});
  if (!r.success) {
    const given = (query ?? {}) as Record<string, unknown>;
    const problems = r.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown parameter ${i.keys.map((k) => `"${k}"`).join(', ')} (use omega, aperture, focal)`;
      const name = String(i.path[0]);
      return Array.isArray(given[name]) ? `${name} is given more than once` : `${i.message} (got "${String(given[name])}")`;
    });
    throw new HoloringError(ImageErrorCodes.INVALID, `invalid image query: ${problems.join('; ')}`, {});
  }
  return { ...(r.data.omega !== undefined ? { omega: r.data.omega } : {}), aperture: r.data.aperture ?? IMAGE_DEFAULTS.aperture, focal: r.data.focal ?? IMAGE_DEFAULTS.focal };
}

/**
 * The ω of the live image: the drive frequency of the latest frame when the
 * table holds it, else the ω of the table's last row (the sweep's latest).
 * Null for an empty table.
 */
export function currentOmega(points: readonly ResponsePoint[], frameOmega: number | null): number | null {
  if (points.length === 0) return null;
  if (frameOmega !== null && frameOmega > 0 && points.some((p) => Math.abs(p.omega - frameOmega) <= 1e-9 * Math.max(1, frameOmega))) return frameOmega;
  for (let i = points.length - 1; i >= 0; i--) if (points[i].omega > 0) return points[i].omega;
  return null;
}

/**
 * The image of a response table at `q.omega` with the lens of `q`.
 * Throws RING_ERR_IMAGE_OMEGA when the table has no complete row there (the
 * message names the nearest ω it holds), RING_ERR_HTTP_INVALID for an aperture
 * whose arc reaches the source (d ≥ π − 3σ, assertApertureOffSource).
 */
export function imageView(
  table: { points: readonly ResponsePoint[]; calibrationVersion: string | null; frames: number },
  q: ImageQuery & { omega: number },
  sourceWidth: number = IMAGE_DEFAULTS.sourceWidth,
): ImageView {
  let chi: ReturnType<typeof chiAtOmega>;
  try {
    chi = chiAtOmega(table.points, q.omega);
  } catch (e) {
    if (isHoloringError(e)) throw new HoloringError(ImageErrorCodes.OMEGA, e.message, { omega: q.omega });
    throw e;
  }
  let img: RingImage;
  try {
    img = ringImage(chi.chiByK, chi.Omega, { aperture: q.aperture, focal: q.focal, sourceWidth, sigmaByK: chi.sigmaByK });
  } catch (e) {
    // an aperture whose arc reaches the smeared source (d ≥ π − 3σ) is the query's fault
    if (isHoloringError(e) && e.context.aperture !== undefined) throw new HoloringError(ImageErrorCodes.INVALID, `invalid image query: aperture: ${e.message}`, { aperture: q.aperture });
    throw e;
  }
  return {
    ...imageSummary(img, q), sourceWidth,
    x: Array.from(img.x, (v) => sig(v, 5)), intensity: Array.from(img.intensity, (v) => sig(v, 5)),
    calibrationVersion: table.calibrationVersion, frames: table.frames,
  };
}
