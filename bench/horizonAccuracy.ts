/**
 * Accuracy sweep of the horizon network (physics.md §11) over noise seeds: BTZ
 * r_h = 1.5 and two deformed black holes at 1% noise on the default grid, fitted
 * from the r_h scan. Prints one row per fit and a summary per target against the
 * targets: r_h within 2% and 2.5σ, T within 3σ, f and g within 2% on [1.5 r_h, 3],
 * 2σ coverage ≥ 90% on [1.1 r_h, 3].
 *
 * The last line per target gives the RMS of the r_h pulls (1 for honest bands,
 * below 1 for conservative ones).
 *
 *   npm run accuracy:horizon [-- --seeds 12] [-- --first 7]
 */
import { createHorizonNetwork } from '../src/model/horizon/network.ts';
import { type HorizonScore, type HorizonTarget, horizonTable, horizonTargets, scoreHorizon } from '../tests/model/horizonTargets.ts';

const arg = (flag: string, fallback: number): number => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seeds = arg('--seeds', 6);
const first = arg('--first', 1);
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
let failures = 0;
for (const name of Object.keys(horizonTargets) as HorizonTarget[]) {
  const rows: HorizonScore[] = [];
  for (let seed = first; seed < first + seeds; seed++) {
    const est = createHorizonNetwork().fit(horizonTable(name, seed));
    const s = scoreHorizon(horizonTargets[name](), est);
    rows.push(s);
    const ok = Math.abs(s.rhRel) < 0.02 && Math.abs(s.rhZ) < 2.5 && Math.abs(s.tZ) < 3 && s.fg < 0.02 && s.coverage >= 0.9;
    if (!ok) failures++;
    console.log(
      `${name.padEnd(6)} seed ${String(seed).padStart(2)}  r_h ${pct(s.rhRel).padStart(7)} (${s.rhZ.toFixed(2).padStart(5)}σ, σ ${pct(est.rh_err / est.rh)})  ` +
      `T ${pct(s.tRel).padStart(7)} (${s.tZ.toFixed(2).padStart(5)}σ, σ ${pct(est.temperature_err / est.temperature)})  f,g ${pct(s.fg)}  coverage ${pct(s.coverage)}  ` +
      `χ² ${est.chi2.toFixed(3)}  passes ${est.evaluations}  ${est.elapsedMs.toFixed(0)} ms${ok ? '' : '  ← misses a target'}`,
    );
  }
  const max = (f: (s: HorizonScore) => number): number => Math.max(...rows.map(f));
  const min = (f: (s: HorizonScore) => number): number => Math.min(...rows.map(f));
  const mean = (f: (s: HorizonScore) => number): number => rows.reduce((a, s) => a + f(s), 0) / rows.length;
  console.log(
    `${name}: |r_h| ≤ ${pct(max((s) => Math.abs(s.rhRel)))} (≤ ${max((s) => Math.abs(s.rhZ)).toFixed(2)}σ), |T| ≤ ${pct(max((s) => Math.abs(s.tRel)))} (≤ ${max((s) => Math.abs(s.tZ)).toFixed(2)}σ), ` +
    `f,g mean ${pct(mean((s) => s.fg))} worst ${pct(max((s) => s.fg))}, coverage mean ${pct(mean((s) => s.coverage))} min ${pct(min((s) => s.coverage))}, ` +
    `RMS r_h pull ${Math.sqrt(mean((s) => s.rhZ * s.rhZ)).toFixed(2)}\n`,
  );
}
console.log(failures === 0 ? 'every fit meets the targets' : `${failures} fit(s) miss a target`);
