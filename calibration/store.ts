import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CalibrationRecord } from '../src/contracts/calibration.ts';
import { HoloringError } from '../src/errors.ts';
import { CalibrationErrorCodes as E } from './errors.ts';
import { VERSION_PATTERN, canonicalJson, parseRecordText } from './record.ts';

/**
 * The record store: one file per record, `<dir>/<version>.json`, written once
 * (exclusive create) and never edited in place; the active record is named by
 * the pointer file `<dir>/ACTIVE` (replaced atomically by rename).
 */
export const DEFAULT_STORE_DIR = 'calibration/records';
const ACTIVE = 'ACTIVE';

/** One record of the store as `list()` reports it; `error` is set when its file does not load. */
export interface StoreEntry {
  version: string;
  createdAt: string;
  device: string;
  note: string;
  active: boolean;
  error?: { code: string; message: string };
}

export class CalibrationStore {
  constructor(readonly dir: string = DEFAULT_STORE_DIR) {}

  pathOf(version: string): string {
    if (!VERSION_PATTERN.test(version)) {
      throw new HoloringError(E.RECORD_NOT_FOUND, `"${version}" is not a calibration version id (expected cal- followed by 16 hex digits)`, { version });
    }
    return join(this.dir, `${version}.json`);
  }

  /** Writes a new record file. Saving the identical record again is a no-op; different content under an existing version is refused. */
  save(record: CalibrationRecord): string {
    const path = this.pathOf(record.version);
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new HoloringError(E.STORE, `cannot create the calibration store ${this.dir}: ${(e as Error).message}`, { dir: this.dir });
    }
    const text = JSON.stringify(record, null, 2) + '\n';
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        const existing = this.load(record.version);
        if (canonicalJson(existing) === canonicalJson(record)) return path;
        throw new HoloringError(E.STORE, `${path} already holds a different record with version ${record.version}`, { path });
      }
      throw new HoloringError(E.STORE, `cannot write ${path}: ${(e as Error).message}`, { path });
    }
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  load(version: string): CalibrationRecord {
    const path = this.pathOf(version);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new HoloringError(E.RECORD_NOT_FOUND, `no calibration record ${version} in ${this.dir}`, { version, dir: this.dir });
      }
      throw new HoloringError(E.STORE, `cannot read ${path}: ${(e as Error).message}`, { path });
    }
    const rec = parseRecordText(text, path);
    if (rec.version !== version) {
      throw new HoloringError(E.RECORD_TAMPERED, `${path} holds version ${rec.version}, not ${version} (a record file was renamed)`, { path, version: rec.version });
    }
    return rec;
  }

  /**
   * The stored records, oldest first (by creation date; unreadable ones last, by
   * file name). A record file that does not load (unreadable, not JSON, failing
   * its schema or its version hash) does not hide the others: it is listed with
   * its `error` (code and message) and empty fields.
   */
  list(): StoreEntry[] {
    if (!existsSync(this.dir)) return [];
    let active: string | null = null;
    try {
      active = this.activeVersion();
    } catch {
      // a bad ACTIVE pointer marks no record active; `active()` reports it
    }
    const good: StoreEntry[] = [];
    const bad: StoreEntry[] = [];
    for (const f of readdirSync(this.dir).filter((n) => n.endsWith('.json') && VERSION_PATTERN.test(n.slice(0, -5))).sort()) {
      const version = f.slice(0, -5);
      try {
        const r = this.load(version);
        good.push({ version, createdAt: r.createdAt, device: `${r.device.model} ${r.device.serial}`, note: r.note, active: version === active });
      } catch (e) {
        const err = e instanceof HoloringError ? { code: e.code, message: e.message } : { code: E.STORE, message: String(e) };
        bad.push({ version, createdAt: '', device: '', note: '', active: version === active, error: err });
      }
    }
    return [...good.sort((a, b) => a.createdAt.localeCompare(b.createdAt)), ...bad];
  }

  activeVersion(): string | null {
    const p = join(this.dir, ACTIVE);
    if (!existsSync(p)) return null;
    const v = readFileSync(p, 'utf8').trim();
    if (!VERSION_PATTERN.test(v)) throw new HoloringError(E.RECORD_INVALID, `${p} does not name a calibration version (got "${v.slice(0, 40)}")`, { path: p });
    return v;
  }

  /** The active record; throws RING_ERR_CALIB_RECORD_NOT_FOUND when none is active. */
  active(): CalibrationRecord {
    const v = this.activeVersion();
    if (!v) throw new HoloringError(E.RECORD_NOT_FOUND, `no active calibration in ${this.dir}; run "holoring calibrate" or "holoring calibrations activate VERSION"`, { dir: this.dir });
    return this.load(v);
  }

  /** Makes a stored record the active one (the record must load and validate). */
  activate(version: string): void {
    this.load(version);
    const p = join(this.dir, ACTIVE);
    const tmp = `${p}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${version}\n`);
      renameSync(tmp, p);
    } catch (e) {
      throw new HoloringError(E.STORE, `cannot mark ${version} active in ${this.dir}: ${(e as Error).message}`, { dir: this.dir });
    }
  }
}
