import { close as closeFd, createWriteStream, fdatasync, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { DeviceIdentity } from '../contracts/device.ts';
import type { RingFrame } from '../contracts/frame.ts';
import { HoloringError } from '../errors.ts';
import { frameToJson, framesFileHeader } from '../io/framesFile.ts';

/**
 * The journal: every raw frame, as the device delivered it, appended to a frames
 * file (src/io/framesFile.ts) — the system of record, from which any run can be
 * re-calibrated (`holoring recalibrate --frames FILE`). Writes are asynchronous
 * and flushed to disk (fdatasync) every `syncMs`; if the disk falls behind by more
 * than `maxBufferBytes`, further frames are dropped and counted (never unbounded
 * memory), and the drop is reported.
 */
export interface JournalStats {
  path: string;
  frames: number;
  bytes: number;
  dropped: number;
  syncs: number;
  error: string | null;
}

export interface Journal {
  write(frame: RingFrame): void;
  stats(): JournalStats;
  close(): Promise<void>;
}

export interface JournalOptions {
  maxBufferBytes?: number;
  syncMs?: number;
  onDrop?: (stats: JournalStats) => void;
}

export const JOURNAL_DEFAULTS = { maxBufferBytes: 64 * 1024 * 1024, syncMs: 1000 } as const;

/** File name of a run's journal: <serial>-<UTC time>.frames.jsonl */
export function journalPath(dir: string, identity: DeviceIdentity, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const serial = identity.serial.replace(/[^A-Za-z0-9_-]/g, '_');
  return join(dir, `${serial}-${stamp}.frames.jsonl`);
}

export function openJournal(path: string, identity: DeviceIdentity, opts: JournalOptions = {}): Journal {
  const maxBuffer = opts.maxBufferBytes ?? JOURNAL_DEFAULTS.maxBufferBytes;
  const syncMs = opts.syncMs ?? JOURNAL_DEFAULTS.syncMs;
  try {
    mkdirSync(join(path, '..'), { recursive: true });
  } catch (e) {
    throw new HoloringError('RING_ERR_JOURNAL', `cannot create the journal directory for ${path}: ${(e as Error).message}`, { path });
  }
  const stats: JournalStats = { path, frames: 0, bytes: 0, dropped: 0, syncs: 0, error: null };
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    throw new HoloringError('RING_ERR_JOURNAL', `cannot create the journal ${path}: ${(e as Error).message}`, { path });
  }
  const out: WriteStream = createWriteStream('', { fd, autoClose: false });
  out.on('error', (e) => {
    stats.error = e.message;
  });
  const header = framesFileHeader(identity) + '\n';
  out.write(header);
  stats.bytes += header.length;
  let syncing = false;
  const timer = setInterval(() => {
    if (syncing) return;
    syncing = true;
    fdatasync(fd, (e) => {
      syncing = false;
      if (e) stats.error = e.message;
      else stats.syncs++;
    });
  }, syncMs);
  timer.unref();
  return {
    write(frame) {
      if (stats.error !== null || out.writableLength > maxBuffer) {
        stats.dropped++;
        if (stats.dropped === 1 || stats.dropped % 1000 === 0) opts.onDrop?.({ ...stats });
        return;
      }
      const line = frameToJson(frame) + '\n';
      out.write(line);
      stats.frames++;
      stats.bytes += line.length;
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        out.end(() => fdatasync(fd, () => closeFd(fd, () => resolve())));
      }),
  };
}
