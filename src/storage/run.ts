import { existsSync, mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DeviceIdentity } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import { HoloringError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { writeFileAtomic } from './atomic.ts';
import { openDocumentLog, type DocumentLog } from './documentLog.ts';
import type { DocumentBody, FitDoc, RunDocument, StartDoc, StopDoc } from './documents.ts';
import { type FitDataLog, listFitFiles, openFitDataLog, splitFit, thinFitData } from './fitData.ts';
import type { FileOps } from './fileOps.ts';
import { type Journal, type JournalStats, type SegmentAnchor, lastSegmentIndex, openJournal } from './journal.ts';
import { CHECKPOINT_FILE, DOCUMENTS_FILE, type SegmentKind, makeRunId, runDir } from './layout.ts';
import { acquireLock } from './lock.ts';
import { pruneRuns } from './prune.ts';
import { iterateSegmentFrames, listRunIds, listSegments, readDocuments, runState } from './reader.ts';

/**
 * A run being recorded (docs/runs.md). `openRun` finds the interrupted run of
 * this device in the data directory and continues it (unless `newRun`), or
 * starts a new one; it takes the run's lock and opens the journals before the
 * device streams. Documents written before `begin()` (device state during the
 * start-up calibration) wait until the start or resume document is written.
 */
export interface RunStorageOptions {
  syncMs?: number;
  segmentBytes?: number;
  maxBufferBytes?: number;
  retryMs?: number;
  maxBytes?: number | null;
  /** Hours of this run's fit history kept whole; older hours keep their last fit (null or absent: all kept). */
  fitHistoryHours?: number | null;
}

export interface OpenRunOptions {
  dataDir: string;
  identity: DeviceIdentity;
  /** Start a new run even when this device's last run was interrupted. */
  newRun?: boolean;
  storage?: RunStorageOptions;
  logger: Logger;
  now?: () => number;
  fs?: FileOps;
  random?: () => Buffer;
}

export interface ResumedRun {
  /** Time of the run's last record before the interruption. */
  lastSeen: Date;
  downtimeMs: number;
  /** Fits already in the run (rounds continue after them). */
  fits: number;
  /** Torn last lines found (file → bytes); a torn documents line is cut off before appending. */
  tornTails: Record<string, number>;
  /** The run's latest checkpoint.json content (null when none). */
  checkpoint: unknown;
}

/** What the start document says beyond the device and time (the run recorder adds those). */
export type StartInfo = Omit<DocumentBody<StartDoc>, 'type' | 'runId' | 'device' | 'calibrationVersion' | 'pid' | 'host'>;

export interface RunRecorder {
  readonly id: string;
  readonly dir: string;
  readonly dataDir: string;
  /** The interrupted run this continues, or null for a new run. */
  readonly resumed: ResumedRun | null;
  /** Appends a raw frame to the calibration or acquisition journal. */
  journalFrame(frame: RingFrame, kind: SegmentKind): 'journaled' | 'pending' | 'dropped';
  /**
   * The device restarted (its numbering and clock begin again): the next frame
   * of each kind opens a new segment with a fresh clock anchor, so no segment
   * holds two frames with the same seq.
   */
  newSegment(): void;
  /** Appends a document (held until `begin` when written before it). Never throws on a full disk. */
  document<T extends RunDocument>(body: DocumentBody<T>): void;
  /**
   * Writes the start document (new run) or the resume document and a downtime gap
   * (continued run: `replay` says how many frames were replayed and the last seq),
   * then the documents held so far.
   */
  begin(info: StartInfo, calibrationVersion: string | null, replay?: { frames: number; lastSeq: number | null }): void;
  /**
   * The acquisition frames already in a continued run, in order (none for a
   * new run), each with the journal bytes read so far out of `totalBytes`.
   */
  replayFrames(): JournalReplay;
  /** Writes checkpoint.json atomically; a failure is logged (the previous checkpoint stays). */
  saveCheckpoint(checkpoint: unknown): boolean;
  journalStats(): { frames: JournalStats; calibration: JournalStats | null };
  /** Writes the stop document, closes the files and releases the lock. */
  close(stop: Omit<DocumentBody<StopDoc>, 'type' | 'journal'>): Promise<StopDoc['journal']>;
}

/** A continued run's journal to replay: its frames with the bytes read so far, of `totalBytes`. */
export interface JournalReplay {
  totalBytes: number;
  frames: Iterable<{ frame: RingFrame; bytesRead: number }>;
}

/** The last interrupted run of `identity` in the data directory, or null. */
export function findInterruptedRun(dataDir: string, identity: DeviceIdentity): string | null {
  const ids = listRunIds(dataDir);
  for (let i = ids.length - 1; i >= 0; i--) {
    const { documents } = readDocuments(dataDir, ids[i]);
    const start = documents.find((d) => d.type === 'start');
    if (!start || start.device.model !== identity.model || start.device.serial !== identity.serial) continue;
    return runState(dataDir, ids[i], documents) === 'interrupted' ? ids[i] : null;
  }
  return null;
}

function inspectInterrupted(dataDir: string, id: string, now: number): ResumedRun {
  const dir = runDir(dataDir, id);
  const docsPath = join(dir, DOCUMENTS_FILE);
  const { documents, tornBytes } = readDocuments(dataDir, id);
  const tornTails: Record<string, number> = {};
  if (tornBytes > 0) {
    // the documents file is appended to: cut the torn line off first (its size is recorded)
    tornTails[DOCUMENTS_FILE] = tornBytes;
    truncateSync(docsPath, statSync(docsPath).size - tornBytes);
  }
  let lastSeen = existsSync(docsPath) ? statSync(docsPath).mtimeMs : 0;
  for (const s of listSegments(dataDir, id)) lastSeen = Math.max(lastSeen, statSync(s.path).mtimeMs);
  for (const d of documents) lastSeen = Math.max(lastSeen, Date.parse(d.time));
  let checkpoint: unknown = null;
  const cpPath = join(dir, CHECKPOINT_FILE);
  if (existsSync(cpPath)) {
    try {
      checkpoint = JSON.parse(readFileSync(cpPath, 'utf8'));
    } catch {
      checkpoint = null;
    }
  }
  return { lastSeen: new Date(lastSeen), downtimeMs: Math.max(0, now - lastSeen), fits: documents.filter((d) => d.type === 'fit').length, tornTails, checkpoint };
}

export function openRun(opts: OpenRunOptions): RunRecorder {
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ component: 'run' });
  const st = opts.storage ?? {};
  const previous = opts.newRun ? null : findInterruptedRun(opts.dataDir, opts.identity);
  const id = previous ?? makeRunId(new Date(now()), opts.random);
  const dir = runDir(opts.dataDir, id);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new HoloringError('RING_ERR_RUN_DIR', `cannot create the run directory ${dir}: ${(e as Error).message}`, { dir });
  }
  const lock = acquireLock(dir, new Date(now()));
  const resumed = previous ? inspectInterrupted(opts.dataDir, id, now()) : null;
  const io = { fs: opts.fs, now, syncMs: st.syncMs, retryMs: st.retryMs };
  // one clock anchor per session: host and device time of its first frame (in every segment header)
  let anchor: SegmentAnchor | null = null;
  const session = Math.max(lastSegmentIndex(dir, 'frames'), lastSegmentIndex(dir, 'calibration')) + 1;
  const journalOpts = {
    ...io, segmentBytes: st.segmentBytes, maxBufferBytes: st.maxBufferBytes, firstIndex: session,
    anchor: (f: RingFrame) => (anchor ??= { hostTimeMs: now(), deviceTimeUs: f.deviceTimeUs }),
    onError: (e: { cause: string }) => log.error({ cause: e.cause }, `the journal cannot write (${e.cause}): frames wait in memory, then are dropped and counted; journaling resumes when the disk takes writes again`),
    onRecover: (r: { outageMs: number; written: number }) => log.warn(r, 'the journal writes again'),
  };
  let docs: DocumentLog;
  const journals: Partial<Record<SegmentKind, Journal>> = {};
  try {
    docs = openDocumentLog(dir, id, { ...io, existingBytes: 0 });
    journals.frames = openJournal(dir, 'frames', opts.identity, journalOpts);
  } catch (e) {
    lock.release();
    throw new HoloringError('RING_ERR_JOURNAL', `cannot open the run record in ${dir}: ${(e as Error).message}`, { dir });
  }
  // the fit data files: opened at the first fit, or now when a continued run has some (their torn tails are cut and reported);
  // each new hour's file starts with the upkeep of storage.maxBytes and storage.fitHistoryHours
  let fitLog: FitDataLog | null = null;
  const openFitLog = (): FitDataLog => {
    const l = openFitDataLog(dir, { ...io, onNewFile: () => upkeep() });
    if (resumed) Object.assign(resumed.tornTails, l.tornTails);
    return l;
  };
  if (resumed && listFitFiles(dir).length > 0) fitLog = openFitLog();
  if (resumed) {
    for (const [path, bytes] of Object.entries(resumed.tornTails)) log.warn({ path, bytes }, 'a torn last line was found after the interruption and left out');
  }
  const held: DocumentBody[] = [];
  let begun = false;
  const write = (body: DocumentBody): void => {
    try {
      if (body.type === 'fit') {
        // the metric arrays and the table go to fits.jsonl, the document points at them
        const { doc, data } = splitFit(body as DocumentBody<FitDoc>);
        if (data) {
          fitLog ??= openFitLog();
          const ref = fitLog.append(doc.round, data);
          if (!ref) log.error({ round: doc.round }, `the metric and table of round ${doc.round} could not be written to ${fitLog.current() ?? 'the fit data file'} (the disk has refused writes for too long); its fit document is kept`);
          docs.write(ref ? { ...doc, data: ref } : doc);
          return;
        }
      }
      docs.write(body);
    } catch (e) {
      log.error({ err: e, type: body.type }, 'a run document was refused');
    }
  };
  /**
   * storage.maxBytes and storage.fitHistoryHours, at the start and at each new
   * hour of fits: the finished runs pruned first; this run's fit history
   * thinned (hours past fitHistoryHours to their last fit each); while the data
   * directory is still over maxBytes, every hour of it but the current one.
   */
  const upkeep = (): void => {
    const current = fitLog?.current() ?? null;
    const thin = (beforeMs: number, why: string): number => {
      const freed = thinFitData(dir, beforeMs, current, writeFileAtomic);
      if (freed > 0) log.info({ freed, why }, `the fit history of this run was thinned to one fit an hour before ${new Date(Math.min(beforeMs, now())).toISOString()} (${why}): ${freed} bytes freed`);
      return freed;
    };
    if (st.fitHistoryHours) thin(now() - st.fitHistoryHours * 3_600_000, 'storage.fitHistoryHours');
    if (!st.maxBytes) return;
    const { pruned, kept, totalBytes } = pruneRuns(opts.dataDir, st.maxBytes, id);
    for (const p of pruned) log.warn(p, `storage.maxBytes: pruned the frame segments of finished run ${p.run}${p.fitDataBytes > 0 ? ' and its fit history (its last fit kept)' : ''}`);
    let total = totalBytes;
    if (total > st.maxBytes) total -= thin(Infinity, 'storage.maxBytes');
    if (total > st.maxBytes) {
      for (const k of kept) log.warn(k, `storage.maxBytes: kept the frame segments and fit history of run ${k.run}: ${k.reason}`);
      log.warn({ totalBytes: total, maxBytes: st.maxBytes }, `storage.maxBytes: the data directory's run records (${total} bytes: frame segments, fit data, documents) stay above the bound (${st.maxBytes}) after pruning what may be pruned`);
    }
  };
  upkeep();
  return {
    id, dir, dataDir: opts.dataDir, resumed,
    journalFrame(frame, kind) {
      journals[kind] ??= openJournal(dir, kind, opts.identity, journalOpts);
      return journals[kind].write(frame);
    },
    newSegment() {
      anchor = null;
      for (const j of Object.values(journals)) j.rotate();
    },
    document(body) {
      if (begun) write(body as DocumentBody);
      else held.push(body as DocumentBody);
    },
    begin(info, calibrationVersion, replay = { frames: 0, lastSeq: null }) {
      if (begun) return;
      begun = true;
      if (resumed) {
        write({ type: 'resume', downtimeMs: resumed.downtimeMs, lastSeen: resumed.lastSeen.toISOString(), previousStop: 'interrupted', replayedFrames: replay.frames, tornTails: resumed.tornTails, checkpoint: resumed.checkpoint !== null, pid: process.pid });
        write({ type: 'gap', cause: 'downtime', after: replay.lastSeq, missing: null, from: resumed.lastSeen.toISOString(), to: new Date(now()).toISOString(), reason: 'the daemon was not running' });
      } else {
        write({ type: 'start', runId: id, device: opts.identity, calibrationVersion, host: hostname(), pid: process.pid, ...info });
      }
      held.splice(0).forEach(write);
    },
    replayFrames: () => {
      const segments = resumed ? listSegments(opts.dataDir, id, 'frames').filter((seg) => seg.index < session) : [];
      return { totalBytes: segments.reduce((a, s) => a + s.bytes, 0), frames: iterateSegmentFrames(segments) };
    },
    saveCheckpoint(checkpoint) {
      try {
        writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(checkpoint) + '\n');
        return true;
      } catch (e) {
        log.error({ err: e }, 'checkpoint.json could not be written; the previous one stays');
        return false;
      }
    },
    journalStats: () => ({ frames: journals.frames!.stats(), calibration: journals.calibration?.stats() ?? null }),
    async close(stop) {
      // a start that failed before begin(): the documents held so far, then the stop
      if (!begun) held.splice(0).forEach(write);
      for (const j of Object.values(journals)) await j.close();
      const all = Object.values(journals).map((j) => j.stats());
      const journal = {
        bytes: all.reduce((a, s) => a + s.bytes, 0),
        segments: all.reduce((a, s) => a + s.segments, 0),
        syncs: all.reduce((a, s) => a + s.syncs, 0),
        dropped: all.reduce((a, s) => a + s.dropped, 0),
        error: all.map((s) => s.error ?? s.dropCause).find((e) => e !== null) ?? null,
      };
      write({ ...stop, type: 'stop', journal });
      fitLog?.close();
      docs.close();
      upkeep();
      lock.release();
      return journal;
    },
  };
}
