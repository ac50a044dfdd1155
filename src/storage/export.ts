import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HoloringError } from '../errors.ts';
import { frameToJson, framesFileHeader } from '../io/framesFile.ts';
import { formatResponseTable } from '../io/responseTable.ts';
import type { FitDoc } from './documents.ts';
import { CHECKPOINT_FILE, runDir } from './layout.ts';
import { iterateRunFrames, listSegments, readDocuments, readSegment } from './reader.ts';
import { lastFit } from './summary.ts';

/**
 * `holoring runs export`: a run's metric, fits, response table or frames in the
 * project's exchange formats (docs/runs.md):
 * - metric (json): the last fit's estimate merged with checkpoint.json — a metric
 *   table for `simulate --metric FILE.json` and a checkpoint for `reconstruct --init`;
 *   (csv): r, f, g, f_err, g_err, resolution;
 * - fits (json): every fit document without its table; (csv): one line per round;
 * - response (csv): the last fit's table in the response-table CSV; (json): {calibrationVersion, points};
 * - frames (json): one frames file (header, then every acquisition frame); (csv): one line per frame.
 * Whatever the run does not have — no fit (metric, fits, response), no acquisition
 * frame (frames) — is refused with RING_ERR_RUN_EXPORT before anything is written.
 */
export type ExportWhat = 'metric' | 'fits' | 'response' | 'frames';
export type ExportFormat = 'csv' | 'json';
export const EXPORT_ERROR = 'RING_ERR_RUN_EXPORT';

const csv = (header: string[], rows: (string | number | null)[][]): string => [header.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';

function needFit(fit: FitDoc | null, id: string, what: string): FitDoc {
  if (!fit) throw new HoloringError(EXPORT_ERROR, `run ${id} has no fit yet, so it has no ${what} to export (was it started with --no-train, or stopped before the first sweep ended?)`, { run: id });
  return fit;
}

/** The text of the export (frames: streamed per line to `write`, for runs of any size). */
export function exportRun(dataDir: string, id: string, what: ExportWhat, format: ExportFormat, write: (text: string) => unknown): void {
  const { documents } = readDocuments(dataDir, id);
  if (what === 'metric') {
    const fit = needFit(lastFit(documents), id, 'metric');
    if (format === 'csv') {
      write(csv(['r', 'f', 'g', 'f_err', 'g_err', 'resolution'], fit.r.map((r, i) => [r, fit.f[i], fit.g[i], fit.f_err[i], fit.g_err[i], Array.isArray(fit.resolution) ? (fit.resolution[i] as number) : null])));
      return;
    }
    const cpPath = join(runDir(dataDir, id), CHECKPOINT_FILE);
    const checkpoint = existsSync(cpPath) ? (JSON.parse(readFileSync(cpPath, 'utf8')) as Record<string, unknown>) : {};
    const { table: _table, type: _type, ...estimate } = fit;
    write(JSON.stringify({ ...checkpoint, ...estimate }, null, 1) + '\n');
    return;
  }
  if (what === 'fits') {
    const fits = documents.filter((d): d is FitDoc => d.type === 'fit');
    needFit(fits.at(-1) ?? null, id, 'fits');
    if (format === 'json') write(JSON.stringify(fits.map(({ table: _t, ...f }) => f), null, 1) + '\n');
    else write(csv(['round', 'sweep', 'time', 'chi2', 'iterations', 'points', 'elapsed_ms', 'backend', 'fingerprint', 'calibration_version'], fits.map((f) => [f.round, f.sweep, f.time, f.chi2, f.iterations, f.points, f.elapsedMs, f.backend, f.fingerprint, f.table.calibrationVersion])));
    return;
  }
  if (what === 'response') {
    const fit = needFit(lastFit(documents), id, 'response table');
    write(format === 'csv' ? formatResponseTable(fit.table.points) : JSON.stringify(fit.table, null, 1) + '\n');
    return;
  }
  const segs = listSegments(dataDir, id, 'frames');
  const device = segs.map((s) => readSegment(s.path, 0, { maxBytes: 4096 }).device).find((d) => d !== null);
  const frames = iterateRunFrames(dataDir, id, 'frames');
  const first = frames.next();
  if (!device || first.done) throw new HoloringError(EXPORT_ERROR, `run ${id} has no acquisition frames in its journal${segs.length === 0 ? ' (none recorded, or pruned by storage.maxBytes)' : ''}`, { run: id });
  const all = (function* () {
    yield first.value;
    yield* frames;
  })();
  if (format === 'json') {
    write(framesFileHeader(device) + '\n');
    for (const f of all) write(frameToJson(f) + '\n');
    return;
  }
  const sites = first.value.x.length;
  write(['seq', 'device_time_us', 'omega', 'source_site', 'amplitude', 'source_width', 'temperature_k', 'flags', 'source', ...Array.from({ length: sites }, (_v, i) => `x${i}`), ...Array.from({ length: sites }, (_v, i) => `y${i}`)].join(',') + '\n');
  for (const f of all) write([f.seq, f.deviceTimeUs, f.omega, f.sourceSite, f.amplitude, f.sourceWidth, f.temperatureK, f.flags, f.source, ...f.x, ...f.y].join(',') + '\n');
}
