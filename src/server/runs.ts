import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RunDocument } from '../storage/documents.ts';
import { DOCUMENTS_FILE, RUN_ID_PATTERN, runDir } from '../storage/layout.ts';
import { listRunIds, listSegments, readDocuments, runState } from '../storage/reader.ts';

/**
 * The run record as the API shows it (GET /api/runs, /api/runs/:id), read
 * through the storage reader (docs/runs.md). Fit documents carry whole
 * metrics and tables, so a run's summary is computed once per size of its
 * documents file and cached.
 */
export interface RunSummary {
  id: string;
  state: 'running' | 'stopped' | 'interrupted';
  startedAt: string | null;
  stoppedAt: string | null;
  rig: string | null;
  device: { model: string; serial: string } | null;
  note: string | null;
  calibrationVersion: string | null;
  fits: number;
  lastChi2: number | null;
  gaps: number;
  alarms: number;
  resumes: number;
  /** The stop document's status and frame accounting (null while running or interrupted). */
  stop: Record<string, unknown> | null;
}

export interface RunDetail extends RunSummary {
  /** The start document (resolved configuration, sweep plan, versions, host). */
  start: Record<string, unknown> | null;
  /** Every fit without its arrays: round, sweep, reduced χ², iterations, duration, points, backend, time. */
  rounds: { round: number; sweep: number; chi2: number; iterations: number; elapsedMs: number; points: number; backend: string; time: string }[];
  /** Gap, state, resume and alarm documents, in order. */
  events: Record<string, unknown>[];
  /** Journal segments: name, kind, bytes. */
  segments: { name: string; kind: string; bytes: number }[];
  /** The last start or resume is followed by a stop document. */
  endedCleanly: boolean;
}

type Doc = RunDocument & { time: string };

export class RunCatalog {
  private readonly cache = new Map<string, { size: number; detail: RunDetail }>();

  constructor(readonly dataDir: string) {}

  /** Whether `id` is a run id at all (sortable UTC time and a short random part). */
  static validId(id: string): boolean {
    return RUN_ID_PATTERN.test(id);
  }

  /** Runs, newest first. */
  list(): RunSummary[] {
    return listRunIds(this.dataDir).reverse().map((id) => summaryOf(this.detail(id)!));
  }

  /** One run in detail; null when there is no such run. */
  detail(id: string): RunDetail | null {
    const dir = runDir(this.dataDir, id);
    if (!existsSync(dir)) return null;
    const docsPath = join(dir, DOCUMENTS_FILE);
    const size = existsSync(docsPath) ? statSync(docsPath).size : 0;
    const hit = this.cache.get(id);
    let detail: RunDetail;
    if (hit && hit.size === size) detail = hit.detail;
    else {
      detail = build(id, readDocuments(this.dataDir, id).documents as Doc[]);
      this.cache.set(id, { size, detail });
    }
    // state and segments change without a new document (lock released, segments growing)
    return {
      ...detail,
      state: runState(this.dataDir, id, []) === 'running' ? 'running' : detail.endedCleanly ? 'stopped' : 'interrupted',
      segments: listSegments(this.dataDir, id).map((s) => ({ name: basename(s.path), kind: s.kind, bytes: s.bytes })),
    };
  }
}

function summaryOf(d: RunDetail): RunSummary {
  const { start: _s, rounds: _r, events: _e, segments: _g, endedCleanly: _c, ...summary } = d;
  return summary;
}

function build(id: string, docs: Doc[]): RunDetail {
  const start = docs.find((d) => d.type === 'start') as (Doc & { type: 'start' }) | undefined;
  const stops = docs.filter((d) => d.type === 'stop');
  const stop = stops.at(-1) ?? null;
  const types = docs.map((d) => d.type as string);
  const rounds: RunDetail['rounds'] = [];
  const events: Record<string, unknown>[] = [];
  for (const d of docs) {
    if (d.type === 'fit') {
      rounds.push({ round: d.round, sweep: d.sweep, chi2: d.chi2, iterations: d.iterations, elapsedMs: d.elapsedMs, points: d.points, backend: d.backend, time: d.time });
    } else if (d.type !== 'start' && d.type !== 'stop') {
      events.push(d as unknown as Record<string, unknown>);
    }
  }
  return {
    id,
    state: 'interrupted',
    startedAt: start?.time ?? null,
    stoppedAt: stop?.time ?? null,
    rig: start?.rig ?? null,
    device: start ? { model: start.device.model, serial: start.device.serial } : null,
    note: start?.note ?? null,
    calibrationVersion: start?.calibrationVersion ?? null,
    fits: rounds.length,
    lastChi2: rounds.at(-1)?.chi2 ?? null,
    gaps: docs.filter((d) => d.type === 'gap').length,
    alarms: docs.filter((d) => d.type === 'alarm').length,
    resumes: docs.filter((d) => d.type === 'resume').length,
    stop: stop ? (stop as unknown as Record<string, unknown>) : null,
    start: start ? (start as unknown as Record<string, unknown>) : null,
    rounds,
    events,
    segments: [],
    endedCleanly: types.lastIndexOf('stop') > Math.max(types.lastIndexOf('start'), types.lastIndexOf('resume')),
  };
}
