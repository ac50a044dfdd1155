import type { Complex } from './complex.ts';

/**
 * Ideal ring response (physics.md §6) at the sites θ_j = 2πj/N:
 *   ⟨O(θ_j)⟩ = (J₀/2π) Σ_k e^{ik(θ_j − θ_s)} e^{−k²σ²/2} χ(Ω, k),
 * with χ even in k, given as chiByK[|k|] for |k| = 0..K (the sum is truncated there).
 */
export function ringResponse(
  chiByK: readonly Complex[], sites: number, sourceSite: number, width: number, amplitude: number,
): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(sites);
  const im = new Float64Array(sites);
  const pre = amplitude / (2 * Math.PI);
  const w2 = (width * width) / 2;
  const weight = chiByK.map((_, k) => Math.exp(-k * k * w2));
  for (let j = 0; j < sites; j++) {
    const dtheta = (2 * Math.PI * (j - sourceSite)) / sites;
    let sr = weight[0] * chiByK[0].re;
    let si = weight[0] * chiByK[0].im;
    for (let k = 1; k < chiByK.length; k++) {
      const c = 2 * weight[k] * Math.cos(k * dtheta);
      sr += c * chiByK[k].re;
      si += c * chiByK[k].im;
    }
    re[j] = pre * sr;
    im[j] = pre * si;
  }
  return { re, im };
}

/**
 * Inverts the ring response by a DFT over the sites (physics.md §6):
 *   χ(Ω, k) = (2π/J₀) e^{k²σ²/2} (1/N) Σ_j z_j e^{−ik(θ_j − θ_s)},  |k| < N/2.
 * Returns χ for k = 0..kMax (the average of +k and −k, since χ is even in k).
 */
export function chiFromSites(
  re: ArrayLike<number>, im: ArrayLike<number>, sourceSite: number, width: number, amplitude: number, kMax: number,
): Complex[] {
  const n = re.length;
  const out: Complex[] = [];
  const w2 = (width * width) / 2;
  for (let k = 0; k <= kMax; k++) {
    // average of e^{−ikθ} and e^{+ikθ} → cos(kθ)
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const c = Math.cos((2 * Math.PI * k * (j - sourceSite)) / n);
      sr += c * re[j];
      si += c * im[j];
    }
    const scale = ((2 * Math.PI) / amplitude) * Math.exp(k * k * w2) / n;
    out.push({ re: sr * scale, im: si * scale });
  }
  return out;
}
