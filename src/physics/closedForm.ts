import { ErrorCodes, HoloringError } from '../errors.ts';
import { type Complex, cexp, clgamma } from './complex.ts';
import { validateDelta } from './params.ts';

/**
 * Closed-form B/A of the global AdS₃ disk (physics.md §5):
 *   Γ(1−Δ)/Γ(Δ−1) · Γ((Δ+|k|+Ω)/2) Γ((Δ+|k|−Ω)/2) / [Γ((2−Δ+|k|+Ω)/2) Γ((2−Δ+|k|−Ω)/2)]
 */
export function diskBoverA(delta: number, omega: Complex, k: number): Complex {
  validateDelta(delta);
  const ak = Math.abs(k);
  const l = (re: number, im: number): Complex => clgamma({ re, im });
  const t1 = l(1 - delta, 0);
  const t2 = l(delta - 1, 0);
  const g1 = l((delta + ak + omega.re) / 2, omega.im / 2);
  const g2 = l((delta + ak - omega.re) / 2, -omega.im / 2);
  const g3 = l((2 - delta + ak + omega.re) / 2, omega.im / 2);
  const g4 = l((2 - delta + ak - omega.re) / 2, -omega.im / 2);
  return cexp({ re: t1.re - t2.re + g1.re + g2.re - g3.re - g4.re, im: t1.im - t2.im + g1.im + g2.im - g3.im - g4.im });
}

/**
 * Closed-form B/A of the BTZ black hole with horizon r_h:
 *   r_h^{2Δ−2} Γ(1−Δ)/Γ(Δ−1) · Γ(Δ/2 − i(Ω−k)/2r_h) Γ(Δ/2 − i(Ω+k)/2r_h)
 *   / [Γ(1−Δ/2 − i(Ω+k)/2r_h) Γ(1−Δ/2 − i(Ω−k)/2r_h)]
 */
export function btzBoverA(delta: number, rh: number, omega: Complex, k: number): Complex {
  validateDelta(delta);
  if (!(rh > 0)) throw new HoloringError(ErrorCodes.METRIC_INVALID, `BTZ horizon radius must be > 0 (got ${rh})`, { rh });
  // −i(Ω ∓ k)/(2 rh) = (Im Ω − i(Re Ω ∓ k)) / (2 rh)
  const arg = (sign: number, base: number): Complex => ({
    re: base + omega.im / (2 * rh),
    im: -(omega.re + sign * k) / (2 * rh),
  });
  const l = clgamma;
  const t1 = l({ re: 1 - delta, im: 0 });
  const t2 = l({ re: delta - 1, im: 0 });
  const g1 = l(arg(-1, delta / 2));
  const g2 = l(arg(+1, delta / 2));
  const g3 = l(arg(+1, 1 - delta / 2));
  const g4 = l(arg(-1, 1 - delta / 2));
  const pre = (2 * delta - 2) * Math.log(rh);
  return cexp({
    re: pre + t1.re - t2.re + g1.re + g2.re - g3.re - g4.re,
    im: t1.im - t2.im + g1.im + g2.im - g3.im - g4.im,
  });
}

export const diskChi = (delta: number, omega: Complex, k: number): Complex => {
  const b = diskBoverA(delta, omega, k);
  return { re: (2 * delta - 2) * b.re, im: (2 * delta - 2) * b.im };
};

export const btzChi = (delta: number, rh: number, omega: Complex, k: number): Complex => {
  const b = btzBoverA(delta, rh, omega, k);
  return { re: (2 * delta - 2) * b.re, im: (2 * delta - 2) * b.im };
};
