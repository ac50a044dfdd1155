/**
 * Black-hole interiors of the bulk (physics.md §11): metrics with a simple horizon
 *   f = (r² − r_h²)·e^{α(r)},  g = (r² − r_h²)·e^{β(r)},
 * the radial equation written in s = ln x, x = r − r_h (regular at the horizon,
 * with r² − r_h² computed as x(2r_h + x) to avoid cancellation), and the infalling
 * start R ≃ x^ν(1 + b·x) that both the mode solvers and the horizon network use.
 *
 * In s = ln x, with Π ≡ r√(fg) R′ as everywhere else:
 *   dR/ds = a Π,  dΠ/ds = c R,
 *   a = e^{−(α+β)/2} / (r(2r_h + x)),
 *   c = e^{(α−β)/2}·x·(m² r + k²/r) − Ω² e^{−(α+β)/2}·r/(2r_h + x).
 * Both stay finite at x = 0, where a₀c₀ = ν².
 */

/** The metric at the horizon: r_h, α(r_h), β(r_h) and their r-derivatives there. */
export interface HorizonData {
  rh: number;
  alphaH: number;
  betaH: number;
  dAlphaH: number;
  dBetaH: number;
}

/**
 * Infalling exponent and first series coefficient, R = x^ν (1 + b x + O(x²)):
 *   ν = −iΩ e^{−(α_h+β_h)/2}/(2r_h) = −iΩ/√(f′(r_h)g′(r_h)),
 *   b = ν[(ν+1)a₁ + ν c₁]/(2ν + 1),
 * where a = a₀(1 + a₁x + …), c = c₀(1 + c₁x + …) are the coefficients above:
 *   a₁ = −(α′+β′)/2 − 3/(2r_h),
 *   c₀c₁ = e^{(α−β)/2}(m² r_h + k²/r_h) − Ω²(e^{−(α+β)/2}/2)(1/(2r_h) − (α′+β′)/2),  c₀ = −Ω² e^{−(α+β)/2}/2.
 * Ω² = o2re + i·o2im; x in the units of r. Returns [ν_re, ν_im, b_re, b_im].
 */
export function infallingCoefficients(h: HorizonData, o2re: number, o2im: number, k2: number, m2: number, omegaRe: number, omegaIm: number): [number, number, number, number] {
  const u = Math.exp(-0.5 * (h.alphaH + h.betaH));
  const v = Math.exp(0.5 * (h.alphaH - h.betaH));
  const rh = h.rh;
  const dsum = h.dAlphaH + h.dBetaH;
  // ν = −iΩ u/(2 r_h)
  const nr = (omegaIm * u) / (2 * rh), ni = (-omegaRe * u) / (2 * rh);
  const a1 = -0.5 * dsum - 1.5 / rh;
  // c₀ = −Ω² u/2; c′(0) = v(m² r_h + k²/r_h) − Ω² (u/2)(1/(2r_h) − dsum/2)
  const c0r = -0.5 * u * o2re, c0i = -0.5 * u * o2im;
  const w = 0.5 * u * (0.5 / rh - 0.5 * dsum);
  const dcr = v * (m2 * rh + k2 / rh) - o2re * w, dci = -o2im * w;
  // c₁ = c′(0)/c₀
  const cd = c0r * c0r + c0i * c0i;
  const c1r = (dcr * c0r + dci * c0i) / cd, c1i = (dci * c0r - dcr * c0i) / cd;
  // numerator ν[(ν+1)a₁ + ν c₁]
  const tr = (nr + 1) * a1 + (nr * c1r - ni * c1i), ti = ni * a1 + (nr * c1i + ni * c1r);
  const numr = nr * tr - ni * ti, numi = nr * ti + ni * tr;
  const dr = 2 * nr + 1, di = 2 * ni;
  const dd = dr * dr + di * di;
  return [nr, ni, (numr * dr + numi * di) / dd, (numi * dr - numr * di) / dd];
}

/**
 * The horizon-regular form of the equation's coefficients at x = r − r_h for
 * α, β given there: a (multiplies Π), and c = kc·k² + mc·m² − oc·Ω².
 */
export function horizonCoefficients(rh: number, x: number, alpha: number, beta: number): { a: number; kc: number; mc: number; oc: number } {
  const r = rh + x;
  const u = Math.exp(-0.5 * (alpha + beta));
  const v = Math.exp(0.5 * (alpha - beta));
  const d = 2 * rh + x;
  return { a: u / (r * d), kc: (v * x) / r, mc: v * x * r, oc: (u * r) / d };
}

/**
 * Infalling start at x₀ = r₀ − r_h: R = 1 + b x₀ (the factor x₀^ν dropped: χ depends
 * only on B/A), dR/ds = ν + (ν+1) b x₀, Π = (dR/ds)/a(x₀). Truncation O(x₀²).
 * Returns [R_re, R_im, Π_re, Π_im].
 */
export function infallingStart(h: HorizonData, omegaRe: number, omegaIm: number, k: number, m2: number, x0: number, aAtX0: number): [number, number, number, number] {
  const o2re = omegaRe * omegaRe - omegaIm * omegaIm, o2im = 2 * omegaRe * omegaIm;
  const [nr, ni, br, bi] = infallingCoefficients(h, o2re, o2im, k * k, m2, omegaRe, omegaIm);
  const Rr = 1 + br * x0, Ri = bi * x0;
  // (ν+1) b x₀
  const pr = ((nr + 1) * br - ni * bi) * x0, pi = ((nr + 1) * bi + ni * br) * x0;
  return [Rr, Ri, (nr + pr) / aAtX0, (ni + pi) / aAtX0];
}

/** d/dr at r of a smooth function, one-sided (r and above), fourth order in the step δ. */
export function slopeAbove(fn: (r: number) => number, r: number, delta: number): number {
  const y = [0, 1, 2, 3, 4].map((i) => fn(r + i * delta));
  return (-25 * y[0] + 48 * y[1] - 36 * y[2] + 16 * y[3] - 3 * y[4]) / (12 * delta);
}

/** HorizonData of a metric whose α, β are given as functions of r (slopes by a one-sided stencil). */
export function horizonData(rh: number, alpha: (r: number) => number, beta: (r: number) => number): HorizonData {
  const d = 1e-3 * rh;
  return { rh, alphaH: alpha(rh), betaH: beta(rh), dAlphaH: slopeAbove(alpha, rh, d), dBetaH: slopeAbove(beta, rh, d) };
}

/** A boundary solution at ρ and its derivatives: value, d/dρ, and both differentiated in ln r_h. */
export interface ScaledSeriesValue {
  re: number;
  im: number;
  dre: number;
  dim: number;
  /** d/d ln r_h of (re, im) and of (dre, dim), at fixed ρ. */
  qre: number;
  qim: number;
  qdre: number;
  qdim: number;
}

/**
 * The exact boundary series of physics.md §4 for f = g = r² − r_h² written in
 * ρ = r/r_h: u(r) = r_h^{−p₀} ũ(ρ), ũ = Σ_j d_j ρ^{−(p₀+2j)}, d₀ = 1,
 *   d_j P(p) + d_{j−1} Q̃(p−2) + d_{j−2} S̃(p−4) = 0,  p = p₀ + 2j,
 *   Q̃(p) = (Ω² − k²)/r_h² + m² − 2p(p−1),  S̃(p) = p² + k²/r_h²
 * (the series with M = 1 at Ω/r_h, k/r_h), with its exact derivative in ln r_h
 * carried through the recursion. Converges for ρ > 1.
 */
export function scaledBoundarySeries(p0: number, omegaRe: number, omegaIm: number, k: number, m2: number, rh: number, rho: number, maxTerms = 200): ScaledSeriesValue {
  const ir2 = 1 / (rh * rh);
  const er = (omegaRe * omegaRe - omegaIm * omegaIm) * ir2, ei = 2 * omegaRe * omegaIm * ir2;
  const kap = k * k * ir2;
  let d2r = 0, d2i = 0, d1r = 1, d1i = 0; // d_{j−2}, d_{j−1}
  let e2r = 0, e2i = 0, e1r = 0, e1i = 0; // their ln r_h derivatives
  const inv = 1 / rho, inv2 = inv * inv;
  let pw = Math.pow(rho, -p0);
  const out: ScaledSeriesValue = { re: pw, im: 0, dre: -p0 * pw * inv, dim: 0, qre: 0, qim: 0, qdre: 0, qdim: 0 };
  for (let j = 1; j < maxTerms; j++) {
    const p = p0 + 2 * j;
    const P = p * (p - 2) - m2;
    const pq = p - 2;
    const Qr = er - kap + m2 - 2 * pq * (pq - 1), Qi = ei;
    const Qqr = -2 * (er - kap), Qqi = -2 * ei;
    const ps = p - 4;
    const S = j >= 2 ? ps * ps + kap : 0, Sq = j >= 2 ? -2 * kap : 0;
    const nr = -(d1r * Qr - d1i * Qi + d2r * S) / P;
    const ni = -(d1r * Qi + d1i * Qr + d2i * S) / P;
    const mr = -(e1r * Qr - e1i * Qi + d1r * Qqr - d1i * Qqi + e2r * S + d2r * Sq) / P;
    const mi = -(e1r * Qi + e1i * Qr + d1r * Qqi + d1i * Qqr + e2i * S + d2i * Sq) / P;
    d2r = d1r; d2i = d1i; d1r = nr; d1i = ni;
    e2r = e1r; e2i = e1i; e1r = mr; e1i = mi;
    pw *= inv2;
    const f = -p * inv;
    out.re += nr * pw; out.im += ni * pw;
    out.dre += f * nr * pw; out.dim += f * ni * pw;
    out.qre += mr * pw; out.qim += mi * pw;
    out.qdre += f * mr * pw; out.qdim += f * mi * pw;
    if (j > 4 && (Math.hypot(nr, ni) + Math.hypot(mr, mi)) * pw * (1 + p) < 1e-18 * Math.hypot(out.re, out.im)) break;
  }
  return out;
}
