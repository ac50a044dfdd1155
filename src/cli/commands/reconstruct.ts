import type { Command } from 'commander';
import { describeDialect } from '../../io/csvDialect.ts';
import { readResponseTable } from '../../io/responseTable.ts';
import { type Checkpoint, DEFAULT_SHAPE, fitMetric, loadCheckpoint, makeOutput } from '../../model/index.ts';
import { numberArg, withFlag, writeOutput } from '../args.ts';

/** `--delta`: a number, or `auto` (Δ fitted with the metric). */
const deltaArg = (value: string): number | 'auto' => (value.trim().toLowerCase() === 'auto' ? 'auto' : numberArg('--delta')(value));

interface ReconstructOptions {
  data: string;
  delta: number | 'auto';
  deltaStart?: number;
  layers: number;
  nodes: number;
  init?: string;
  threads: number;
  out: string;
  quiet?: boolean;
}

export function registerReconstruct(program: Command): void {
  program
    .command('reconstruct')
    .description('train the metric network on a response table and write the reconstructed metric f(r), g(r) with error bands as JSON')
    .requiredOption('--data <file>', 'response table CSV (omega,gamma,k,chi_re,chi_im,sigma)')
    .option('--delta <Δ|auto>', 'conformal dimension Δ (> 1, not an integer), or auto: fit Δ with the metric', deltaArg, 1.5)
    .option('--delta-start <Δ>', 'with --delta auto: start of the fit, whose integer interval is searched (default 1.5; ignored with --init, which starts from its Δ)', numberArg('--delta-start'))
    .option('--layers <N>', 'RK4 layers (≥ 200)', numberArg('--layers', { integer: true, min: 200, max: 20000 }), DEFAULT_SHAPE.layers)
    .option('--nodes <K>', 'weight nodes per metric function', numberArg('--nodes', { integer: true, min: 4, max: 256 }), DEFAULT_SHAPE.nodes)
    .option('--init <file>', 'start from the weights of a previous reconstruction or checkpoint (default: pure AdS)')
    .option('--threads <n>', 'threads for the fit (modes split over worker threads; 1 = this thread only)', numberArg('--threads', { integer: true, min: 1, max: 64 }), 1)
    .option('--out <file>', 'output JSON file, or - for stdout', '-')
    .option('--quiet', 'no progress on stderr')
    .action(async (o: ReconstructOptions) => {
      const log = (line: string): void => {
        if (!o.quiet) process.stderr.write(line + '\n');
      };
      const table = withFlag('--data', () => readResponseTable(o.data));
      if (table.dialect.delimiter !== ',' || table.dialect.decimalComma) log(`reconstruct: ${o.data}: ${describeDialect(table.dialect)}`);
      const init: Checkpoint | undefined = o.init ? withFlag('--init', () => loadCheckpoint(o.init as string)) : undefined;
      const res = await withFlag('--data', () =>
        fitMetric(table, {
          delta: o.delta,
          deltaStart: o.deltaStart,
          layers: o.layers,
          nodes: o.nodes,
          init: init ?? 'ads',
          threads: o.threads,
          onIteration: (it) => log(`reconstruct: iteration ${it.iteration} (pass ${it.evaluations})  loss ${it.loss.toPrecision(8)}  chi2 ${it.chi2.toPrecision(8)}${it.accepted ? '' : '  (step rejected)'}`),
          log,
        }),
      );
      if (res.delta_profile) {
        const p = res.delta_profile;
        log(`reconstruct: Δ profile over ${p.deltas[0].toFixed(2)}…${p.deltas[p.deltas.length - 1].toFixed(2)} on ${p.modes} UV modes at pure AdS: start Δ = ${p.delta.toFixed(4)}`);
      }
      if (res.delta_auto) log(`reconstruct: Δ = ${res.delta.toFixed(5)} ± ${res.delta_err.toExponential(1)} (fitted with the metric)`);
      const text = JSON.stringify(makeOutput(res)) + '\n';
      writeOutput('--out', o.out, text);
      log(
        `reconstruct: ${res.converged ? 'converged' : 'stopped (not converged)'} after ${res.iterations} iterations in ${res.elapsedMs.toFixed(0)} ms on ${res.backend}; reduced chi2 ${res.chi2.toFixed(3)}${res.noiseless ? ' (noiseless table: σ floor, chi2 nominal)' : ''}${o.out === '-' ? '' : `; wrote ${o.out}`}`,
      );
    });
}
