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

  /** Version ids of the stored records, oldest first by file name order of creation date. */
  list(): { version: string; createdAt: string; device: string; note: string; active: boolean }[] {
    if (!existsSync(this.dir)) return [];
    const active = this.activeVersion();
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json') && VERSION_PATTERN.test(f.slice(0, -5)))
      .map((f) => this.load(f.slice(0, -5)))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((r) => ({ version: r.version, createdAt: r.createdAt, device: `${r.device.model} ${r.device.serial}`, note: r.note, active: r.version === active }));
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
    if (!v) throw new HoloringError(E.RECORD_NOT_FOUND, `no active calibration in ${this.dir}; run "holoring calibrate" or "holoring calibration activate VERSION"`, { dir: this.dir });
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
