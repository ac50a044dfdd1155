import { type Complex, cabs, cdiv } from '../complex.ts';

/**
 * All roots of a polynomial P of the given degree, known only through its
 * logarithmic derivative P′/P (so P may be the numerator or denominator of a
 * rational function evaluated stably in pole–residue or barycentric form), by
 * the Aberth–Ehrlich simultaneous iteration (cubic convergence; Bini, Numer.
 * Algorithms 13, 179 (1996)). Starts on a circle of `radius` around `centre`;
 * roots that run off beyond 1e6·radius (a degree that is really lower) are
 * dropped. At most 500 sweeps.
 */
export function aberthRoots(logDeriv: (z: Complex) => Complex, degree: number, centre: Complex, radius: number): Complex[] {
  if (degree <= 0) return [];
  const z: Complex[] = Array.from({ length: degree }, (_, k) => {
    const t = (2 * Math.PI * (k + 0.25)) / degree + 0.4;
    return { re: centre.re + radius * Math.cos(t), im: centre.im + radius * Math.sin(t) };
  });
  const tol = 1e-13 * Math.max(1, radius);
  for (let sweep = 0; sweep < 500; sweep++) {
    let moved = 0;
    for (let k = 0; k < degree; k++) {
      const ld = logDeriv(z[k]);
      if (!Number.isFinite(ld.re) || !Number.isFinite(ld.im)) {
        z[k] = { re: z[k].re + 1e-7 * radius, im: z[k].im + 1e-7 * radius };
        moved = Infinity;
        continue;
      }
      let sr = 0, si = 0;
      for (let j = 0; j < degree; j++) {
        if (j === k) continue;
        const inv = cdiv({ re: 1, im: 0 }, { re: z[k].re - z[j].re, im: z[k].im - z[j].im });
        sr += inv.re; si += inv.im;
      }
      // w = 1 / (P′/P − Σ 1/(z_k − z_j))
      const w = cdiv({ re: 1, im: 0 }, { re: ld.re - sr, im: ld.im - si });
      if (!Number.isFinite(w.re) || !Number.isFinite(w.im)) continue;
      z[k] = { re: z[k].re - w.re, im: z[k].im - w.im };
      moved = Math.max(moved, cabs(w));
    }
    if (moved < tol) break;
  }
  return z.filter((r) => Number.isFinite(r.re) && Number.isFinite(r.im) && cabs({ re: r.re - centre.re, im: r.im - centre.im }) < 1e6 * radius);
}
