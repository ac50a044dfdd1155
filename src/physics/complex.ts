/** Small complex-number toolkit for non-hot code (hot loops write the arithmetic out). */
export interface Complex {
  re: number;
  im: number;
}

export const c = (re: number, im = 0): Complex => ({ re, im });
export const cadd = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
export const csub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });
export const cmul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
export const cscale = (a: Complex, s: number): Complex => ({ re: a.re * s, im: a.im * s });
export const cabs = (a: Complex): number => Math.hypot(a.re, a.im);

export function cdiv(a: Complex, b: Complex): Complex {
  // Smith's algorithm: avoids overflow for large |b|
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}

export function cexp(a: Complex): Complex {
  const e = Math.exp(a.re);
  return { re: e * Math.cos(a.im), im: e * Math.sin(a.im) };
}

export function clog(a: Complex): Complex {
  return { re: Math.log(cabs(a)), im: Math.atan2(a.im, a.re) };
}

/** Relative distance |a − b| / |b| (absolute when b = 0). */
export function crelErr(a: Complex, b: Complex): number {
  const d = cabs(csub(a, b));
  const m = cabs(b);
  return m === 0 ? d : d / m;
}

/** log sin(πz), robust for large |Im z|. Branch is irrelevant: only exp() of sums is used. */
function clogSinPi(z: Complex): Complex {
  const x = Math.PI * z.re;
  const y = Math.PI * z.im;
  if (y > 30) return { re: y - Math.LN2, im: Math.PI / 2 - x };
  if (y < -30) return { re: -y - Math.LN2, im: x - Math.PI / 2 };
  return clog({ re: Math.sin(x) * Math.cosh(y), im: Math.cos(x) * Math.sinh(y) });
}

// Lanczos approximation, g = 7, n = 9 (≈1e-15 relative for Re z ≥ 0.5).
const LG = 7;
const LC = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Complex log-Gamma (any branch; use only through exp of sums). */
export function clgamma(z: Complex): Complex {
  if (z.re < 0.5) {
    // reflection: Γ(z)Γ(1−z) = π / sin(πz)
    const l1 = clgamma({ re: 1 - z.re, im: -z.im });
    const ls = clogSinPi(z);
    return { re: Math.log(Math.PI) - ls.re - l1.re, im: -ls.im - l1.im };
  }
  const zm = { re: z.re - 1, im: z.im };
  let x: Complex = { re: LC[0], im: 0 };
  for (let i = 1; i < LG + 2; i++) x = cadd(x, cdiv({ re: LC[i], im: 0 }, { re: zm.re + i, im: zm.im }));
  const t = { re: zm.re + LG + 0.5, im: zm.im };
  // (zm + 0.5) log t − t + log(√(2π) x)
  const lt = clog(t);
  const a = cmul({ re: zm.re + 0.5, im: zm.im }, lt);
  const lx = clog(x);
  return { re: HALF_LOG_2PI + a.re - t.re + lx.re, im: a.im - t.im + lx.im };
}
