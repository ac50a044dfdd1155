import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { HoloringError } from '../errors.ts';
import { LOCK_FILE } from './layout.ts';

/**
 * The run lock: `<run>/lock` holds {pid, host, since} of the daemon writing the
 * run. It is created exclusively; a lock whose process is gone (same host, pid
 * not alive) is stale — the run was interrupted — and may be taken over.
 */
export interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

export const RUN_LOCKED = 'RING_ERR_RUN_LOCKED';

/** The lock of a run directory, or null when there is none (or it cannot be read). */
export function readLock(dir: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** True when the process named by the lock is alive (a lock from another host counts as alive). */
export function lockHeld(lock: LockInfo | null): boolean {
  if (!lock) return false;
  if (lock.host !== hostname()) return true;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of a run directory for this process. Refused with
 * RING_ERR_RUN_LOCKED when a live daemon holds it; a stale lock is replaced.
 */
export function acquireLock(dir: string, now: Date = new Date()): { release(): void } {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), since: now.toISOString() };
  const held = readLock(dir);
  if (held && held.pid !== process.pid && lockHeld(held)) {
    throw new HoloringError(RUN_LOCKED, `the run in ${dir} is being written by process ${held.pid} on ${held.host} (since ${held.since}): stop that daemon first, or start a new run with --new-run`, { dir, ...held });
  }
  try {
    if (held) rmSync(path, { force: true });
    writeFileSync(path, JSON.stringify(mine) + '\n', { flag: 'wx' });
  } catch (e) {
    throw new HoloringError(RUN_LOCKED, `cannot take the lock of the run in ${dir}: ${(e as Error).message}`, { dir });
  }
  return {
    release: () => {
      const now = readLock(dir);
      if (now && now.pid === process.pid) rmSync(path, { force: true });
    },
  };
}
