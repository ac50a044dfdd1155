import type { Complex } from './complex.ts';
import type { HorizonCentre, RegularCentre } from './metric.ts';

/** Initial (R, Π) as [Rre, Rim, Πre, Πim] at radius r. */
export type StartState = { r: number; y: [number, number, number, number] };

/**
 * c of the regular solution R = r^{|k|}(1 + c r² + …) for f ≃ f0(1 + φ2 r²), g ≃ 1 + g2 r²
 * (physics.md §4), as [Re c, Im c], from Ω² = o2re + i o2im.
 */
export function frobeniusCoefficient(centre: { f0: number; phi2: number; g2: number }, ak: number, o2re: number, o2im: number, m2: number): [number, number] {
  const { f0, phi2, g2 } = centre;
  const den = 4 * (ak + 1);
  return [-(g2 * ak * (ak + 2) + (phi2 - g2) * ak + o2re / f0 - m2) / den, -(o2im / f0) / den];
}

/**
 * Frobenius start at a regular centre: R = r^{|k|}(1 + c r²), scaled by r0^{−|k|}
 * (χ depends only on B/A, so the overall scale is free).
 */
export function regularStart(centre: RegularCentre, omega: Complex, k: number, m2: number, r0: number, sqrtFg: number): StartState {
  const ak = Math.abs(k);
  const [cre, cim] = frobeniusCoefficient(centre, ak, omega.re * omega.re - omega.im * omega.im, 2 * omega.re * omega.im, m2);
  const r2 = r0 * r0;
  // R = 1 + c r0², R' = (|k| + (|k|+2) c r0²)/r0, Π = r √(fg) R'
  const Rre = 1 + cre * r2;
  const Rim = cim * r2;
  const Pre = sqrtFg * (ak + (ak + 2) * cre * r2);
  const Pim = sqrtFg * ((ak + 2) * cim * r2);
  return { r: r0, y: [Rre, Rim, Pre, Pim] };
}

/**
 * Infalling start near a BTZ horizon (f = g = r² − r_h²): in z = r² − r_h²,
 * R = z^ν Σ a_n z^n with ν = −iΩ/(2 r_h), summed at z0 = 0.2 r_h² (series
 * radius r_h²) and scaled by z0^{−ν}.
 */
export function horizonStart(centre: HorizonCentre, omega: Complex, k: number, m2: number): StartState {
  const rh = centre.rh;
  const rh2 = rh * rh;
  const z0 = 0.2 * rh2;
  // ν = −iΩ/(2 rh)
  const nure = omega.im / (2 * rh);
  const nuim = -omega.re / (2 * rh);
  const o2re = omega.re * omega.re - omega.im * omega.im;
  const o2im = 2 * omega.re * omega.im;
  const k2 = k * k;
  // recursion: a_n [4 rh⁴ p² + Ω² rh²] = −4[(p−2)+(p−2)²] a_{n−2} − 4 rh²[(p−1) + 2(p−1)²] a_{n−1}
  //            + m² a_{n−2} + (m² rh² + k² − Ω²) a_{n−1},   p = n + ν
  let am2re = 0, am2im = 0, am1re = 1, am1im = 0;
  let Sre = 1, Sim = 0; // Σ a_n z0^n
  let Dre = nure / z0, Dim = nuim / z0; // Σ a_n (n+ν) z0^{n−1}
  let zp = 1;
  for (let n = 1; n < 200; n++) {
    const pre = n + nure, pim = nuim;
    // p², (p−1), (p−2)
    const p2re = pre * pre - pim * pim, p2im = 2 * pre * pim;
    const q1re = pre - 1, q1im = pim;
    const q2re = pre - 2, q2im = pim;
    const q1sqre = q1re * q1re - q1im * q1im, q1sqim = 2 * q1re * q1im;
    const q2sqre = q2re * q2re - q2im * q2im, q2sqim = 2 * q2re * q2im;
    // coefficient of a_{n−2}: −4[(p−2)+(p−2)²] + m²
    const c2re = -4 * (q2re + q2sqre) + m2, c2im = -4 * (q2im + q2sqim);
    // coefficient of a_{n−1}: −4 rh²[(p−1)+2(p−1)²] + m² rh² + k² − Ω²
    const c1re = -4 * rh2 * (q1re + 2 * q1sqre) + m2 * rh2 + k2 - o2re;
    const c1im = -4 * rh2 * (q1im + 2 * q1sqim) - o2im;
    const lre = 4 * rh2 * rh2 * p2re + o2re * rh2, lim = 4 * rh2 * rh2 * p2im + o2im * rh2;
    const nre0 = c2re * am2re - c2im * am2im + c1re * am1re - c1im * am1im;
    const nim0 = c2re * am2im + c2im * am2re + c1re * am1im + c1im * am1re;
    const dd = lre * lre + lim * lim;
    const are = (nre0 * lre + nim0 * lim) / dd;
    const aim = (nim0 * lre - nre0 * lim) / dd;
    am2re = am1re; am2im = am1im; am1re = are; am1im = aim;
    zp *= z0;
    const tre = are * zp, tim = aim * zp;
    Sre += tre; Sim += tim;
    // (n+ν) a_n z0^{n−1}
    Dre += (pre * tre - pim * tim) / z0;
    Dim += (pre * tim + pim * tre) / z0;
    if (n > 5 && Math.hypot(tre, tim) < 1e-18 * Math.hypot(Sre, Sim)) break;
  }
  const r = Math.sqrt(rh2 + z0);
  // Π = r √(fg) dR/dr = r z · 2r dR/dz = 2 r² z dR/dz
  const fac = 2 * r * r * z0;
  return { r, y: [Sre, Sim, fac * Dre, fac * Dim] };
}
