import * as fs from 'node:fs';

/**
 * The file-system calls storage makes, gathered so that unit tests can inject a
 * disk that fills up, fails or comes back (the real one is `nodeFileOps`).
 */
export interface FileOps {
  openSync(path: string, flags: string): number;
  /** Writes from `buffer[offset..offset+length)`; returns the bytes written (may be fewer). */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  ftruncateSync(fd: number, length: number): void;
  fdatasync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  closeSync(fd: number): void;
}

export const nodeFileOps: FileOps = {
  openSync: (path, flags) => fs.openSync(path, flags),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fdatasync: (fd, cb) => fs.fdatasync(fd, cb),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
};

/** Why a write failed, in words a person at the bench acts on. */
export type WriteCause = 'disk full' | 'quota exceeded' | 'read-only file system' | 'permission denied' | 'I/O error' | 'file too large' | 'write failed';

const CAUSES: Record<string, WriteCause> = {
  ENOSPC: 'disk full',
  EDQUOT: 'quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'I/O error',
  EFBIG: 'file too large',
};

/** Names the cause of a failed write from its errno code (ENOSPC → "disk full"). */
export function writeCause(e: unknown): WriteCause {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (code && CAUSES[code]) || 'write failed';
}
