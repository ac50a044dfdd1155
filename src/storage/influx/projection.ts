import type { IPoint } from 'influx';
import { parseFrameLine } from '../../io/framesFile.ts';
import type { FitDoc } from '../documents.ts';
import { FIT_DATA_FILE, readFitData } from '../fitData.ts';
import { DOCUMENTS_FILE } from '../layout.ts';
import { FrameClock, type SegmentAnchor } from './clock.ts';
import type { InfluxCursor } from './cursor.ts';
import { type FitDocument, type RunTags, fitPoints, framePoint, isoToNs } from './points.ts';
import { fileSize, listSegments, readLines, runFile } from './runFiles.ts';

/**
 * The run as InfluxDB points, read from the cursor on: first the documents
 * (`start` gives the tags, `start`/`resume` the session times, every `fit` its
 * fit, metric and response points: the metric and table from the document, or
 * from its line in the fit data files), then the frame segments in order. A batch
 * holds about `maxPoints` points (a fit document is never split) and the cursor
 * that follows it; the caller saves that cursor only once the server has
 * acknowledged the batch. Memory is bounded by the batch, however far behind
 * the cursor is.
 */
export interface Batch {
  points: IPoint[];
  next: InfluxCursor;
  /** Problems met while reading (unreadable lines, torn tails), for the log. */
  notes: string[];
}


interface StartDocument {
  type: 'start';
  time: string;
  run?: string;
  runId?: string;
  rig?: string;
  device?: { serial?: string; model?: string } | string;
}

function deviceTag(device: StartDocument['device']): string {
  if (typeof device === 'string') return device;
  return device?.serial ?? 'unknown';
}

function readDocument(doc: { type?: unknown; time?: unknown }, next: InfluxCursor, points: IPoint[], runDir: string, notes: string[]): void {
  if (typeof doc.time !== 'string') return;
  if (doc.type === 'start') {
    const s = doc as StartDocument;
    next.tags = { rig: s.rig ?? 'unknown', run: s.runId ?? s.run ?? 'unknown', device: deviceTag(s.device) };
    next.sessionStartNs = isoToNs(s.time).toString();
  } else if (doc.type === 'resume') {
    next.sessionStartNs = isoToNs(doc.time).toString();
  } else if (doc.type === 'fit' && next.tags) {
    const fit = doc as FitDocument & FitDoc;
    if (fit.r || !fit.data) points.push(...fitPoints(fit, next.tags));
    else {
      // the metric and the table are in the fit data files (src/storage/fitData.ts)
      const data = readFitData(runDir, fit);
      if (!data) notes.push(`fit round ${fit.round}: its metric and table are not in ${fit.data?.file ?? FIT_DATA_FILE}; only its fit point is written`);
      points.push(...fitPoints({ ...fit, r: [], f: [], g: [], f_err: [], g_err: [], ...(data ?? {}), resolution: Array.isArray(data?.resolution) ? (data.resolution as number[]) : undefined }, next.tags));
    }
  }
}

function parseAnchor(header: string): SegmentAnchor | null {
  try {
    const a = (JSON.parse(header) as { anchor?: Partial<SegmentAnchor> }).anchor;
    return a && Number.isFinite(a.hostTimeMs) && Number.isFinite(a.deviceTimeUs) ? { hostTimeMs: a.hostTimeMs!, deviceTimeUs: a.deviceTimeUs! } : null;
  } catch {
    return null;
  }
}

async function readDocuments(runDir: string, next: InfluxCursor, points: IPoint[], maxPoints: number, notes: string[]): Promise<void> {
  const path = runFile(runDir, DOCUMENTS_FILE);
  while (points.length < maxPoints) {
    const chunk = await readLines(path, next.documents, 16).catch(() => null);
    if (!chunk || chunk.lines.length === 0) return;
    for (const line of chunk.lines) {
      if (points.length >= maxPoints) return;
      next.documents = line.offset + Buffer.byteLength(line.text) + 1;
      if (line.text.trim() === '') continue;
      try {
        readDocument(JSON.parse(line.text) as { type?: unknown; time?: unknown }, next, points, runDir, notes);
      } catch (e) {
        next.skippedLines++;
        notes.push(`${DOCUMENTS_FILE} at byte ${line.offset}: ${(e as Error).message}`);
      }
    }
  }
}

async function readFrames(runDir: string, next: InfluxCursor, points: IPoint[], maxPoints: number, notes: string[]): Promise<void> {
  const tags: RunTags | null = next.tags;
  if (!tags || next.sessionStartNs === null) return;
  const segments = await listSegments(runDir);
  if (segments.length === 0) return;
  if (next.segment === null) Object.assign(next, { segment: segments[0].name, offset: 0, segmentFrames: 0, segmentAnchor: null });
  const clock = new FrameClock(next.clock);
  const sessionStart = BigInt(next.sessionStartNs);
  while (points.length < maxPoints) {
    const at = segments.findIndex((s) => s.name === next.segment);
    const seg = segments[at];
    if (!seg) break;
    const path = runFile(runDir, seg.name);
    const chunk = await readLines(path, next.offset, maxPoints - points.length + (next.offset === 0 ? 1 : 0));
    for (const line of chunk.lines) {
      const first = line.offset === 0;
      next.offset = line.offset + Buffer.byteLength(line.text) + 1;
      if (first) {
        next.segmentAnchor = parseAnchor(line.text);
        continue;
      }
      if (line.text.trim() === '') continue;
      let frame;
      try {
        frame = parseFrameLine(line.text, `${seg.name} (byte ${line.offset})`);
      } catch (e) {
        next.skippedLines++;
        notes.push((e as Error).message);
        continue;
      }
      if (next.segmentFrames === 0) clock.beginSegment(frame.deviceTimeUs, next.segmentAnchor, sessionStart);
      next.segmentFrames++;
      points.push(framePoint(frame, clock.place(frame.deviceTimeUs), tags, seg.kind === 'calibration' ? 'calibration' : 'acquisition'));
    }
    if (!chunk.atEnd) continue;
    const later = segments[at + 1];
    // the writer has moved on to a later segment only when that one holds data
    if (!later || (await fileSize(runFile(runDir, later.name))) === 0) break;
    if (chunk.partialBytes > 0) {
      next.tornBytes += chunk.partialBytes;
      notes.push(`${seg.name}: a torn last line of ${chunk.partialBytes} bytes (the writer stopped mid-line) is left out`);
    }
    Object.assign(next, { segment: later.name, offset: 0, segmentFrames: 0, segmentAnchor: null });
  }
  next.clock = clock.state();
}

/** The next batch of points after `cursor` (empty when the run's files hold nothing newer). */
export async function readBatch(runDir: string, cursor: InfluxCursor, maxPoints: number): Promise<Batch> {
  const next: InfluxCursor = structuredClone(cursor);
  const points: IPoint[] = [];
  const notes: string[] = [];
  await readDocuments(runDir, next, points, maxPoints, notes);
  if (points.length < maxPoints) await readFrames(runDir, next, points, maxPoints, notes);
  return { points, next, notes };
}

/** Bytes of the run's files not yet read by the cursor (its backlog). */
export async function backlogBytes(runDir: string, cursor: InfluxCursor): Promise<number> {
  let total = Math.max(0, (await fileSize(runFile(runDir, DOCUMENTS_FILE))) - cursor.documents);
  const segments = await listSegments(runDir);
  const at = cursor.segment === null ? 0 : segments.findIndex((s) => s.name === cursor.segment);
  for (let i = Math.max(0, at); i < segments.length; i++) {
    const size = await fileSize(runFile(runDir, segments[i].name));
    total += i === at && cursor.segment !== null ? Math.max(0, size - cursor.offset) : size;
  }
  return total;
}
