/**
 * The network's RK4 layers for one mode (physics.md §8), shared by the horizon
 * kernel: N classical RK4 steps of d(R, Π)/ds = [[0, a], [c, 0]](R, Π) on a grid
 * uniform in s, with a (real) and c (complex) given at the 2N + 1 half-step
 * points; and the reverse (adjoint) sweep that returns dχ/da and dχ/dc at every
 * point from the adjoint of the final state.
 */

/**
 * Forward sweep: y = [R_re, R_im, Π_re, Π_im] in/out. Stores each layer's input and
 * stage states in ys (16 per layer) and the renormalisation factor in sc (the state
 * is kept O(1): only B/A matters, and |k| ≫ 1 grows like r^|k|).
 */
export function forwardLayers(N: number, h: number, ua: Float64Array, cR: Float64Array, cI: Float64Array, y: Float64Array, ys: Float64Array, sc: Float64Array): void {
  const hh = 0.5 * h, h6 = h / 6;
  let R0 = y[0], R1 = y[1], P0 = y[2], P1 = y[3];
  let i = 0;
  for (let j = 0; j < N; j++) {
    const q = 16 * j;
    ys[q] = R0; ys[q + 1] = R1; ys[q + 2] = P0; ys[q + 3] = P1;
    const a0 = ua[i], am = ua[i + 1], ae = ua[i + 2];
    const c0r = cR[i], c0i = cI[i], cmr = cR[i + 1], cmi = cI[i + 1], cer = cR[i + 2], cei = cI[i + 2];
    const k1R0 = a0 * P0, k1R1 = a0 * P1;
    const k1P0 = c0r * R0 - c0i * R1, k1P1 = c0r * R1 + c0i * R0;
    let tR0 = R0 + hh * k1R0, tR1 = R1 + hh * k1R1, tP0 = P0 + hh * k1P0, tP1 = P1 + hh * k1P1;
    ys[q + 4] = tR0; ys[q + 5] = tR1; ys[q + 6] = tP0; ys[q + 7] = tP1;
    const k2R0 = am * tP0, k2R1 = am * tP1;
    const k2P0 = cmr * tR0 - cmi * tR1, k2P1 = cmr * tR1 + cmi * tR0;
    tR0 = R0 + hh * k2R0; tR1 = R1 + hh * k2R1; tP0 = P0 + hh * k2P0; tP1 = P1 + hh * k2P1;
    ys[q + 8] = tR0; ys[q + 9] = tR1; ys[q + 10] = tP0; ys[q + 11] = tP1;
    const k3R0 = am * tP0, k3R1 = am * tP1;
    const k3P0 = cmr * tR0 - cmi * tR1, k3P1 = cmr * tR1 + cmi * tR0;
    tR0 = R0 + h * k3R0; tR1 = R1 + h * k3R1; tP0 = P0 + h * k3P0; tP1 = P1 + h * k3P1;
    ys[q + 12] = tR0; ys[q + 13] = tR1; ys[q + 14] = tP0; ys[q + 15] = tP1;
    const k4R0 = ae * tP0, k4R1 = ae * tP1;
    const k4P0 = cer * tR0 - cei * tR1, k4P1 = cer * tR1 + cei * tR0;
    R0 += h6 * (k1R0 + 2 * k2R0 + 2 * k3R0 + k4R0);
    R1 += h6 * (k1R1 + 2 * k2R1 + 2 * k3R1 + k4R1);
    P0 += h6 * (k1P0 + 2 * k2P0 + 2 * k3P0 + k4P0);
    P1 += h6 * (k1P1 + 2 * k2P1 + 2 * k3P1 + k4P1);
    const nrm = Math.abs(R0) + Math.abs(R1) + Math.abs(P0) + Math.abs(P1);
    let s = 1;
    if (nrm > 1e60) {
      s = 1 / nrm;
      R0 *= s; R1 *= s; P0 *= s; P1 *= s;
    }
    sc[j] = s;
    i += 2;
  }
  y[0] = R0; y[1] = R1; y[2] = P0; y[3] = P1;
}

/**
 * Reverse sweep after forwardLayers: lam = adjoint of the final state (dχ/dR,
 * dχ/dΠ, complex) in, adjoint of the start state out. Writes dχ/da (ab) and
 * dχ/dc (cb), complex interleaved, at every half-step point (overwriting).
 */
export function reverseLayers(N: number, h: number, ua: Float64Array, cR: Float64Array, cI: Float64Array, ys: Float64Array, sc: Float64Array, lam: Float64Array, ab: Float64Array, cb: Float64Array): void {
  const hh = 0.5 * h, h6 = h / 6, h3 = h / 3;
  ab.fill(0, 0, 4 * N + 2);
  cb.fill(0, 0, 4 * N + 2);
  let lR0 = lam[0], lR1 = lam[1], lP0 = lam[2], lP1 = lam[3];
  for (let j = N - 1; j >= 0; j--) {
    const s = sc[j];
    lR0 *= s; lR1 *= s; lP0 *= s; lP1 *= s;
    const i = 2 * j;
    const q = 16 * j;
    const R0 = ys[q], R1 = ys[q + 1], P0 = ys[q + 2], P1 = ys[q + 3];
    const t2R0 = ys[q + 4], t2R1 = ys[q + 5], t2P0 = ys[q + 6], t2P1 = ys[q + 7];
    const t3R0 = ys[q + 8], t3R1 = ys[q + 9], t3P0 = ys[q + 10], t3P1 = ys[q + 11];
    const t4R0 = ys[q + 12], t4R1 = ys[q + 13], t4P0 = ys[q + 14], t4P1 = ys[q + 15];
    const a0 = ua[i], am = ua[i + 1], ae = ua[i + 2];
    const c0r = cR[i], c0i = cI[i], cmr = cR[i + 1], cmi = cI[i + 1], cer = cR[i + 2], cei = cI[i + 2];
    const k4Rb0 = h6 * lR0, k4Rb1 = h6 * lR1, k4Pb0 = h6 * lP0, k4Pb1 = h6 * lP1;
    let k3Rb0 = h3 * lR0, k3Rb1 = h3 * lR1, k3Pb0 = h3 * lP0, k3Pb1 = h3 * lP1;
    let k2Rb0 = k3Rb0, k2Rb1 = k3Rb1, k2Pb0 = k3Pb0, k2Pb1 = k3Pb1;
    let k1Rb0 = k4Rb0, k1Rb1 = k4Rb1, k1Pb0 = k4Pb0, k1Pb1 = k4Pb1;
    let Rb0 = lR0, Rb1 = lR1, Pb0 = lP0, Pb1 = lP1;
    const abe0 = t4P0 * k4Rb0 - t4P1 * k4Rb1, abe1 = t4P0 * k4Rb1 + t4P1 * k4Rb0;
    const cbe0 = t4R0 * k4Pb0 - t4R1 * k4Pb1, cbe1 = t4R0 * k4Pb1 + t4R1 * k4Pb0;
    let tPb0 = ae * k4Rb0, tPb1 = ae * k4Rb1;
    let tRb0 = cer * k4Pb0 - cei * k4Pb1, tRb1 = cer * k4Pb1 + cei * k4Pb0;
    Rb0 += tRb0; Rb1 += tRb1; Pb0 += tPb0; Pb1 += tPb1;
    k3Rb0 += h * tRb0; k3Rb1 += h * tRb1; k3Pb0 += h * tPb0; k3Pb1 += h * tPb1;
    let abm0 = t3P0 * k3Rb0 - t3P1 * k3Rb1, abm1 = t3P0 * k3Rb1 + t3P1 * k3Rb0;
    let cbm0 = t3R0 * k3Pb0 - t3R1 * k3Pb1, cbm1 = t3R0 * k3Pb1 + t3R1 * k3Pb0;
    tPb0 = am * k3Rb0; tPb1 = am * k3Rb1;
    tRb0 = cmr * k3Pb0 - cmi * k3Pb1; tRb1 = cmr * k3Pb1 + cmi * k3Pb0;
    Rb0 += tRb0; Rb1 += tRb1; Pb0 += tPb0; Pb1 += tPb1;
    k2Rb0 += hh * tRb0; k2Rb1 += hh * tRb1; k2Pb0 += hh * tPb0; k2Pb1 += hh * tPb1;
    abm0 += t2P0 * k2Rb0 - t2P1 * k2Rb1; abm1 += t2P0 * k2Rb1 + t2P1 * k2Rb0;
    cbm0 += t2R0 * k2Pb0 - t2R1 * k2Pb1; cbm1 += t2R0 * k2Pb1 + t2R1 * k2Pb0;
    tPb0 = am * k2Rb0; tPb1 = am * k2Rb1;
    tRb0 = cmr * k2Pb0 - cmi * k2Pb1; tRb1 = cmr * k2Pb1 + cmi * k2Pb0;
    Rb0 += tRb0; Rb1 += tRb1; Pb0 += tPb0; Pb1 += tPb1;
    k1Rb0 += hh * tRb0; k1Rb1 += hh * tRb1; k1Pb0 += hh * tPb0; k1Pb1 += hh * tPb1;
    const ab00 = P0 * k1Rb0 - P1 * k1Rb1, ab01 = P0 * k1Rb1 + P1 * k1Rb0;
    const cb00 = R0 * k1Pb0 - R1 * k1Pb1, cb01 = R0 * k1Pb1 + R1 * k1Pb0;
    Pb0 += a0 * k1Rb0; Pb1 += a0 * k1Rb1;
    Rb0 += c0r * k1Pb0 - c0i * k1Pb1; Rb1 += c0r * k1Pb1 + c0i * k1Pb0;
    lR0 = Rb0; lR1 = Rb1; lP0 = Pb0; lP1 = Pb1;
    const x = 2 * i;
    ab[x] += ab00; ab[x + 1] += ab01; cb[x] += cb00; cb[x + 1] += cb01;
    ab[x + 2] += abm0; ab[x + 3] += abm1; cb[x + 2] += cbm0; cb[x + 3] += cbm1;
    ab[x + 4] += abe0; ab[x + 5] += abe1; cb[x + 4] += cbe0; cb[x + 5] += cbe1;
  }
  lam[0] = lR0; lam[1] = lR1; lam[2] = lP0; lam[3] = lP1;
}
