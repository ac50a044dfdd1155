import type { Command } from 'commander';
import { formatResponseTable } from '../../io/responseTable.ts';
import { parseMetricSpec } from '../../physics/metric.ts';
import { validateDelta } from '../../physics/params.ts';
import { responseTableOf, simulateResponseTable } from '../../physics/response.ts';
import { ordinaryChi, parseOrdinaryRing } from '../../physics/ordinaryRings.ts';
import { frequencyGrid } from '../../../drivers/sim/simulator.ts';
import { checkOutput, numberArg, rangeArg, withFlag, writeOutput } from '../args.ts';
import { createProgress } from '../progress.ts';
import { ErrorCodes, HoloringError } from '../../errors.ts';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('compute the response table χ(ω + iγ, k) of a bulk metric and write it as CSV')
    .option('--metric <spec>', 'ads | deformed[:a1,a2,w] | btz[:rh] | blackhole[:rh,af,ag,c,w] | FILE.json', 'ads')
    .option('--model <spec>', 'instead of a bulk metric, an ordinary (non-holographic) ring: oscillators[:c,m0,Gamma] | diffusion[:D] (physics.md §12)')
    .option('--delta <Δ>', 'conformal dimension Δ (> 1, not an integer)', numberArg('--delta'), 1.5)
    .option('--omega <start:stop:step>', 'drive frequencies ω (units v/R)', rangeArg('--omega'), { start: 0.25, stop: 12, step: 0.25 })
    .option('--gamma <γ>', 'material damping γ (Ω = ω + iγ)', numberArg('--gamma', { min: 0 }), 0.25)
    .option('--kmax <k>', 'largest k (rows for k = 0..kmax)', numberArg('--kmax', { min: 0, max: 1000, integer: true }), 12)
    .option('--noise <ε>', 'relative complex Gaussian noise ε (σ = ε|χ|/√2 per component)', numberArg('--noise', { min: 0 }), 0)
    .option('--seed <n>', 'seed of the noise', numberArg('--seed', { integer: true, min: 0 }), 1)
    .option('--out <file>', 'output CSV file, or - for stdout', '-')
    .option('--quiet', 'no progress on stderr')
    .action(function (this: Command, o: { model?: string; metric: string; delta: number; omega: { start: number; stop: number; step: number }; gamma: number; kmax: number; noise: number; seed: number; out: string; quiet?: boolean }) {
      if (o.model && this.getOptionValueSource('metric') === 'cli') {
        throw new HoloringError(ErrorCodes.ARG_INVALID, '--model: give either --metric (a holographic bulk) or --model (an ordinary ring), not both', {});
      }
      checkOutput('--out', o.out);
      const ring = o.model ? withFlag('--model', () => parseOrdinaryRing(o.model!)) : undefined;
      const metric = withFlag('--metric', () => parseMetricSpec(o.metric));
      withFlag('--delta', () => validateDelta(o.delta));
      const omegas = withFlag('--omega', () => frequencyGrid(o.omega.start, o.omega.stop, o.omega.step));
      if (omegas.some((w) => w === 0) && o.gamma === 0) {
        throw new HoloringError(ErrorCodes.ARG_INVALID, '--omega: Ω = 0 with --gamma 0 is a static limit the table does not cover; start above 0 or use γ > 0', {});
      }
      const progress = createProgress('simulate', omegas.length, { quiet: o.quiet || o.out === '-' });
      const grid = { omegas, gamma: o.gamma, kMax: o.kmax, noise: o.noise, seed: o.seed, onProgress: (d: number) => progress.update(d) };
      // at γ = 0 a grid point on a normal mode is refused (its response is infinite), naming --gamma
      const points = withFlag('--gamma', () => (ring
        ? responseTableOf((W, k) => ordinaryChi(ring, W, k), grid)
        : simulateResponseTable({ ...grid, metric, delta: o.delta })));
      progress.stop();
      const csv = formatResponseTable(points);
      writeOutput('--out', o.out, csv);
      if (o.out !== '-') {
        if (!o.quiet) process.stderr.write(`wrote ${points.length} rows (${omegas.length} ω × ${o.kmax + 1} k, ${ring ? `ordinary ring ${ring.label}` : `metric ${metric.label}`}) to ${o.out}\n`);
      }
    });
}
