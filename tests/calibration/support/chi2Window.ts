/**
 * The window a reduced χ² must fall in for `dof` degrees of freedom: 1 ± n·√(2/dof)
 * (the χ² distribution's mean and standard deviation, divided by dof; n = 4 by
 * default). Over 300–600 degrees of freedom this is about ±0.23–0.33: a 1σ bias
 * on every point (reduced χ² ≈ 2) or error bars 30% off (≈ 0.59 or 1.69) fail it.
 */
export function chi2Window(dof: number, nSigma = 4): [number, number] {
  const s = Math.sqrt(2 / dof);
  return [1 - nSigma * s, 1 + nSigma * s];
}
