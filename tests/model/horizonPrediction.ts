/**
 * Linearised prediction of how often the horizon network meets its accuracy
 * targets (horizonTargets.ts) over noise seeds, from three fits instead of dozens.
 *
 * For a target, fit the exact table (χ without noise, with the σ of the 1% table):
 * the fit's distance from the truth is the estimator's bias b. Around it, the MAP
 * estimate under noise ε ~ N(0, 1) in the whitened residuals moves by
 * δθ = −C Jᵀε, C = (JᵀJ + λLᵀL)⁻¹, so its sampling covariance is C JᵀJ C (the
 * "sandwich"; smaller than the posterior C the bands report, which also holds the
 * prior's uncertainty). Draws of the errors of ln r_h, ln T, ln f(r), ln g(r) from
 * N(b, G C JᵀJ C Gᵀ), scored against the bands √diag(G C Gᵀ) by the targets' rules,
 * give the expected pass rate of every target and of each part of it.
 *
 * Valid where the fit is close to linear over its scatter (checked against the
 * seed sweeps of `npm run accuracy:horizon`: docs/model.md).
 */
import type { ResponsePoint } from '../../src/contracts/response.ts';
import { alphaGradient, posterior } from '../../src/model/horizon/estimate.ts';
import { createHorizonNetwork, type HorizonNetworkOptions } from '../../src/model/horizon/network.ts';
import { type HorizonCentre, hawkingTemperature } from '../../src/physics/metric.ts';
import { cholesky, symmetrize } from '../../src/util/linalg.ts';
import { Rng } from '../../src/util/random.ts';
import { HORIZON_GOALS, type HorizonTarget, horizonTable, horizonTargets } from './horizonTargets.ts';

export interface HorizonPrediction {
  target: HorizonTarget;
  /** Expected fraction of noise seeds meeting every target, and each part alone. */
  pass: number;
  rhT: number;
  fg: number;
  coverage: number;
  /** Bias of the exact-table fit: r_h (relative and in σ), worst |f, g| on [1.5 r_h, 3] (relative). */
  rhBias: number;
  rhBiasZ: number;
  fgBias: number;
  /** Means on [1.5 r_h, 1.75 r_h]: sampling SD of ln f, ln g; their bands (posterior SD); the bands with r_h known. */
  sdF: number;
  sdG: number;
  bandF: number;
  bandG: number;
  bandGivenRhF: number;
  bandGivenRhG: number;
}

/** The target's default 1% table with the exact χ kept (σ unchanged). */
export function exactTable(name: HorizonTarget, noise = 0.01): ResponsePoint[] {
  const exact = horizonTable(name, 1, 0);
  return horizonTable(name, 1, noise).map((p, i) => ({ ...p, chiRe: exact[i].chiRe, chiIm: exact[i].chiIm }));
}

function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const v = a[i * n + k];
    if (v !== 0) for (let j = 0; j < n; j++) c[i * n + j] += v * b[k * n + j];
  }
  return c;
}

/** G M Gᵀ for rows G (m × n). */
function project(rows: Float64Array[], M: Float64Array, n: number): Float64Array {
  const m = rows.length, S = new Float64Array(m * m), t = new Float64Array(n);
  rows.forEach((gj, j) => {
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let b = 0; b < n; b++) s += M[a * n + b] * gj[b];
      t[a] = s;
    }
    rows.forEach((gi, i) => {
      let s = 0;
      for (let a = 0; a < n; a++) s += gi[a] * t[a];
      S[i * m + j] = s;
    });
  });
  return S;
}

/** Expected pass rates of one target for a network shape (see the file's docstring); `draws` Monte-Carlo draws. */
export function predictHorizon(name: HorizonTarget, opts: HorizonNetworkOptions = {}, draws = 4000, seed = 1): HorizonPrediction {
  const metric = horizonTargets[name](), truth = metric.centre as HorizonCentre;
  const table = exactTable(name);
  const net = createHorizonNetwork(opts);
  const est = net.fit(table);
  const { data, kernel } = net.prepare(table);
  const grid = net.grid, n = grid.nw, K = grid.K, iq = grid.iq, theta = net.weights();
  const A = new Float64Array(n * n);
  kernel.normal(theta, data.chi, data.invSigma, new Float64Array(2 * kernel.P), A, new Float64Array(n));
  symmetrize(A, n);
  const { C } = posterior(A, net.prior, n);
  const rh = est.rh;
  // rows: ln r_h, ln T = ln r_h + (α₀ + β₀)/2, then ln f, ln g at the output radii on [1.1 r_h, 3]
  const rows: Float64Array[] = [], x: number[] = [], bias: number[] = [];
  const push = (g: Float64Array, xi: number, b: number): void => {
    rows.push(g);
    x.push(xi);
    bias.push(b);
  };
  const gq = new Float64Array(n);
  gq[iq] = 1;
  push(gq, 0, Math.log(rh / truth.rh));
  const gT = new Float64Array(n);
  gT[iq] = 1;
  gT[0] = gT[K] = 0.5;
  push(gT, 0, Math.log(est.temperature / hawkingTemperature(truth)));
  est.r.forEach((r, i) => {
    if (r < HORIZON_GOALS.coverageFrom * truth.rh || r > HORIZON_GOALS.rOuter) return;
    for (const fn of [0, 1] as const) {
      const g = new Float64Array(n);
      alphaGradient(grid, theta, r, fn, g);
      g[iq] -= (2 * rh * rh) / ((r - rh) * (r + rh));
      push(g, r / truth.rh, Math.log(fn === 0 ? est.f[i] / metric.f(r) : est.g[i] / metric.g(r)));
    }
  });
  const m = rows.length;
  const post = project(rows, C, n), samp = project(rows, matMul(matMul(C, A, n), C, n), n);
  const Cq = C.map((v, ij) => v - (C[Math.floor(ij / n) * n + iq] * C[iq * n + (ij % n)]) / C[iq * n + iq]);
  const givenRh = project(rows, Cq, n);
  const band = Array.from({ length: m }, (_, i) => Math.sqrt(post[i * m + i]));
  const L = new Float64Array(m * m);
  if (!cholesky(samp, m, 1e-14, L)) throw new Error('sampling covariance not positive definite');
  const rng = new Rng(seed), u = new Float64Array(m), e = new Float64Array(m);
  const fgRow = (i: number): boolean => i >= 2 && x[i] >= HORIZON_GOALS.fgFrom;
  const count = { pass: 0, rhT: 0, fg: 0, coverage: 0 };
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < m; i++) u[i] = rng.normal();
    let fg = 0, inside = 0;
    for (let i = 0; i < m; i++) {
      let s = bias[i];
      for (let j = 0; j <= i; j++) s += L[i * m + j] * u[j];
      e[i] = s;
      if (fgRow(i)) fg = Math.max(fg, Math.abs(Math.expm1(s)));
      if (i >= 2 && Math.abs(s) <= 2 * band[i]) inside++;
    }
    const okRhT = Math.abs(Math.expm1(e[0])) < HORIZON_GOALS.rhRel && Math.abs(e[0]) < HORIZON_GOALS.rhZ * band[0] && Math.abs(e[1]) < HORIZON_GOALS.tZ * band[1];
    const okFg = fg < HORIZON_GOALS.fg, okCov = inside / (m - 2) >= HORIZON_GOALS.coverage;
    count.rhT += +okRhT;
    count.fg += +okFg;
    count.coverage += +okCov;
    count.pass += +(okRhT && okFg && okCov);
  }
  const inner = (S: Float64Array, fn: number): number => {
    const idx = rows.map((_, i) => i).filter((i) => i >= 2 && (i - 2) % 2 === fn && x[i] >= 1.5 && x[i] < 1.75);
    return idx.reduce((s, i) => s + Math.sqrt(S[i * m + i]), 0) / idx.length;
  };
  return {
    target: name,
    pass: count.pass / draws,
    rhT: count.rhT / draws,
    fg: count.fg / draws,
    coverage: count.coverage / draws,
    rhBias: Math.expm1(bias[0]),
    rhBiasZ: bias[0] / band[0],
    fgBias: Math.max(0, ...bias.map((b, i) => (fgRow(i) ? Math.abs(Math.expm1(b)) : 0))),
    sdF: inner(samp, 0),
    sdG: inner(samp, 1),
    bandF: inner(post, 0),
    bandG: inner(post, 1),
    bandGivenRhF: inner(givenRh, 0),
    bandGivenRhG: inner(givenRh, 1),
  };
}
