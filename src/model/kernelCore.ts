/**
 * The core of the fused Float64 kernel of the metric network (physics.md §8): for every data
 * point (Ω, k), the Frobenius start at r₀, N RK4 layers of d(R, Π)/ds = M(s)(R, Π)
 * and the exact boundary-series match at r_max, giving χ_pred = (2Δ − 2)B/A; and
 * its exact Jacobian by one reverse (adjoint) sweep per mode, contracted onto the
 * spline weights in Hermite form and accumulated straight into the normal equations.
 *
 * Modes are the outer loop, layers the inner one; all scratch is per mode and
 * allocated once. The weights enter the layers only through u = e^{−(α+β)/2} and
 * v = e^{(α−β)/2}: a = u/(1+r²), c = v(m²r² + k²) − Ω² u r²/(1+r²).
 *
 * With `freeDelta` the conformal dimension Δ is one more weight, θ[nw] (physics.md
 * §10): its exact derivative runs through m² = Δ(Δ−2) in every layer (c̄·v r²), the
 * Frobenius start (∂c/∂m² = 1/(4(|k|+1))), the boundary basis u_A, u_B (p0 = 2 − Δ, Δ)
 * and the prefactor 2Δ − 2.
 */
import { frobeniusCoefficient } from '../physics/centre.ts';
import { massSquared } from '../physics/params.ts';
import type { NetworkGrid } from './grid.ts';
import { type BoundaryBasis, allocBoundaryBasis, boundaryDeltaTerm, fillBoundaryBasis } from './kernelBoundary.ts';

export interface KernelMode {
  omegaRe: number;
  omegaIm: number;
  k: number;
}

export interface KernelOptions {
  /** Δ is the weight θ[nw] (θ has nw + 1 entries); the constructor's Δ is only the start. */
  freeDelta?: boolean;
}

export class KernelCore {
  readonly grid: NetworkGrid;
  /** Δ of the last setWeights (the constructor's Δ while it is fixed). */
  delta: number;
  readonly P: number;
  /** Δ is the weight θ[nw]. */
  readonly freeDelta: boolean;
  /** Number of weights: nw, plus one with a free Δ. */
  readonly nt: number;
  private m2: number;
  private scaleChi: number;
  private readonly modes: readonly KernelMode[];
  // per mode constants
  private readonly o2re: Float64Array;
  private readonly o2im: Float64Array;
  private readonly k2: Float64Array;
  private readonly ak: Float64Array;
  /** boundary series u_A, u_B at r_max: [re, im, dre, dim] each (with d/dΔ when Δ is free) */
  private readonly basis: BoundaryBasis;
  // per half-step point constants
  private readonly A0: Float64Array; // 1/(1+r²)
  private readonly Q: Float64Array; // r²/(1+r²)
  private readonly r2: Float64Array; // r²
  private readonly mr2: Float64Array; // m² r²
  // weight-dependent tables
  private readonly u: Float64Array;
  private readonly v: Float64Array;
  private readonly ua: Float64Array;
  private readonly cm: Float64Array;
  private readonly vr2: Float64Array; // v r² = ∂c/∂m²
  private readonly cq: Float64Array;
  private readonly yA: Float64Array;
  private readonly yB: Float64Array;
  private readonly mA: Float64Array;
  private readonly mB: Float64Array;
  private f0 = 1;
  private phi2 = 1;
  private g2 = 1;
  private S0 = 1;
  // per mode scratch
  /** per layer: state y and the stage states t2, t3, t4 (4 doubles each) */
  private readonly ys: Float64Array;
  private readonly sc: Float64Array;
  /** c = v(m²r² + k²) − Ω² u r²/(1+r²) of the current mode at every half-step point */
  private readonly cR: Float64Array;
  private readonly cI: Float64Array;
  private readonly ab: Float64Array; // ā (re, im) per point
  private readonly cb: Float64Array; // c̄ (re, im) per point
  private readonly gyA: Float64Array; // complex adjoint of node values / H·slopes
  private readonly gmA: Float64Array;
  private readonly gyB: Float64Array;
  private readonly gmB: Float64Array;
  /** dχ/dθ of the last mode: re at [0, nt), im at [nt, 2nt). */
  readonly dchi: Float64Array;
  /** ∂χ/∂Δ of the last forward mode through the boundary basis and the prefactor (re, im). */
  private readonly dBnd = new Float64Array(2);

  constructor(grid: NetworkGrid, delta: number, modes: readonly KernelMode[], opts: KernelOptions = {}) {
    this.grid = grid;
    this.freeDelta = opts.freeDelta ?? false;
    this.nt = grid.nw + (this.freeDelta ? 1 : 0);
    this.modes = modes;
    const P = (this.P = modes.length);
    this.o2re = new Float64Array(P);
    this.o2im = new Float64Array(P);
    this.k2 = new Float64Array(P);
    this.ak = new Float64Array(P);
    this.basis = allocBoundaryBasis(P, this.freeDelta);
    modes.forEach((m, p) => {
      this.o2re[p] = m.omegaRe * m.omegaRe - m.omegaIm * m.omegaIm;
      this.o2im[p] = 2 * m.omegaRe * m.omegaIm;
      this.k2[p] = m.k * m.k;
      this.ak[p] = Math.abs(m.k);
    });
    const n = grid.r.length;
    this.A0 = new Float64Array(n);
    this.Q = new Float64Array(n);
    this.r2 = new Float64Array(n);
    this.mr2 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r2 = (this.r2[i] = grid.r[i] * grid.r[i]);
      this.A0[i] = 1 / (1 + r2);
      this.Q[i] = r2 / (1 + r2);
    }
    this.delta = this.m2 = this.scaleChi = NaN;
    this.setDelta(delta);
    this.u = new Float64Array(n).fill(1);
    this.v = new Float64Array(n).fill(1);
    this.ua = new Float64Array(n);
    this.cm = new Float64Array(n);
    this.vr2 = new Float64Array(n);
    this.cq = new Float64Array(n);
    const K = grid.K;
    this.yA = new Float64Array(K);
    this.yB = new Float64Array(K);
    this.mA = new Float64Array(K);
    this.mB = new Float64Array(K);
    this.ys = new Float64Array(16 * grid.N);
    this.cR = new Float64Array(n);
    this.cI = new Float64Array(n);
    this.sc = new Float64Array(grid.N);
    this.ab = new Float64Array(2 * n);
    this.cb = new Float64Array(2 * n);
    this.gyA = new Float64Array(2 * K);
    this.gmA = new Float64Array(2 * K);
    this.gyB = new Float64Array(2 * K);
    this.gmB = new Float64Array(2 * K);
    this.dchi = new Float64Array(2 * this.nt);
    const theta0 = new Float64Array(this.nt);
    if (this.freeDelta) theta0[grid.nw] = delta;
    this.setWeights(theta0);
  }

  /**
   * Sets Δ: m², the prefactor 2Δ − 2 and the boundary basis u_A, u_B at r_max of
   * every mode (with their Δ-derivatives when Δ is free). Δ must be valid (> 1, not
   * an integer); the network checks it.
   */
  private setDelta(delta: number): void {
    if (delta === this.delta) return;
    this.delta = delta;
    this.m2 = massSquared(delta);
    this.scaleChi = 2 * delta - 2;
    for (let i = 0; i < this.r2.length; i++) this.mr2[i] = this.m2 * this.r2[i];
    fillBoundaryBasis(this.basis, this.modes, delta, this.grid.shape.rMax);
  }

  /** Loads θ: spline values on the half-step grid, u, v and the centre data (and Δ = θ[nw] when free). */
  setWeights(theta: ArrayLike<number>): void {
    const g = this.grid, K = g.K;
    if (this.freeDelta) this.setDelta(theta[g.nw]);
    for (let i = 0; i < K; i++) {
      this.yA[i] = i < K - 1 ? theta[i] : 0;
      this.yB[i] = i >= 1 && i < K - 1 ? theta[K - 2 + i] : 0;
    }
    g.slopes(this.yA, this.mA);
    g.slopes(this.yB, this.mB);
    const n = g.r.length, nIn = g.nIn, seg = g.seg, hw = g.hw;
    const yA = this.yA, yB = this.yB, mA = this.mA, mB = this.mB;
    for (let i = 0; i < n; i++) {
      let al = 0, be = 0;
      if (i < nIn) {
        const j = seg[i], q = 4 * i;
        al = hw[q] * yA[j] + hw[q + 1] * mA[j] + hw[q + 2] * yA[j + 1] + hw[q + 3] * mA[j + 1];
        be = hw[q] * yB[j] + hw[q + 1] * mB[j] + hw[q + 2] * yB[j + 1] + hw[q + 3] * mB[j + 1];
      }
      const u = Math.exp(-0.5 * (al + be));
      const v = Math.exp(0.5 * (al - be));
      this.u[i] = u;
      this.v[i] = v;
      this.ua[i] = u * this.A0[i];
      this.vr2[i] = v * this.r2[i];
      this.cm[i] = v * this.mr2[i];
      this.cq[i] = u * this.Q[i];
    }
    const H2 = g.H * g.H;
    this.f0 = Math.exp(yA[0]);
    this.phi2 = 1 + (3 * (yA[1] - yA[0]) - mA[1]) / H2;
    this.g2 = 1 + (3 * (yB[1] - yB[0]) - mB[1]) / H2;
    const r0 = g.r[0];
    this.S0 = (1 + r0 * r0) / this.u[0];
  }

  /** The metric functions α, β at the half-step points (for tests and plots). */
  profiles(): { r: Float64Array; alpha: Float64Array; beta: Float64Array } {
    const n = this.u.length;
    const alpha = new Float64Array(n);
    const beta = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const lu = Math.log(this.u[i]), lv = Math.log(this.v[i]);
      alpha[i] = lv - lu;
      beta[i] = -lu - lv;
    }
    return { r: this.grid.r, alpha, beta };
  }

  /** Frobenius coefficient c of R = r^{|k|}(1 + c r²) (physics.md §4), complex. */
  private frob(p: number): [number, number] {
    return frobeniusCoefficient({ f0: this.f0, phi2: this.phi2, g2: this.g2 }, this.ak[p], this.o2re[p], this.o2im[p], this.m2);
  }

  /** Forward pass of mode p: stores the layer states and returns χ_pred into out[2p], out[2p+1]. */
  forwardMode(p: number, out: Float64Array): void {
    const N = this.grid.N, h = this.grid.h, hh = 0.5 * h, h6 = h / 6;
    const ua = this.ua, cm = this.cm, cv = this.v, cq = this.cq, ys = this.ys, sc = this.sc, cR = this.cR, cI = this.cI;
    const o2re = this.o2re[p], o2im = this.o2im[p], k2 = this.k2[p], ak = this.ak[p];
    for (let i = 0; i <= 2 * N; i++) {
      cR[i] = cm[i] + k2 * cv[i] - o2re * cq[i];
      cI[i] = -o2im * cq[i];
    }
    const [cre, cim] = this.frob(p);
    const r0 = this.grid.r[0], r02 = r0 * r0, S = this.S0;
    let R0 = 1 + cre * r02, R1 = cim * r02;
    let P0 = S * (ak + (ak + 2) * cre * r02), P1 = S * (ak + 2) * cim * r02;
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
      // χ depends on B/A only: keep the state O(1) (|k| ≫ 1 grows like r^|k|)
      const nrm = Math.abs(R0) + Math.abs(R1) + Math.abs(P0) + Math.abs(P1);
      let s = 1;
      if (nrm > 1e60) {
        s = 1 / nrm;
        R0 *= s; R1 *= s; P0 *= s; P1 *= s;
      }
      sc[j] = s;
      i += 2;
    }
    // match at r_max: R' = Π/(r √(fg)), √(fg) = 1 + r² there
    const rM = this.grid.shape.rMax;
    const dfac = 1 / (rM * (1 + rM * rM));
    const dR0 = P0 * dfac, dR1 = P1 * dfac;
    const b = 4 * p, uA = this.basis.bA, uB = this.basis.bB;
    // N = uA R' − R uA', D = R uB' − uB R'
    const nre = uA[b] * dR0 - uA[b + 1] * dR1 - (R0 * uA[b + 2] - R1 * uA[b + 3]);
    const nim = uA[b] * dR1 + uA[b + 1] * dR0 - (R0 * uA[b + 3] + R1 * uA[b + 2]);
    const dre = R0 * uB[b + 2] - R1 * uB[b + 3] - (uB[b] * dR0 - uB[b + 1] * dR1);
    const dim = R0 * uB[b + 3] + R1 * uB[b + 2] - (uB[b] * dR1 + uB[b + 1] * dR0);
    const dd = dre * dre + dim * dim;
    const qre = (nre * dre + nim * dim) / dd, qim = (nim * dre - nre * dim) / dd;
    out[2 * p] = this.scaleChi * qre;
    out[2 * p + 1] = this.scaleChi * qim;
    if (this.freeDelta) boundaryDeltaTerm(this.basis, p, R0, R1, dR0, dR1, qre, qim, dre, dim, dd, this.scaleChi, this.dBnd);
    // adjoint seed of the final state, kept for the reverse sweep
    const invDre = dre / dd, invDim = -dim / dd;
    // ∂χ/∂R = s(−uA' − q uB')/D, ∂χ/∂R' = s(uA + q uB)/D
    const xr = -uA[b + 2] - (qre * uB[b + 2] - qim * uB[b + 3]);
    const xi = -uA[b + 3] - (qre * uB[b + 3] + qim * uB[b + 2]);
    const yr = uA[b] + (qre * uB[b] - qim * uB[b + 1]);
    const yi = uA[b + 1] + (qre * uB[b + 1] + qim * uB[b]);
    const s = this.scaleChi;
    this.seed[0] = s * (xr * invDre - xi * invDim);
    this.seed[1] = s * (xr * invDim + xi * invDre);
    this.seed[2] = s * dfac * (yr * invDre - yi * invDim);
    this.seed[3] = s * dfac * (yr * invDim + yi * invDre);
  }

  private readonly seed = new Float64Array(4);

  /**
   * Reverse sweep of mode p after forwardMode(p): writes dχ/dθ (complex) into
   * this.dchi (re at [0, nw), im at [nw, 2nw)).
   */
  jacobianMode(p: number): void {
    const g = this.grid, N = g.N, h = g.h, hh = 0.5 * h, h6 = h / 6, h3 = h / 3;
    const ua = this.ua, ys = this.ys, sc = this.sc, cR = this.cR, cI = this.cI;
    const ab = this.ab, cb = this.cb;
    const nIn = g.nIn;
    ab.fill(0, 0, 2 * nIn + 4);
    cb.fill(0, 0, 2 * nIn + 4);
    const free = this.freeDelta, vr2 = this.vr2;
    let gmr = 0, gmi = 0; // dχ/dm² through the layers: Σ c̄ v r²
    let lR0 = this.seed[0], lR1 = this.seed[1], lP0 = this.seed[2], lP1 = this.seed[3];
    for (let j = N - 1; j >= 0; j--) {
      const s = sc[j];
      lR0 *= s; lR1 *= s; lP0 *= s; lP1 *= s;
      const i = 2 * j;
      const q = 16 * j;
      // the layer's input state and stage states, stored by the forward pass
      const R0 = ys[q], R1 = ys[q + 1], P0 = ys[q + 2], P1 = ys[q + 3];
      const t2R0 = ys[q + 4], t2R1 = ys[q + 5], t2P0 = ys[q + 6], t2P1 = ys[q + 7];
      const t3R0 = ys[q + 8], t3R1 = ys[q + 9], t3P0 = ys[q + 10], t3P1 = ys[q + 11];
      const t4R0 = ys[q + 12], t4R1 = ys[q + 13], t4P0 = ys[q + 14], t4P1 = ys[q + 15];
      const a0 = ua[i], am = ua[i + 1], ae = ua[i + 2];
      const c0r = cR[i], c0i = cI[i], cmr = cR[i + 1], cmi = cI[i + 1], cer = cR[i + 2], cei = cI[i + 2];
      // stage adjoints
      const k4Rb0 = h6 * lR0, k4Rb1 = h6 * lR1, k4Pb0 = h6 * lP0, k4Pb1 = h6 * lP1;
      let k3Rb0 = h3 * lR0, k3Rb1 = h3 * lR1, k3Pb0 = h3 * lP0, k3Pb1 = h3 * lP1;
      let k2Rb0 = k3Rb0, k2Rb1 = k3Rb1, k2Pb0 = k3Pb0, k2Pb1 = k3Pb1;
      let k1Rb0 = k4Rb0, k1Rb1 = k4Rb1, k1Pb0 = k4Pb0, k1Pb1 = k4Pb1;
      let Rb0 = lR0, Rb1 = lR1, Pb0 = lP0, Pb1 = lP1;
      // k4 = (ae t4P, ce t4R)
      const abe0 = t4P0 * k4Rb0 - t4P1 * k4Rb1, abe1 = t4P0 * k4Rb1 + t4P1 * k4Rb0;
      const cbe0 = t4R0 * k4Pb0 - t4R1 * k4Pb1, cbe1 = t4R0 * k4Pb1 + t4R1 * k4Pb0;
      let tPb0 = ae * k4Rb0, tPb1 = ae * k4Rb1;
      let tRb0 = cer * k4Pb0 - cei * k4Pb1, tRb1 = cer * k4Pb1 + cei * k4Pb0;
      Rb0 += tRb0; Rb1 += tRb1; Pb0 += tPb0; Pb1 += tPb1;
      k3Rb0 += h * tRb0; k3Rb1 += h * tRb1; k3Pb0 += h * tPb0; k3Pb1 += h * tPb1;
      // k3 = (am t3P, cm t3R)
      let abm0 = t3P0 * k3Rb0 - t3P1 * k3Rb1, abm1 = t3P0 * k3Rb1 + t3P1 * k3Rb0;
      let cbm0 = t3R0 * k3Pb0 - t3R1 * k3Pb1, cbm1 = t3R0 * k3Pb1 + t3R1 * k3Pb0;
      tPb0 = am * k3Rb0; tPb1 = am * k3Rb1;
      tRb0 = cmr * k3Pb0 - cmi * k3Pb1; tRb1 = cmr * k3Pb1 + cmi * k3Pb0;
      Rb0 += tRb0; Rb1 += tRb1; Pb0 += tPb0; Pb1 += tPb1;
      k2Rb0 += hh * tRb0; k2Rb1 += hh * tRb1; k2Pb0 += hh * tPb0; k2Pb1 += hh * tPb1;
      // k2 = (am t2P, cm t2R)
      abm0 += t2P0 * k2Rb0 - t2P1 * k2Rb1; abm1 += t2P0 * k2Rb1 + t2P1 * k2Rb0;
      cbm0 += t2R0 * k2Pb0 - t2R1 * k2Pb1; cbm1 += t2R0 * k2Pb1 + t2R1 * k2Pb0;
      tPb0 = am * k2Rb0; tPb1 = am * k2Rb1;
      tRb0 = cmr * k2Pb0 - cmi * k2Pb1; tRb1 = cmr * k2Pb1 + cmi * k2Pb0;
      Rb0 += tRb0; Rb1 += tRb1; Pb0 += tPb0; Pb1 += tPb1;
      k1Rb0 += hh * tRb0; k1Rb1 += hh * tRb1; k1Pb0 += hh * tPb0; k1Pb1 += hh * tPb1;
      // k1 = (a0 P, c0 R)
      const ab00 = P0 * k1Rb0 - P1 * k1Rb1, ab01 = P0 * k1Rb1 + P1 * k1Rb0;
      const cb00 = R0 * k1Pb0 - R1 * k1Pb1, cb01 = R0 * k1Pb1 + R1 * k1Pb0;
      Pb0 += a0 * k1Rb0; Pb1 += a0 * k1Rb1;
      Rb0 += c0r * k1Pb0 - c0i * k1Pb1; Rb1 += c0r * k1Pb1 + c0i * k1Pb0;
      lR0 = Rb0; lR1 = Rb1; lP0 = Pb0; lP1 = Pb1;
      if (free) {
        gmr += cb00 * vr2[i] + cbm0 * vr2[i + 1] + cbe0 * vr2[i + 2];
        gmi += cb01 * vr2[i] + cbm1 * vr2[i + 1] + cbe1 * vr2[i + 2];
      }
      if (i < nIn) {
        const x = 2 * i;
        ab[x] += ab00; ab[x + 1] += ab01; cb[x] += cb00; cb[x + 1] += cb01;
        ab[x + 2] += abm0; ab[x + 3] += abm1; cb[x + 2] += cbm0; cb[x + 3] += cbm1;
        ab[x + 4] += abe0; ab[x + 5] += abe1; cb[x + 4] += cbe0; cb[x + 5] += cbe1;
      }
    }
    this.contract(p, lR0, lR1, lP0, lP1, gmr, gmi);
  }

  /** Maps the per-point adjoints ā, c̄ and the start adjoint onto dχ/dθ. */
  private contract(p: number, lR0: number, lR1: number, lP0: number, lP1: number, gmr: number, gmi: number): void {
    const g = this.grid, K = g.K, nIn = g.nIn, seg = g.seg, hw = g.hw;
    const ab = this.ab, cb = this.cb, u = this.u, v = this.v, A0 = this.A0, Q = this.Q, mr2 = this.mr2;
    const o2re = this.o2re[p], o2im = this.o2im[p], k2 = this.k2[p], ak = this.ak[p];
    const gyA = this.gyA, gmA = this.gmA, gyB = this.gyB, gmB = this.gmB;
    gyA.fill(0); gmA.fill(0); gyB.fill(0); gmB.fill(0);
    // start: R = 1 + c r0², Π = S(|k| + (|k|+2) c r0²), S = (1+r0²)/u_0
    const r0 = g.r[0], r02 = r0 * r0, S = this.S0;
    const [cre, cim] = this.frob(p);
    // dχ/dc = λR r0² + λΠ S (|k|+2) r0²
    const dc0 = lR0 * r02 + lP0 * S * (ak + 2) * r02, dc1 = lR1 * r02 + lP1 * S * (ak + 2) * r02;
    // dχ/dS = λΠ (|k| + (|k|+2) c r0²); S ∝ e^{(α+β)/2} at point 0 → dS/dα = dS/dβ = S/2
    const Pr = ak + (ak + 2) * cre * r02, Pi = (ak + 2) * cim * r02;
    const dS0 = (lP0 * Pr - lP1 * Pi) * S * 0.5, dS1 = (lP0 * Pi + lP1 * Pr) * S * 0.5;
    const den = 4 * (ak + 1);
    const D = g.D, nw = g.nw, nt = this.nt, out = this.dchi;
    if (this.freeDelta) {
      // dχ/dΔ = (2Δ−2)(Σ c̄ v r² + dχ/dc · ∂c/∂m²) + boundary basis and prefactor; ∂c/∂m² = 1/den
      const dm2 = 2 * this.delta - 2;
      out[nw] = dm2 * (gmr + dc0 / den) + this.dBnd[0];
      out[nt + nw] = dm2 * (gmi + dc1 / den) + this.dBnd[1];
    }
    // f0 = e^{y_α0}: dc/dy_α0 = Ω²/(f0 den)
    const ef = 1 / (this.f0 * den);
    gyA[0] += (dc0 * o2re - dc1 * o2im) * ef;
    gyA[1] += (dc0 * o2im + dc1 * o2re) * ef;
    // φ2 = 1 + α''(0)/2, g2 = 1 + β''(0)/2; α''(0) = (6(y1 − y0) − 2 H m1)/H²
    const H2 = g.H * g.H;
    const fa = (-ak / den) * 0.5, fb = (-ak * (ak + 1) / den) * 0.5;
    for (const [gy, gm, f] of [[gyA, gmA, fa], [gyB, gmB, fb]] as const) {
      const w0 = dc0 * f, w1 = dc1 * f;
      gy[0] -= (6 / H2) * w0; gy[1] -= (6 / H2) * w1;
      gy[2] += (6 / H2) * w0; gy[3] += (6 / H2) * w1;
      gm[2] -= (2 / H2) * w0; gm[3] -= (2 / H2) * w1;
    }
    for (let i = 0; i < nIn; i++) {
      const x = 2 * i;
      // dχ/du = A0 ā − Ω² Q c̄, dχ/dv = (m²r² + k²) c̄
      const abr = ab[x], abi = ab[x + 1], cbr = cb[x], cbi = cb[x + 1];
      let gur = A0[i] * abr - Q[i] * (o2re * cbr - o2im * cbi);
      let gui = A0[i] * abi - Q[i] * (o2re * cbi + o2im * cbr);
      const pv = mr2[i] + k2;
      let gvr = pv * cbr, gvi = pv * cbi;
      gur *= -0.5 * u[i]; gui *= -0.5 * u[i];
      gvr *= 0.5 * v[i]; gvi *= 0.5 * v[i];
      let gar = gur + gvr, gai = gui + gvi; // dχ/dα
      let gbr = gur - gvr, gbi = gui - gvi; // dχ/dβ
      if (i === 0) {
        gar += dS0; gai += dS1; gbr += dS0; gbi += dS1;
      }
      const j = seg[i], q = 4 * i, y0 = 2 * j, y1 = y0 + 2;
      const w0 = hw[q], w1 = hw[q + 1], w2 = hw[q + 2], w3 = hw[q + 3];
      gyA[y0] += w0 * gar; gyA[y0 + 1] += w0 * gai; gmA[y0] += w1 * gar; gmA[y0 + 1] += w1 * gai;
      gyA[y1] += w2 * gar; gyA[y1 + 1] += w2 * gai; gmA[y1] += w3 * gar; gmA[y1 + 1] += w3 * gai;
      gyB[y0] += w0 * gbr; gyB[y0 + 1] += w0 * gbi; gmB[y0] += w1 * gbr; gmB[y0 + 1] += w1 * gbi;
      gyB[y1] += w2 * gbr; gyB[y1 + 1] += w2 * gbi; gmB[y1] += w3 * gbr; gmB[y1 + 1] += w3 * gbi;
    }
    // through the slopes m = D y: dy += Dᵀ dm, then onto θ
    for (let n = 0; n < K - 1; n++) {
      let ar = gyA[2 * n], ai = gyA[2 * n + 1], br = gyB[2 * n], bi = gyB[2 * n + 1];
      for (let m = 0; m < K; m++) {
        const d = D[m * K + n];
        ar += d * gmA[2 * m]; ai += d * gmA[2 * m + 1];
        br += d * gmB[2 * m]; bi += d * gmB[2 * m + 1];
      }
      out[n] = ar; out[nt + n] = ai;
      if (n >= 1) {
        out[K - 2 + n] = br; out[nt + K - 2 + n] = bi;
      }
    }
  }
}
