import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCodes, HoloringError } from '../../errors.ts';
import { type ExportFormat, type ExportWhat, exportRun } from '../../storage/export.ts';
import { resolveDataDir } from '../../storage/layout.ts';
import { listRunIds } from '../../storage/reader.ts';
import { type RunSummary, summariseRun } from '../../storage/summary.ts';
import { checkOutput } from '../args.ts';

/** `holoring runs list|show|export`: the run records of a data directory (docs/runs.md). */
interface RunsFlags {
  dataDir?: string;
  json?: boolean;
}

/** A run id, or `latest` (the newest run); refused naming the runs there are. */
function resolveRun(dataDir: string, spec: string): string {
  const ids = listRunIds(dataDir);
  if (ids.length === 0) throw new HoloringError('RING_ERR_RUN_NOT_FOUND', `no runs in ${dataDir} (give --data-dir, or set HOLORING_DATA_DIR)`, { dataDir, argument: 'id' });
  if (spec === 'latest') return ids[ids.length - 1];
  const hits = ids.filter((id) => id === spec || id.startsWith(spec));
  if (hits.length === 1) return hits[0];
  throw new HoloringError('RING_ERR_RUN_NOT_FOUND', hits.length > 1
    ? `"${spec}" matches ${hits.length} runs (${hits.slice(0, 5).join(', ')}…): give more of the id`
    : `no run "${spec}" in ${dataDir}; the latest are: ${ids.slice(-5).join(', ')} (or say "latest")`, { dataDir, spec, argument: 'id' });
}

const seconds = (ms: number): string => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);
const counts = (r: Record<string, number>): string => Object.entries(r).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';

function formatShow(s: RunSummary): string {
  const st = s.start;
  const lines = [
    `run ${s.id}: ${s.state}${s.resumes ? `, resumed ${s.resumes}×` : ''}`,
    `  dir: ${s.dir}`,
    st ? `  started ${st.time} on rig ${st.rig} (host ${st.host}), device ${st.device.model} ${st.device.serial} firmware ${st.device.firmware}` : '  no start document',
    st ? `  holoring ${st.holoringVersion}${st.gitCommit ? ` (${st.gitCommit.slice(0, 12)})` : ''}, ${s.lastFit?.delta_err !== undefined ? `Δ fitted from ${st.delta}` : `Δ = ${st.delta}`}, γ = ${st.gamma}, sweep ${st.sweep.start}…${st.sweep.stop} step ${st.sweep.step}${st.note ? `; note: ${st.note}` : ''}` : '',
    `  calibration: ${s.calibrationVersion ?? 'none (uncalibrated)'}; ${s.frames.calibration} calibration frames`,
    `  frames: ${s.frames.received} received, ${s.frames.journaled} in the journal (${s.segments} segments, ${(s.bytes / 1048576).toFixed(1)} MiB), ${s.frames.duplicates} duplicates; skipped: ${counts(s.frames.skipped)}; missing: ${counts(s.frames.missing)}`,
    `  gaps: ${counts(s.gaps)}`,
    `  fits: ${s.fits}${s.lastFit ? `; last: round ${s.lastFit.round} (sweep ${s.lastFit.sweep}), reduced χ² ${s.lastFit.chi2.toFixed(3)} from ${s.lastFit.points} points${s.lastFit.delta_err !== undefined ? `, Δ = ${s.lastFit.delta!.toFixed(5)} ± ${s.lastFit.delta_err.toPrecision(2)}` : ''}` : ''}${s.checkpoint ? '; checkpoint.json' : ''}`,
    `  record: documents ${(s.documentBytes / 1048576).toFixed(1)} MiB, fit data ${(s.fitDataBytes / 1048576).toFixed(1)} MiB`,
    `  duration: ${seconds(s.durationMs)} over ${s.sessions} session(s)`,
    `  InfluxDB: ${s.influx ? `written ${counts(s.influx.written)}${s.influx.rejected ? `, ${s.influx.rejected} rejected` : ''}` : 'not written (no influx.cursor.json)'}`,
  ];
  if (s.tornBytes) lines.push(`  documents.jsonl ends with a torn line of ${s.tornBytes} bytes (left out)`);
  return lines.filter((l) => l !== '').join('\n') + '\n';
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('the run records in the data directory: list, show, export');
  const dataDirOption = ['--data-dir <dir>', 'data directory (default: env HOLORING_DATA_DIR, else ./holoring-data)'] as const;
  runs
    .command('list')
    .description('every run, oldest first: id, state, rig, device, start, frames, fits, note')
    .option(...dataDirOption)
    .option('--json', 'one JSON array of run summaries')
    .action((o: RunsFlags) => {
      const dataDir = resolveDataDir(o.dataDir);
      const all = listRunIds(dataDir).map((id) => summariseRun(dataDir, id));
      if (o.json) {
        process.stdout.write(JSON.stringify(all) + '\n');
        return;
      }
      if (all.length === 0) {
        process.stdout.write(`no runs in ${dataDir}\n`);
        return;
      }
      for (const s of all) {
        process.stdout.write(`${s.id}  ${s.state.padEnd(11)} ${(s.start?.rig ?? '?').padEnd(12)} ${(s.start?.device.serial ?? '?').padEnd(10)} ${String(s.frames.journaled).padStart(9)} frames  ${String(s.fits).padStart(4)} fits  ${seconds(s.durationMs).padStart(9)}${s.start?.note ? `  ${s.start.note}` : ''}\n`);
      }
    });
  runs
    .command('show <id>')
    .description('one run (an id, a unique prefix of one, or "latest"): start, counts, gaps, calibration, last fit, duration, InfluxDB')
    .option(...dataDirOption)
    .option('--json', 'one JSON object')
    .action((spec: string, o: RunsFlags) => {
      const dataDir = resolveDataDir(o.dataDir);
      const s = summariseRun(dataDir, resolveRun(dataDir, spec));
      process.stdout.write(o.json ? JSON.stringify(s) + '\n' : formatShow(s));
    });
  runs
    .command('export <id>')
    .description('a run\'s metric (a metric table: simulate --metric, reconstruct --init), fits, response table (CSV exchange format) or frames')
    .option(...dataDirOption)
    .requiredOption('--what <what>', 'metric | fits | response | frames')
    .option('--format <format>', 'csv | json (default: json for metric and frames, csv for fits and response)')
    .option('--out <file>', 'output file, or - for stdout', '-')
    .action((spec: string, o: RunsFlags & { what: string; format?: string; out: string }) => {
      if (!['metric', 'fits', 'response', 'frames'].includes(o.what)) throw new HoloringError(ErrorCodes.ARG_INVALID, `--what: "${o.what}" is not one of metric, fits, response, frames`, { flag: '--what' });
      const what = o.what as ExportWhat;
      const format = (o.format ?? (what === 'metric' || what === 'frames' ? 'json' : 'csv')) as ExportFormat;
      if (format !== 'csv' && format !== 'json') throw new HoloringError(ErrorCodes.ARG_INVALID, `--format: "${o.format}" is not csv or json`, { flag: '--format' });
      checkOutput('--out', o.out);
      const dataDir = resolveDataDir(o.dataDir);
      const id = resolveRun(dataDir, spec);
      if (o.out === '-') {
        exportRun(dataDir, id, what, format, (text) => process.stdout.write(text));
        return;
      }
      // opened at the first write: an export refused (nothing of that kind) leaves no file behind
      let fd: number | null = null;
      try {
        exportRun(dataDir, id, what, format, (text) => {
          if (fd === null) {
            try {
              fd = openSync(o.out, 'w');
            } catch (e) {
              throw new HoloringError(ErrorCodes.ARG_INVALID, `--out: cannot write ${o.out}: ${(e as Error).message}`, { flag: '--out' });
            }
          }
          writeSync(fd, text);
        });
      } finally {
        if (fd !== null) closeSync(fd);
      }
    });
}
