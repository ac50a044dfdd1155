import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentBody, FitDataRef, FitDoc } from './documents.ts';
import { LineAppender, type LineAppenderOptions } from './lineAppender.ts';
import { readBytes } from './reader.ts';

/**
 * The bulk of each fit — the metric on its radial grid and the response table
 * it was fitted to (~75 of a fit's ~100 kB) — lives in the run's fit data
 * files, one line per fit, one file per UTC hour (`fits-YYYYMMDDTHH.jsonl`),
 * and the fit document in documents.jsonl points at its line (`data`: file,
 * byte offset, length and SHA-256 of the line). So documents.jsonl grows by
 * ~1.5 kB per fit, and the fit history can be thinned hour by hour while the
 * run is live (storage.fitHistoryHours, storage.maxBytes: an hour's file cut
 * to its last fit, the pointers into the other files untouched), and a
 * finished run's cut to its last fit as its frames are pruned. Runs recorded
 * before the hourly files have one `fits.jsonl`.
 *
 * A line: `{"round", "r", "f", "g", "f_err", "g_err", "resolution", "table":
 * {"calibrationVersion", "omega": […], "gamma": […], "k": […], "chiRe": […],
 * "chiIm": […], "sigma": […], "sigmaCommon"?: […], "sigmaStep"?: […], "n"?: […]}}` — the table by columns (each
 * (ω, k) row at the same index), numbers at full double precision.
 *
 * Runs recorded before this layout carry r, f, g, … and `table: {points}` in the
 * fit document itself; {@link readFitData} reads both.
 */
export const FIT_DATA_FILE = 'fits.jsonl';

const HOUR_MS = 3_600_000;
const SEGMENT = /^fits-(\d{8}T\d{2})\.jsonl$/;

/** The fit data file of the UTC hour holding `ms`: `fits-YYYYMMDDTHH.jsonl`. */
export function fitSegmentName(ms: number): string {
  const iso = new Date(Math.floor(ms / HOUR_MS) * HOUR_MS).toISOString();
  return `fits-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}.jsonl`;
}

/** A fit data file of a run: its name, path, size and the UTC hour it holds (ms; -Infinity for the single `fits.jsonl` of older runs). */
export interface FitFile {
  name: string;
  path: string;
  bytes: number;
  hourMs: number;
}

/** The run's fit data files, oldest first (an older run's `fits.jsonl` before the hourly files). */
export function listFitFiles(runDirPath: string): FitFile[] {
  if (!existsSync(runDirPath)) return [];
  const out: FitFile[] = [];
  for (const name of readdirSync(runDirPath)) {
    const m = SEGMENT.exec(name);
    if (name !== FIT_DATA_FILE && !m) continue;
    const path = join(runDirPath, name);
    const hourMs = m ? Date.parse(`${m[1].slice(0, 4)}-${m[1].slice(4, 6)}-${m[1].slice(6, 8)}T${m[1].slice(9, 11)}:00:00Z`) : -Infinity;
    out.push({ name, path, bytes: statSync(path).size, hourMs });
  }
  return out.sort((a, b) => a.hourMs - b.hourMs);
}

/** Bytes of a run's fit data files. */
export function fitDataBytes(runDirPath: string): number {
  return listFitFiles(runDirPath).reduce((a, f) => a + f.bytes, 0);
}

/** One row of a fitted response table (the response-table CSV's columns; `n`: frames averaged, when known). */
export interface FitTablePoint {
  omega: number; gamma: number; k: number; chiRe: number; chiIm: number; sigma: number; sigmaCommon?: number; sigmaStep?: number; n?: number;
}

/** What a fit document leaves out of documents.jsonl: the metric arrays and the fitted table. */
export interface FitData {
  r: number[]; f: number[]; g: number[]; f_err: number[]; g_err: number[];
  resolution: unknown;
  table: { calibrationVersion: string | null; points: FitTablePoint[] };
}

const BULK_KEYS = ['r', 'f', 'g', 'f_err', 'g_err', 'resolution', 'table'] as const;

/** A fit document as the daemon gives it (inline arrays and table) split into the slim document and its data. */
export function splitFit(body: DocumentBody<FitDoc>): { doc: DocumentBody<FitDoc>; data: FitData | null } {
  if (!body.table || !body.r) return { doc: body, data: null };
  const doc = { ...body } as Record<string, unknown>;
  for (const k of BULK_KEYS) delete doc[k];
  const data: FitData = { r: body.r, f: body.f!, g: body.g!, f_err: body.f_err!, g_err: body.g_err!, resolution: body.resolution, table: body.table };
  return { doc: { ...(doc as DocumentBody<FitDoc>), calibrationVersion: body.table.calibrationVersion }, data };
}

/** The line of `fits.jsonl` for a fit (no newline): the table by columns. */
export function encodeFitData(round: number, d: FitData): string {
  const p = d.table.points;
  const col = <K extends keyof FitTablePoint>(key: K): FitTablePoint[K][] => p.map((x) => x[key]);
  const table: Record<string, unknown> = {
    calibrationVersion: d.table.calibrationVersion,
    omega: col('omega'), gamma: col('gamma'), k: col('k'), chiRe: col('chiRe'), chiIm: col('chiIm'), sigma: col('sigma'),
  };
  if (p.length > 0 && p.every((x) => typeof x.sigmaCommon === 'number')) table.sigmaCommon = col('sigmaCommon');
  if (p.length > 0 && p.every((x) => typeof x.sigmaStep === 'number')) table.sigmaStep = col('sigmaStep');
  if (p.length > 0 && p.every((x) => typeof x.n === 'number')) table.n = col('n');
  return JSON.stringify({ round, r: d.r, f: d.f, g: d.g, f_err: d.f_err, g_err: d.g_err, resolution: d.resolution, table });
}

type Columns = { calibrationVersion: string | null; omega: number[]; gamma: number[]; k: number[]; chiRe: number[]; chiIm: number[]; sigma: number[]; sigmaCommon?: number[]; sigmaStep?: number[]; n?: number[] };

/** A line of `fits.jsonl` back to its round and data; null when it is not one. */
export function decodeFitData(line: string): { round: number; data: FitData } | null {
  let v: { round?: unknown; r?: unknown; table?: Columns } & Record<string, unknown>;
  try {
    v = JSON.parse(line) as typeof v;
  } catch {
    return null;
  }
  const t = v.table;
  if (typeof v.round !== 'number' || !Array.isArray(v.r) || !t || !Array.isArray(t.omega)) return null;
  const points = t.omega.map((omega, i) => ({
    omega, gamma: t.gamma[i], k: t.k[i], chiRe: t.chiRe[i], chiIm: t.chiIm[i], sigma: t.sigma[i], ...(t.sigmaCommon ? { sigmaCommon: t.sigmaCommon[i] } : {}), ...(t.sigmaStep ? { sigmaStep: t.sigmaStep[i] } : {}), ...(t.n ? { n: t.n[i] } : {}),
  }));
  return {
    round: v.round,
    data: { r: v.r as number[], f: v.f as number[], g: v.g as number[], f_err: v.f_err as number[], g_err: v.g_err as number[], resolution: v.resolution, table: { calibrationVersion: t.calibrationVersion ?? null, points } },
  };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Appends fit data to a run's hourly fit data files and says where each line went. */
export interface FitDataLog {
  /** Appends a fit's data; its reference for the fit document, or null when the line was refused (the disk has refused writes for too long). */
  append(round: number, data: FitData): FitDataRef | null;
  /** The file being appended to (null before the first fit). */
  current(): string | null;
  close(): void;
}

/** Cuts a file's last line when it has no newline (a crash mid-write); returns the bytes cut. */
function cutTornTail(path: string): number {
  const size = statSync(path).size;
  const torn = size - completeBytes(path, size);
  if (torn > 0) truncateSync(path, size - torn);
  return torn;
}

/**
 * Opens a run's fit data for appending (durability and full-disk behaviour of
 * the journal): each fit goes to the file of the UTC hour it is written in
 * (clock `opts.now`), a new file at each new hour (`onNewFile` is told its
 * name). A last line cut short by a crash is cut off first, in every file
 * already there; the bytes cut are returned by file in `tornTails`.
 */
export function openFitDataLog(dir: string, opts: LineAppenderOptions & { onNewFile?: (name: string) => void } = {}): FitDataLog & { tornTails: Record<string, number> } {
  const now = opts.now ?? Date.now;
  const tornTails: Record<string, number> = {};
  for (const f of listFitFiles(dir)) {
    const torn = cutTornTail(f.path);
    if (torn > 0) tornTails[f.name] = torn;
  }
  let out: LineAppender | null = null;
  let name: string | null = null;
  let next = 0;
  const { onNewFile, ...appendOpts } = opts;
  return {
    tornTails,
    append(round, data) {
      const want = fitSegmentName(now());
      if (want !== name) {
        out?.close();
        const path = join(dir, want);
        const size = existsSync(path) ? statSync(path).size : 0;
        out = new LineAppender(path, { maxPendingBytes: 8 * 1024 * 1024, ...appendOpts, existingBytes: size });
        name = want;
        next = size;
        if (size === 0) onNewFile?.(want);
      }
      const line = encodeFitData(round, data);
      if (out!.append(line) === 'refused') return null;
      const bytes = Buffer.byteLength(line) + 1;
      const ref = { file: want, offset: next, bytes, sha256: sha256(line) };
      next += bytes;
      return ref;
    },
    current: () => name,
    close: () => void out?.close(),
  };
}

/** Bytes of a file up to and including its last newline (reads backwards from the end in 64 KiB blocks). */
function completeBytes(path: string, size: number): number {
  if (size === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

function readRange(path: string, offset: number, length: number): string | null {
  try {
    return readBytes(path, offset, length);
  } catch {
    return null;
  }
}

/** Every complete line of a file with its round, read in 1 MiB blocks (for a reference whose offset no longer holds: a pruned file). */
function* fitDataLines(path: string): Generator<{ line: string; round: number | null }> {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let rest = Buffer.alloc(0);
    for (let pos = 0; ;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return;
      pos += n;
      let chunk = Buffer.concat([rest, buf.subarray(0, n)]);
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a)) {
        const line = chunk.subarray(0, nl).toString('utf8');
        chunk = chunk.subarray(nl + 1);
        const m = /^\{"round":(\d+),/.exec(line);
        yield { line, round: m ? Number(m[1]) : null };
      }
      rest = Buffer.from(chunk);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The metric arrays and fitted table of a fit document: from the document itself
 * (runs recorded before fits.jsonl), else from its line in the fit data file it
 * names (checked against its SHA-256; a line moved by thinning is found by its
 * round). Null when the line is not there: thinned (storage.fitHistoryHours,
 * storage.maxBytes: each hour keeps its last fit, each run its last), or lost
 * to a full disk or a crash before it was written.
 */
export function readFitData(runDirPath: string, fit: FitDoc): FitData | null {
  if (fit.table && fit.r) {
    return { r: fit.r, f: fit.f ?? [], g: fit.g ?? [], f_err: fit.f_err ?? [], g_err: fit.g_err ?? [], resolution: fit.resolution, table: fit.table };
  }
  const ref = fit.data;
  if (!ref) return null;
  const path = join(runDirPath, ref.file);
  const at = readRange(path, ref.offset, ref.bytes);
  if (at !== null && at.endsWith('\n') && sha256(at.slice(0, -1)) === ref.sha256) return decodeFitData(at.slice(0, -1))?.data ?? null;
  for (const { line, round } of fitDataLines(path)) {
    if (round === fit.round && sha256(line) === ref.sha256) return decodeFitData(line)?.data ?? null;
  }
  return null;
}

/**
 * Keeps only the last fit of a finished run (what `holoring runs export`
 * gives): its other fit data files deleted, the last one cut to its last
 * complete line, written atomically; returns the bytes freed.
 */
export function compactFitData(runDirPath: string, write: (path: string, text: string) => void): number {
  const files = listFitFiles(runDirPath);
  let freed = 0;
  for (const f of files.slice(0, -1)) {
    rmSync(f.path, { force: true });
    freed += f.bytes;
  }
  return files.length > 0 ? freed + compactFitFile(files[files.length - 1].path, write) : 0;
}

/**
 * Thins a live run's fit history: every hourly file (and an older run's
 * `fits.jsonl`) of an hour before `beforeMs` but the one being appended to is
 * cut to its last fit (one fit an hour kept); returns the bytes freed. The
 * pointers into the other files stay as they were.
 */
export function thinFitData(runDirPath: string, beforeMs: number, current: string | null, write: (path: string, text: string) => void): number {
  let freed = 0;
  for (const f of listFitFiles(runDirPath)) {
    if (f.name === current || f.hourMs >= Math.floor(beforeMs / HOUR_MS) * HOUR_MS) continue;
    freed += compactFitFile(f.path, write);
  }
  return freed;
}

/** Cuts one fit data file to its last complete line, written atomically; returns the bytes freed (0 when there was at most one line). */
function compactFitFile(path: string, write: (path: string, text: string) => void): number {
  if (!existsSync(path)) return 0;
  const size = statSync(path).size;
  let last: string | null = null;
  let lines = 0;
  for (const { line } of fitDataLines(path)) {
    last = line;
    lines++;
  }
  if (lines <= 1 && completeBytes(path, size) === size) return 0;
  const text = last === null ? '' : last + '\n';
  write(path, text);
  return size - Buffer.byteLength(text);
}
