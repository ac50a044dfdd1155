import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a file atomically: a temporary file beside it, fsync, rename over the
 * target, fsync of the directory. A reader sees the old content or the new one,
 * never a mixture, also after a crash or power loss. Throws the file system's
 * error (ENOSPC, …) and leaves the old file untouched.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const buf = Buffer.from(text);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const d = openSync(dirname(path), 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // some file systems do not sync directories; the rename itself is atomic
  }
}
