import type { Command } from 'commander';
import { readResponseTable } from '../../io/responseTable.ts';
import { holographyCheck } from '../../physics/spectrum/check.ts';
import { SPECTRUM_DEFAULTS } from '../../physics/spectrum/modes.ts';
import { numberArg, withFlag } from '../args.ts';

interface ModesOptions { data: string; json?: boolean; resamples: number; seed: number; maxOrder: number }

const f = (v: number | null, d = 4): string => (v === null ? '—' : v.toFixed(d));

export function registerModes(program: Command): void {
  program
    .command('modes')
    .description('find the poles of χ(Ω, k) in the complex Ω plane and test them against the disk ladder and black-hole quasinormal modes: is the material holographic?')
    .requiredOption('--data <file>', 'response table CSV (omega,gamma,k,chi_re,chi_im,sigma)')
    .option('--resamples <n>', 'resamples of the data within σ for the pole errors', numberArg('--resamples', { integer: true, min: 2, max: 1000 }), SPECTRUM_DEFAULTS.resamples)
    .option('--seed <n>', 'seed of the resampling', numberArg('--seed', { integer: true, min: 0 }), SPECTRUM_DEFAULTS.seed)
    .option('--max-order <m>', 'largest rational (AAA) order tried per k', numberArg('--max-order', { integer: true, min: 2, max: 60 }), SPECTRUM_DEFAULTS.maxOrder)
    .option('--json', 'print {holographic, geometry, delta, delta_err, spacing, spacing_err, temperature, poles, evidence} on stdout')
    .action((o: ModesOptions) => {
      const table = withFlag('--data', () => readResponseTable(o.data));
      const r = withFlag('--data', () => holographyCheck(table.points, { resamples: o.resamples, seed: o.seed, maxOrder: o.maxOrder }));
      if (o.json) {
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      const { disk, horizon } = r.evidence;
      const lines = [
        `holography check of ${o.data}: ${r.evidence.verdict}`,
        `disk check (normal modes of a regular bulk): ${disk.pass ? 'passed' : 'failed'} — ${disk.reason}`,
        `black-hole check (quasinormal modes of a horizon): ${horizon.pass ? 'passed' : 'failed'} — ${horizon.reason}`,
        `geometry ${r.geometry}; Δ ${f(r.delta)} ± ${f(r.delta_err)}; spacing ${f(r.spacing)} ± ${f(r.spacing_err)}; T ${f(r.temperature)} ± ${f(r.temperature_err)}`,
        `resolved poles (k: Re Ω + i Im Ω ± err):`,
        ...r.poles.map((p) => `  ${p.k}: ${p.re.toFixed(4)} ${p.im < 0 ? '−' : '+'} ${Math.abs(p.im).toFixed(4)}i ± ${p.err.toPrecision(2)}`),
        r.evidence.resolvability.note,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
