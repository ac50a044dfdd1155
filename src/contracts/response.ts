/** One point of the response table χ(Ω = ω + iγ, k) with its 1σ per real component. */
export interface ResponsePoint {
  omega: number;
  gamma: number;
  k: number;
  chiRe: number;
  chiIm: number;
  /** 1σ uncertainty of chiRe and of chiIm (each); 0 for noiseless data. */
  sigma: number;
  /**
   * The part of sigma common to every row (1σ per real component, ≤ sigma): the
   * calibration reference's error of the overall constant, σ_ref·|χ|. A fit with a
   * free scale κ carries that error in κ and weighs the row by √(σ² − σ_common²)
   * (model/data.ts). Absent when not known (then taken as 0).
   */
  sigmaCommon?: number;
  /**
   * The row's share of the error common to the rows of its ω (one sweep step: the
   * same frames and sites give every k), 1σ per real component, signed: the errors
   * of two rows at the same ω have covariance sigmaStep·sigmaStep' beyond the
   * reference's part, and |sigmaStep| ≤ √(sigma² − sigmaCommon²). Absent when not
   * known (rows then taken as independent within their ω).
   */
  sigmaStep?: number;
}

export interface ResponseTable {
  points: ResponsePoint[];
  /** True when every sigma is 0 (exact, simulated data). */
  noiseless: boolean;
  /** Line (1-based) of each point in the file it was read from, when it was read from one (messages name rows by it). */
  lines?: readonly number[];
}
