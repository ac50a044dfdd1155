/**
 * The geometries of the metric network, in one place for their importers:
 * - geometry/choice.ts: which geometry describes the sample (the disk below the
 *   Hawking–Page temperature T_HP = 1/2π, a horizon above it), picked by the
 *   evidence χ² + 2ν, the sample temperature breaking a tie; the verdicts;
 * - geometry/attempt.ts: one geometry's fit in `auto`, attempted (a fit that
 *   stops is judged failed, the other still judged);
 * - geometry/reconstruct.ts: `holoring reconstruct` (reconstructGeometry);
 * - geometry/fitter.ts: the daemon's live rounds (GeometryFitter).
 */
export {
  AUTO_PASS_BUDGET, type ChoiceVerdict, chooseGeometry, DECISIVE_EVIDENCE, type Geometry, type GeometryChoice, type GeometryFigures, geometryFigures,
  GEOMETRY_OPTIONS, type GeometryOption, T_HAWKING_PAGE,
} from './geometry/choice.ts';
export { assessHorizonFit, attemptGeometry, type GeometryAttempt, judgeAttempts } from './geometry/attempt.ts';
export { loadAnyCheckpoint, type ReconstructOptions, type ReconstructResult, reconstructGeometry } from './geometry/reconstruct.ts';
export { type GeometryFit, GeometryFitter } from './geometry/fitter.ts';
export { checkpointGeometry, parseAnyCheckpoint } from './horizon/checkpoint.ts';
