/**
 * The fused Float64 kernel of the horizon network (physics.md §11): for every data
 * point (Ω, k), the infalling start at ξ₀ = (r₀ − r_h)/r_h, N RK4 layers uniform
 * in s = ln ξ, and the exact boundary-series match at r_max = (r_max/r_h)·r_h with
 * M = r_h², giving χ_pred; and its exact Jacobian — with respect to α, β at the
 * nodes, their slopes at the horizon and ln r_h — by one reverse sweep per mode.
 *
 * In ξ (r = r_h(1+ξ)), with u = e^{−(α+β)/2}, v = e^{(α−β)/2}, q = ln r_h:
 *   a = u e^{−2q} / ((1+ξ)(2+ξ)),
 *   c = v (m² e^{2q} ξ(1+ξ) + k² ξ/(1+ξ)) − Ω² u (1+ξ)/(2+ξ),
 * so r_h enters the layers only through e^{∓2q}; the boundary series in ρ = r/r_h
 * carries the rest (u_A,B = r_h^{−p₀} ũ(ρ), hence χ = (2Δ−2) r_h^{2Δ−2} B̃/Ã).
 */
import { type Complex, cadd, cdiv, cmul, cscale } from '../../physics/complex.ts';
import { infallingCoefficients, scaledBoundarySeries } from '../../physics/horizon.ts';
import { massSquared } from '../../physics/params.ts';
import type { KernelMode } from '../kernelCore.ts';
import { forwardLayers, reverseLayers } from '../rk4Layers.ts';
import type { HorizonGrid } from './grid.ts';

const cx = (re: number, im: number): Complex => ({ re, im });

export class HorizonKernelCore {
  readonly grid: HorizonGrid;
  readonly delta: number;
  readonly P: number;
  private readonly m2: number;
  private readonly modes: readonly KernelMode[];
  private readonly o2re: Float64Array;
  private readonly o2im: Float64Array;
  private readonly k2: Float64Array;
  /** scaled boundary series ũ_A, ũ_B per mode: re, im, dre, dim, qre, qim, qdre, qdim */
  private readonly sA: Float64Array;
  private readonly sB: Float64Array;
  private seriesQ = NaN;
  // per half-step point constants
  private readonly Ahat: Float64Array;
  private readonly X: Float64Array;
  private readonly Y: Float64Array;
  private readonly Z: Float64Array;
  // weight-dependent tables
  private readonly u: Float64Array;
  private readonly v: Float64Array;
  private readonly ua: Float64Array;
  private readonly cm: Float64Array;
  private readonly ck: Float64Array;
  private readonly cq: Float64Array;
  private readonly yA: Float64Array;
  private readonly yB: Float64Array;
  private readonly mA: Float64Array;
  private readonly mB: Float64Array;
  private q = 0;
  private uh = 1;
  private vh = 1;
  private Dh = 0;
  // per mode scratch
  private readonly ys: Float64Array;
  private readonly sc: Float64Array;
  private readonly cR: Float64Array;
  private readonly cI: Float64Array;
  private readonly ab: Float64Array;
  private readonly cb: Float64Array;
  private readonly y = new Float64Array(4);
  private readonly lam = new Float64Array(4);
  private readonly gy: Float64Array; // [α then β] complex adjoints of node values
  private readonly gm: Float64Array; // … of H·slopes
  /** start partials of mode p: d(R, Π)/d(u_h, v_h, D, q) as complex pairs, and Π₀ */
  private readonly st = new Float64Array(18);
  private chiLast: Complex = cx(0, 0);
  private dqBoundary: Complex = cx(0, 0);
  /** dχ/dθ of the last mode: re at [0, nw), im at [nw, 2nw). */
  readonly dchi: Float64Array;

  constructor(grid: HorizonGrid, delta: number, modes: readonly KernelMode[]) {
    this.grid = grid;
    this.delta = delta;
    this.m2 = massSquared(delta);
    this.modes = modes;
    const P = (this.P = modes.length);
    this.o2re = new Float64Array(P);
    this.o2im = new Float64Array(P);
    this.k2 = new Float64Array(P);
    modes.forEach((m, p) => {
      this.o2re[p] = m.omegaRe * m.omegaRe - m.omegaIm * m.omegaIm;
      this.o2im[p] = 2 * m.omegaRe * m.omegaIm;
      this.k2[p] = m.k * m.k;
    });
    this.sA = new Float64Array(8 * P);
    this.sB = new Float64Array(8 * P);
    const n = grid.xi.length;
    this.Ahat = new Float64Array(n);
    this.X = new Float64Array(n);
    this.Y = new Float64Array(n);
    this.Z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = grid.xi[i];
      this.Ahat[i] = 1 / ((1 + x) * (2 + x));
      this.X[i] = x * (1 + x);
      this.Y[i] = x / (1 + x);
      this.Z[i] = (1 + x) / (2 + x);
    }
    this.u = new Float64Array(n).fill(1);
    this.v = new Float64Array(n).fill(1);
    this.ua = new Float64Array(n);
    this.cm = new Float64Array(n);
    this.ck = new Float64Array(n);
    this.cq = new Float64Array(n);
    const K = grid.K;
    this.yA = new Float64Array(K);
    this.yB = new Float64Array(K);
    this.mA = new Float64Array(K);
    this.mB = new Float64Array(K);
    this.ys = new Float64Array(16 * grid.N);
    this.sc = new Float64Array(grid.N);
    this.cR = new Float64Array(n);
    this.cI = new Float64Array(n);
    this.ab = new Float64Array(2 * n);
    this.cb = new Float64Array(2 * n);
    this.gy = new Float64Array(4 * K);
    this.gm = new Float64Array(4 * K);
    this.dchi = new Float64Array(2 * grid.nw);
    const theta = new Float64Array(grid.nw);
    theta[grid.iq] = Math.log(1.5);
    this.setWeights(theta);
  }

  /** Loads θ: spline values at the inner half-step points, the layer coefficients, the horizon data and (if r_h moved) the boundary series. */
  setWeights(theta: ArrayLike<number>): void {
    const g = this.grid, K = g.K;
    for (let i = 0; i < K; i++) {
      this.yA[i] = i < K - 1 ? theta[i] : 0;
      this.yB[i] = i < K - 1 ? theta[K + i] : 0;
    }
    g.slopes(this.yA, theta[K - 1], this.mA);
    g.slopes(this.yB, theta[2 * K - 1], this.mB);
    const q = (this.q = theta[g.iq]);
    const em = Math.exp(-2 * q), ep = Math.exp(2 * q) * this.m2;
    const n = g.xi.length, nIn = g.nIn, seg = g.seg, hw = g.hw;
    const yA = this.yA, yB = this.yB, mA = this.mA, mB = this.mB;
    for (let i = 0; i < n; i++) {
      let u = 1, v = 1;
      if (i < nIn) {
        const j = seg[i], w = 4 * i;
        const al = hw[w] * yA[j] + hw[w + 1] * mA[j] + hw[w + 2] * yA[j + 1] + hw[w + 3] * mA[j + 1];
        const be = hw[w] * yB[j] + hw[w + 1] * mB[j] + hw[w + 2] * yB[j + 1] + hw[w + 3] * mB[j + 1];
        u = Math.exp(-0.5 * (al + be));
        v = Math.exp(0.5 * (al - be));
      }
      this.u[i] = u;
      this.v[i] = v;
      this.ua[i] = u * this.Ahat[i] * em;
      this.cm[i] = v * ep * this.X[i];
      this.ck[i] = v * this.Y[i];
      this.cq[i] = u * this.Z[i];
    }
    this.uh = Math.exp(-0.5 * (yA[0] + yB[0]));
    this.vh = Math.exp(0.5 * (yA[0] - yB[0]));
    // dα/dξ + dβ/dξ at the horizon: (H·slope/H)·dρ/dξ, dρ/dξ = 1/2 there
    this.Dh = (mA[0] + mB[0]) / (2 * g.H);
    if (q !== this.seriesQ) {
      const rh = Math.exp(q), rho = g.shape.rMaxRatio;
      this.modes.forEach((m, p) => {
        for (const [buf, p0] of [[this.sA, 2 - this.delta], [this.sB, this.delta]] as const) {
          const s = scaledBoundarySeries(p0, m.omegaRe, m.omegaIm, m.k, this.m2, rh, rho);
          buf.set([s.re, s.im, s.dre, s.dim, s.qre, s.qim, s.qdre, s.qdim], 8 * p);
        }
      });
      this.seriesQ = q;
    }
  }

  /** r_h and the Hawking temperature T = r_h e^{(α_h+β_h)/2}/2π at the loaded weights. */
  horizon(): { rh: number; temperature: number } {
    const rh = Math.exp(this.q);
    return { rh, temperature: rh / (this.uh * 2 * Math.PI) };
  }

  /** Infalling start (R, Π) of mode p into this.y, with its partials into this.st. */
  private start(p: number): void {
    const m = this.modes[p], xi0 = this.grid.xi[0], a0p = this.ua[0];
    const rh = Math.exp(this.q), u = this.uh, v = this.vh, D = this.Dh;
    const om2 = cx(this.o2re[p], this.o2im[p]);
    // in ξ units: slopes dα/dξ = r_h dα/dr
    const lu = Math.log(u), lv = Math.log(v);
    const h = { rh, alphaH: lv - lu, betaH: -lu - lv, dAlphaH: D / (2 * rh), dBetaH: D / (2 * rh) };
    const [nr, ni, br, bi] = infallingCoefficients(h, this.o2re[p], this.o2im[p], this.k2[p], this.m2, m.omegaRe, m.omegaIm);
    // ξ-unit coefficients: ν is unit-free, b_ξ = r_h b_x
    const nu = cx(nr, ni), b = cx(br * rh, bi * rh);
    const a1 = -0.5 * D - 1.5;
    const KM = this.m2 * rh * rh + this.k2[p];
    const om2u = cscale(om2, u);
    const c1 = cadd(cdiv(cx(-2 * v * KM, 0), om2u), cx(0.5 * (1 - D), 0));
    const den = cx(2 * nr + 1, 2 * ni);
    const nu1 = cx(nr + 1, ni);
    // db/dν, db/da₁, db/dc₁
    const inner = cadd(cscale(nu1, a1), cmul(nu, c1));
    const dbdnu = cdiv(cadd(cadd(inner, cmul(nu, cadd(cx(a1, 0), c1))), cscale(b, -2)), den);
    const dbda1 = cdiv(cmul(nu, nu1), den);
    const dbdc1 = cdiv(cmul(nu, nu), den);
    // partials of ν, a₁, c₁ with respect to (u_h, v_h, D, q)
    const dnu = [cscale(nu, 1 / u), cx(0, 0), cx(0, 0), cscale(nu, -1)];
    const da1 = [0, 0, -0.5, 0];
    const dc1 = [
      cdiv(cx(2 * v * KM, 0), cscale(om2u, u)),
      cdiv(cx(-2 * KM, 0), om2u),
      cx(-0.5, 0),
      cdiv(cx(-4 * v * this.m2 * rh * rh, 0), om2u),
    ];
    const Rr = 1 + b.re * xi0, Ri = b.im * xi0;
    const Rs = cadd(nu, cscale(cmul(nu1, b), xi0));
    this.y[0] = Rr; this.y[1] = Ri; this.y[2] = Rs.re / a0p; this.y[3] = Rs.im / a0p;
    const st = this.st;
    for (let x = 0; x < 4; x++) {
      const db = cadd(cadd(cmul(dbdnu, dnu[x]), cscale(dbda1, da1[x])), cmul(dbdc1, dc1[x]));
      const dRs = cadd(cmul(cx(1 + b.re * xi0, b.im * xi0), dnu[x]), cscale(cmul(nu1, db), xi0));
      st.set([db.re * xi0, db.im * xi0, dRs.re / a0p, dRs.im / a0p], 4 * x);
    }
    st[16] = this.y[2];
    st[17] = this.y[3];
  }

  /** Forward pass of mode p: stores the layer states and writes χ_pred into out[2p], out[2p+1]. */
  forwardMode(p: number, out: Float64Array): void {
    const g = this.grid, n = g.xi.length;
    const cR = this.cR, cI = this.cI, cm = this.cm, ck = this.ck, cq = this.cq;
    const o2re = this.o2re[p], o2im = this.o2im[p], k2 = this.k2[p];
    for (let i = 0; i < n; i++) {
      cR[i] = cm[i] + k2 * ck[i] - o2re * cq[i];
      cI[i] = -o2im * cq[i];
    }
    this.start(p);
    const y = this.y;
    forwardLayers(g.N, g.h, this.ua, cR, cI, y, this.ys, this.sc);
    const rho = g.shape.rMaxRatio;
    const dfac = Math.exp(-2 * this.q) / (rho * (rho * rho - 1));
    const R = cx(y[0], y[1]), dR = cx(y[2] * dfac, y[3] * dfac);
    const s = 8 * p, A = this.sA, B = this.sB;
    const uA = cx(A[s], A[s + 1]), uAd = cx(A[s + 2], A[s + 3]), uB = cx(B[s], B[s + 1]), uBd = cx(B[s + 2], B[s + 3]);
    const nn = cadd(cmul(uA, dR), cscale(cmul(R, uAd), -1));
    const dd = cadd(cmul(R, uBd), cscale(cmul(uB, dR), -1));
    const ratio = cdiv(nn, dd);
    const e = 2 * this.delta - 2;
    const pref = e * Math.exp(e * this.q);
    const chi = cscale(ratio, pref);
    out[2 * p] = chi.re;
    out[2 * p + 1] = chi.im;
    this.chiLast = chi;
    // adjoint seeds: ∂χ/∂R = pref(−ũA′ − ratio ũB′)/dd, ∂χ/∂dR = pref(ũA + ratio ũB)/dd
    const gR = cscale(cdiv(cadd(cscale(uAd, -1), cscale(cmul(ratio, uBd), -1)), dd), pref);
    const gdR = cscale(cdiv(cadd(uA, cmul(ratio, uB)), dd), pref);
    this.lam[0] = gR.re; this.lam[1] = gR.im; this.lam[2] = gdR.re * dfac; this.lam[3] = gdR.im * dfac;
    // explicit ln r_h dependence of the match: prefactor, dR = Π e^{−2q}/…, and the series
    const uAq = cx(A[s + 4], A[s + 5]), uAdq = cx(A[s + 6], A[s + 7]), uBq = cx(B[s + 4], B[s + 5]), uBdq = cx(B[s + 6], B[s + 7]);
    const dser = cadd(cadd(cmul(dR, uAq), cscale(cmul(R, uAdq), -1)), cmul(ratio, cadd(cmul(dR, uBq), cscale(cmul(R, uBdq), -1))));
    this.dqBoundary = cadd(cadd(cscale(chi, e), cscale(cmul(gdR, dR), -2)), cscale(cdiv(dser, dd), pref));
  }

  /** Reverse sweep of mode p after forwardMode(p): dχ/dθ (complex) into this.dchi. */
  jacobianMode(p: number): void {
    const g = this.grid, K = g.K, nIn = g.nIn, n = g.xi.length, nw = g.nw;
    const ab = this.ab, cb = this.cb, lam = this.lam;
    reverseLayers(g.N, g.h, this.ua, this.cR, this.cI, this.ys, this.sc, lam, ab, cb);
    const st = this.st;
    // start: Π₀ = R_s/a(ξ₀) → dχ/da₀ += λ_Π (−Π₀/a₀)
    const a0p = this.ua[0];
    ab[0] += -(lam[2] * st[16] - lam[3] * st[17]) / a0p;
    ab[1] += -(lam[2] * st[17] + lam[3] * st[16]) / a0p;
    const dStart = (x: number): Complex => {
      const o = 4 * x;
      return cx(
        lam[0] * st[o] - lam[1] * st[o + 1] + lam[2] * st[o + 2] - lam[3] * st[o + 3],
        lam[0] * st[o + 1] + lam[1] * st[o] + lam[2] * st[o + 3] + lam[3] * st[o + 2],
      );
    };
    const dUh = dStart(0), dVh = dStart(1), dD = dStart(2);
    // ln r_h: a ∝ e^{−2q}, c's m² term ∝ e^{2q}, the start and the boundary
    let qr = 0, qi = 0;
    const ua = this.ua, cm = this.cm;
    for (let i = 0; i < n; i++) {
      qr += -2 * ua[i] * ab[2 * i] + 2 * cm[i] * cb[2 * i];
      qi += -2 * ua[i] * ab[2 * i + 1] + 2 * cm[i] * cb[2 * i + 1];
    }
    const dq = cadd(cadd(cx(qr, qi), dStart(3)), this.dqBoundary);
    // node adjoints through the Hermite weights
    const gy = this.gy, gm = this.gm;
    gy.fill(0);
    gm.fill(0);
    const o2re = this.o2re[p], o2im = this.o2im[p], k2 = this.k2[p];
    const em = Math.exp(-2 * this.q), ep = Math.exp(2 * this.q) * this.m2;
    const seg = g.seg, hw = g.hw, u = this.u, v = this.v;
    for (let i = 0; i < nIn; i++) {
      const x = 2 * i;
      const abr = ab[x], abi = ab[x + 1], cbr = cb[x], cbi = cb[x + 1];
      const A0 = this.Ahat[i] * em, Zi = this.Z[i];
      let gur = A0 * abr - Zi * (o2re * cbr - o2im * cbi);
      let gui = A0 * abi - Zi * (o2re * cbi + o2im * cbr);
      const pv = ep * this.X[i] + k2 * this.Y[i];
      let gvr = pv * cbr, gvi = pv * cbi;
      gur *= -0.5 * u[i]; gui *= -0.5 * u[i];
      gvr *= 0.5 * v[i]; gvi *= 0.5 * v[i];
      const j = seg[i], w = 4 * i;
      for (let fn = 0; fn < 2; fn++) {
        const sg = fn === 0 ? 1 : -1;
        const gr = gur + sg * gvr, gi = gui + sg * gvi;
        const y0 = 2 * (fn * K + j), y1 = y0 + 2;
        gy[y0] += hw[w] * gr; gy[y0 + 1] += hw[w] * gi; gm[y0] += hw[w + 1] * gr; gm[y0 + 1] += hw[w + 1] * gi;
        gy[y1] += hw[w + 2] * gr; gy[y1 + 1] += hw[w + 2] * gi; gm[y1] += hw[w + 3] * gr; gm[y1 + 1] += hw[w + 3] * gi;
      }
    }
    // the start's horizon data: u_h = e^{−(α₀+β₀)/2}, v_h = e^{(α₀−β₀)/2}, D = (H m_α0 + H m_β0)/(2H)
    const uh = this.uh, vh = this.vh;
    for (let fn = 0; fn < 2; fn++) {
      const sg = fn === 0 ? 1 : -1;
      const o = 2 * fn * K;
      gy[o] += -0.5 * uh * dUh.re + sg * 0.5 * vh * dVh.re;
      gy[o + 1] += -0.5 * uh * dUh.im + sg * 0.5 * vh * dVh.im;
      gm[o] += dD.re / (2 * g.H);
      gm[o + 1] += dD.im / (2 * g.H);
    }
    // through the slopes H·m = D y + e w, onto θ
    const Dm = g.D, e = g.e, out = this.dchi;
    for (let fn = 0; fn < 2; fn++) {
      const o = 2 * fn * K;
      for (let c = 0; c < K - 1; c++) {
        let ar = gy[o + 2 * c], ai = gy[o + 2 * c + 1];
        for (let r = 0; r < K; r++) {
          const d = Dm[r * K + c];
          ar += d * gm[o + 2 * r];
          ai += d * gm[o + 2 * r + 1];
        }
        out[fn * K + c] = ar;
        out[nw + fn * K + c] = ai;
      }
      let wr = 0, wi = 0;
      for (let r = 0; r < K; r++) {
        wr += e[r] * gm[o + 2 * r];
        wi += e[r] * gm[o + 2 * r + 1];
      }
      out[fn * K + K - 1] = wr;
      out[nw + fn * K + K - 1] = wi;
    }
    out[g.iq] = dq.re;
    out[nw + g.iq] = dq.im;
  }

  /** χ_pred of the last forwardMode (for tests). */
  lastChi(): Complex {
    return this.chiLast;
  }
}
