import { ErrorCodes, HoloringError } from '../errors.ts';
import type { Complex } from './complex.ts';

/**
 * Response functions of ordinary (non-holographic) rings, physics.md §12 —
 * metric-free generators for the holography check (`holoring simulate
 * --model`), in any units:
 *
 * - damped oscillators: χ(Ω, k) = 1/(ω_k² − Ω² − iΓΩ), ω_k² = c²k² + m₀²
 *   (one pole per k at Ω = −iΓ/2 ± √(ω_k² − Γ²/4); no ladder);
 * - diffusion: χ(Ω, k) = Dk²/(Dk² − iΩ) (one pole per k at Ω = −iDk²).
 */
export type OrdinaryRing =
  | { kind: 'oscillators'; c: number; m0: number; Gamma: number; label: string }
  | { kind: 'diffusion'; D: number; label: string };

export const OSCILLATOR_DEFAULTS = { c: 1, m0: 1.3, Gamma: 0.2 } as const;
export const DIFFUSION_DEFAULTS = { D: 0.5 } as const;

/** χ(Ω, k) of an ordinary ring. */
export function ordinaryChi(ring: OrdinaryRing, W: Complex, k: number): Complex {
  if (ring.kind === 'oscillators') {
    // ω_k² − Ω² − iΓΩ
    const re = ring.c * ring.c * k * k + ring.m0 * ring.m0 - (W.re * W.re - W.im * W.im) + ring.Gamma * W.im;
    const im = -2 * W.re * W.im - ring.Gamma * W.re;
    const d = re * re + im * im;
    return { re: re / d, im: -im / d };
  }
  // Dk²/(Dk² − iΩ), Dk² − iΩ = (Dk² + Im Ω) − i Re Ω
  const a = ring.D * k * k;
  const re = a + W.im, im = -W.re;
  const d = re * re + im * im;
  return { re: (a * re) / d, im: (-a * im) / d };
}

/**
 * Parses `oscillators[:c,m0,Γ]` or `diffusion[:D]` (defaults of physics.md §12).
 * Refuses anything else, and non-positive parameters, with RING_ERR_ARG_INVALID.
 */
export function parseOrdinaryRing(spec: string): OrdinaryRing {
  const [name, args] = spec.split(':', 2);
  const nums = args === undefined ? [] : args.split(',').map(Number);
  const bad = (why: string): never => {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `ordinary ring "${spec}": ${why}`, { spec });
  };
  if (nums.some((v) => !(Number.isFinite(v) && v > 0))) bad('parameters must be finite numbers > 0');
  if (name === 'oscillators') {
    if (nums.length !== 0 && nums.length !== 3) bad('expected oscillators or oscillators:c,m0,Gamma');
    const [c, m0, Gamma] = nums.length ? nums : [OSCILLATOR_DEFAULTS.c, OSCILLATOR_DEFAULTS.m0, OSCILLATOR_DEFAULTS.Gamma];
    return { kind: 'oscillators', c, m0, Gamma, label: `oscillators:${c},${m0},${Gamma}` };
  }
  if (name === 'diffusion') {
    if (nums.length > 1) bad('expected diffusion or diffusion:D');
    const D = nums[0] ?? DIFFUSION_DEFAULTS.D;
    return { kind: 'diffusion', D, label: `diffusion:${D}` };
  }
  return bad('expected oscillators[:c,m0,Gamma] or diffusion[:D]');
}
