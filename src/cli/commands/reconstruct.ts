import { type Command, Option } from 'commander';
import { describeDialect } from '../../io/csvDialect.ts';
import { readResponseTable } from '../../io/responseTable.ts';
import { DEFAULT_SHAPE, GEOMETRY_OPTIONS, type GeometryOption, loadAnyCheckpoint, reconstructGeometry } from '../../model/index.ts';
import { HoloringError } from '../../errors.ts';
import { ModelErrorCodes } from '../../model/index.ts';
import { DELTA_FIT_MAX, type DeltaProfile, validateDeltaStart, validateFitDelta } from '../../model/deltaFree.ts';
import { checkOutput, numberArg, withFlag, writeOutput } from '../args.ts';

/** `--delta`: a number, or `auto` (Δ fitted with the metric). */
const deltaArg = (value: string): number | 'auto' => (value.trim().toLowerCase() === 'auto' ? 'auto' : numberArg('--delta')(value));

interface ReconstructOptions {
  data: string;
  delta: number | 'auto';
  deltaStart?: number;
  freeScale?: boolean;
  layers: number;
  nodes?: number;
  geometry: GeometryOption;
  init?: string;
  threads: number;
  out: string;
  quiet?: boolean;
  strict?: boolean;
}

export function registerReconstruct(program: Command): void {
  program
    .command('reconstruct')
    .description('train the metric network on a response table and write the reconstructed metric f(r), g(r) with error bands as JSON')
    .requiredOption('--data <file>', 'response table CSV (omega,gamma,k,chi_re,chi_im,sigma)')
    .option('--delta <Δ|auto>', 'conformal dimension Δ (> 1, not an integer), or auto: fit Δ with the metric', deltaArg, 1.5)
    .option('--delta-start <Δ>', `with --delta auto: start of the fit, whose integer interval is searched (1 < Δ < ${DELTA_FIT_MAX}; default: a coarse profile scans (1, 2) … (${DELTA_FIT_MAX - 1}, ${DELTA_FIT_MAX}) and starts in the best; ignored with --init, which starts from its Δ)`, numberArg('--delta-start'))
    .option('--free-scale', 'fit a free complex scale κ of χ too (output scale: re, im, re_err, im_err): for tables whose calibration constant has an error common to every row (tables exported from runs)')
    .option('--layers <N>', 'RK4 layers (≥ 200)', numberArg('--layers', { integer: true, min: 200, max: 20000 }), DEFAULT_SHAPE.layers)
    .option('--nodes <K>', `weight nodes per metric function (default for the disk ${DEFAULT_SHAPE.nodes}, fewer for a small table: ⌈${DEFAULT_SHAPE.nodes}·ω_max/12⌉ and at most ⌊rows/4 + 1.5⌋; for the horizon 16)`, numberArg('--nodes', { integer: true, min: 4, max: 256 }))
    .addOption(new Option('--geometry <g>', 'disk (regular centre), horizon (black hole, above T_HP) or auto (fit both, pick by the evidence)').choices(GEOMETRY_OPTIONS).default('auto'))
    .option('--init <file>', 'start from the weights of a previous reconstruction or checkpoint (default: pure AdS, and for the horizon a scan of r_h)')
    .option('--threads <n>', 'threads for the fit (modes split over worker threads; 1 = this thread only)', numberArg('--threads', { integer: true, min: 1, max: 64 }), 1)
    .option('--out <file>', 'output JSON file, or - for stdout', '-')
    .option('--quiet', 'no progress on stderr')
    .option('--strict', 'exit 1 (after writing the output) unless the fit is good: converged, reduced χ² consistent with its degrees of freedom')
    .action(async (o: ReconstructOptions) => {
      const log = (line: string): void => {
        if (!o.quiet) process.stderr.write(line + '\n');
      };
      if (o.delta !== 'auto') withFlag('--delta', () => validateFitDelta(o.delta as number));
      if (o.deltaStart !== undefined) withFlag('--delta-start', () => validateDeltaStart(o.deltaStart as number));
      if (o.deltaStart !== undefined && o.delta !== 'auto') {
        process.stderr.write(`holoring: warning: --delta-start ${String(o.deltaStart)} is ignored: --delta ${String(o.delta)} fixes Δ (--delta auto fits it, starting there)\n`);
      }
      checkOutput('--out', o.out);
      const table = withFlag('--data', () => readResponseTable(o.data));
      if (table.dialect.delimiter !== ',' || table.dialect.decimalComma) log(`reconstruct: ${o.data}: ${describeDialect(table.dialect)}`);
      const init = o.init ? withFlag('--init', () => loadAnyCheckpoint(o.init as string)) : undefined;
      const { geometry, output: res, choice } = await blameData(() =>
        reconstructGeometry(table, {
          geometry: o.geometry,
          delta: o.delta,
          deltaStart: o.deltaStart,
          freeScale: o.freeScale,
          layers: o.layers,
          nodes: o.nodes,
          init,
          threads: o.threads,
          onIteration: (g, it) => log(`reconstruct: ${g} iteration ${it.iteration} (pass ${it.evaluations})  loss ${it.loss.toPrecision(8)}  chi2 ${it.chi2.toPrecision(8)}${it.accepted ? '' : '  (step rejected)'}`),
          log,
        }),
      );
      const profile = res.delta_profile as DeltaProfile | undefined;
      if (profile) log(describeDeltaStart(profile, geometry === 'disk' ? 'UV modes at pure AdS' : 'rows at BTZ with r_h scanned'));
      if (geometry === 'disk' && o.nodes === undefined && res.nodes !== DEFAULT_SHAPE.nodes) log(`reconstruct: disk network with ${String(res.nodes)} nodes per function, fewer than ${DEFAULT_SHAPE.nodes} for a table of ${table.points.length} rows up to ω = ${Math.max(...table.points.map((p) => p.omega))} (--nodes to choose)`);
      const scale = res.scale as { re: number; im: number; re_err: number; im_err: number } | undefined;
      if (scale) log(`reconstruct: scale κ = ${scale.re.toFixed(6)} ± ${scale.re_err.toExponential(1)} ${scale.im < 0 ? '−' : '+'} ${Math.abs(scale.im).toFixed(6)} ± ${scale.im_err.toExponential(1)} i (fitted with the metric)`);
      if (res.delta_auto) log(`reconstruct: Δ = ${(res.delta as number).toFixed(5)} ± ${(res.delta_err as number).toExponential(1)} (fitted with the metric)`);
      const text = JSON.stringify(res) + '\n';
      writeOutput('--out', o.out, text);
      if (choice) log(`reconstruct: geometry ${choice.reason}`);
      const where = geometry === 'disk' ? ` on ${String(res.backend)}` : `; r_h ${(res.rh as number).toFixed(4)} ± ${(res.rh_err as number).toFixed(4)}, T ${(res.temperature as number).toFixed(4)} ± ${(res.temperature_err as number).toFixed(4)}, r_c ${(res.rc as number).toFixed(2)} (${(res.rCRatio as number).toFixed(2)} r_h)${res.prior_weakened ? `, prior λ = ${String(res.lambda)} (weakened: ${res.prior_weakened === 'reach' ? 'the evidence preferred it at the wider clamp' : 'weak data'})` : ''}`;
      // warnings are never silenced by --quiet
      const warnings = Array.isArray(res.warnings) ? (res.warnings as string[]) : [];
      for (const w of warnings) process.stderr.write(`holoring: warning: ${w}\n`);
      log(
        `reconstruct: ${geometry} ${res.quality === 'failed' ? 'FAILED' : res.converged ? 'converged' : 'stopped (not converged)'}${res.quality === 'poor' ? ' (poor fit)' : ''} after ${res.iterations} iterations in ${res.elapsedMs.toFixed(0)} ms${where}; reduced chi2 ${res.chi2.toFixed(3)}${res.noiseless ? ' (noiseless table: σ floor, chi2 nominal)' : ''}${o.out === '-' ? '' : `; wrote ${o.out}`}`,
      );
      if (choice?.verdict === 'neither') {
        throw new HoloringError(ModelErrorCodes.NO_GEOMETRY, `${choice.reason}; the output (the ${geometry} fit, the lower χ² + 2ν) was written for inspection`, { disk: choice.disk.chi2, horizon: choice.horizon.chi2 });
      }
      if (o.strict && res.quality !== 'good') {
        throw new HoloringError('RING_ERR_MODEL_POOR_FIT', `--strict: the fit is ${res.quality} (reduced χ² ${(res.chi2 as number).toPrecision(4)}${res.converged ? '' : ', not converged'}); the output was written for inspection`, { quality: res.quality, chi2: res.chi2 });
      }
    });
}

/** The line that says where a Δ fit started: the intervals searched, each with its best χ², and the start. */
export function describeDeltaStart(p: DeltaProfile, what: string): string {
  const best = p.intervals.reduce((m, x) => (x.chi2 < m.chi2 ? x : m));
  const each = p.intervals.map((x) => `(${x.interval[0]}, ${x.interval[1]}) χ² ${x.chi2.toPrecision(4)} at Δ ${x.delta.toFixed(2)}`).join(', ');
  return `reconstruct: Δ profile on ${p.modes} ${what}, ${p.intervals.length === 1 ? 'the interval of --delta-start' : `${p.intervals.length} intervals`}: ${each}; start Δ = ${p.delta.toFixed(4)} in (${best.interval[0]}, ${best.interval[1]})`;
}

/**
 * Runs the fit; a refusal of the table's content (too few points, k range,
 * σ below the network's precision) names --data, one of the checkpoint names --init, a failure of the fit itself
 * (RING_ERR_MODEL_DIVERGED) does not: it is not the fault of an argument. A
 * refusal that already names its flag (context.flag) keeps it.
 */
async function blameData<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HoloringError && e.code !== ModelErrorCodes.DIVERGED && e.code !== ModelErrorCodes.NO_GEOMETRY) {
      // a checkpoint that does not suit the fit is the fault of --init
      const flag = typeof e.context?.flag === 'string' ? e.context.flag : e.code === ModelErrorCodes.CHECKPOINT ? '--init' : '--data';
      throw new HoloringError(e.code, `${flag}: ${e.message}`, { ...e.context, flag });
    }
    throw e;
  }
}
