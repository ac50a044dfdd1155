import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HoloringError } from '../errors.ts';
import { frameToJson, framesFileHeader } from '../io/framesFile.ts';
import { formatResponseTable } from '../io/responseTable.ts';
import type { FitDoc } from './documents.ts';
import { FIT_DATA_FILE, type FitData, readFitData } from './fitData.ts';
import { CHECKPOINT_FILE, runDir } from './layout.ts';
import { iterateRunFrames, listSegments, readDocuments, readSegment } from './reader.ts';
import { lastFit } from './summary.ts';

/**
 * `holoring runs export`: a run's metric, fits, response table or frames in the
 * project's exchange formats (docs/runs.md):
 * - metric (json): the last fit's estimate merged with checkpoint.json — a metric
 *   table for `simulate --metric FILE.json` and a checkpoint for `reconstruct --init`;
 *   (csv): r, f, g, f_err, g_err, resolution;
 * - fits (json): every fit document with its metric arrays, without its table; (csv): one line per round;
 * - response (csv): the last fit's table in the response-table CSV; (json): {calibrationVersion, points};
 * - frames (json): one frames file (header, then every acquisition frame); (csv): one line per frame.
 * Whatever the run does not have — no fit (metric, fits, response), no acquisition
 * frame (frames) — is refused with RING_ERR_RUN_EXPORT before anything is written.
 */
export type ExportWhat = 'metric' | 'fits' | 'response' | 'frames';
export type ExportFormat = 'csv' | 'json';
export const EXPORT_ERROR = 'RING_ERR_RUN_EXPORT';

/** A fit as exported: the document's scalars with its metric arrays (when known), without the table or the reference to its fit data file. */
function fitEstimate(fit: FitDoc, d: FitData | null): Record<string, unknown> {
  const { table: _table, type: _type, data: _data, ...scalars } = fit;
  if (!d) return scalars;
  return { ...scalars, r: d.r, f: d.f, g: d.g, f_err: d.f_err, g_err: d.g_err, resolution: d.resolution };
}

const csv = (header: string[], rows: (string | number | null)[][]): string => [header.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';

function needFit(fit: FitDoc | null, id: string, what: string): FitDoc {
  if (!fit) throw new HoloringError(EXPORT_ERROR, `run ${id} has no fit yet, so it has no ${what} to export (was it started with --no-train, or stopped before the first sweep ended?)`, { run: id });
  return fit;
}

/** A fit's metric arrays and table, or a refusal naming why they are not there. */
function needData(dataDir: string, id: string, fit: FitDoc): FitData {
  const data = readFitData(runDir(dataDir, id), fit);
  if (!data) throw new HoloringError(EXPORT_ERROR, `run ${id}: the metric and table of round ${fit.round} are not in its ${fit.data?.file ?? FIT_DATA_FILE} (thinned by storage.fitHistoryHours or storage.maxBytes, or lost to a full disk or a crash before they were written)`, { run: id, round: fit.round });
  return data;
}

/** The text of the export (frames: streamed per line to `write`, for runs of any size). */
export function exportRun(dataDir: string, id: string, what: ExportWhat, format: ExportFormat, write: (text: string) => unknown): void {
  const { documents } = readDocuments(dataDir, id);
  if (what === 'metric') {
    const fit = needFit(lastFit(documents), id, 'metric');
    const d = needData(dataDir, id, fit);
    if (format === 'csv') {
      write(csv(['r', 'f', 'g', 'f_err', 'g_err', 'resolution'], d.r.map((r, i) => [r, d.f[i], d.g[i], d.f_err[i], d.g_err[i], Array.isArray(d.resolution) ? (d.resolution[i] as number) : null])));
      return;
    }
    const cpPath = join(runDir(dataDir, id), CHECKPOINT_FILE);
    const checkpoint = existsSync(cpPath) ? (JSON.parse(readFileSync(cpPath, 'utf8')) as Record<string, unknown>) : {};
    write(JSON.stringify({ ...checkpoint, ...fitEstimate(fit, d) }, null, 1) + '\n');
    return;
  }
  if (what === 'fits') {
    const fits = documents.filter((d): d is FitDoc => d.type === 'fit');
    needFit(fits.at(-1) ?? null, id, 'fits');
    const dir = runDir(dataDir, id);
    // the metric arrays of each fit where its data are still there (pruning keeps a finished run's last fit only)
    if (format === 'json') write(JSON.stringify(fits.map((f) => fitEstimate(f, readFitData(dir, f))), null, 1) + '\n');
    else write(csv(['round', 'sweep', 'time', 'chi2', 'iterations', 'points', 'elapsed_ms', 'backend', 'fingerprint', 'calibration_version'], fits.map((f) => [f.round, f.sweep, f.time, f.chi2, f.iterations, f.points, f.elapsedMs, f.backend, f.fingerprint, f.calibrationVersion ?? f.table?.calibrationVersion ?? null])));
    return;
  }
  if (what === 'response') {
    const { table } = needData(dataDir, id, needFit(lastFit(documents), id, 'response table'));
    write(format === 'csv' ? formatResponseTable(table.points) : JSON.stringify(table, null, 1) + '\n');
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
