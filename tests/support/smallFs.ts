import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small real file system for full-disk tests: a tmpfs of `sizeK` KiB mounted
 * on a new temporary directory (needs root). Null, with a SKIP line on stderr,
 * where it cannot be mounted; `unmount` then removes the directory.
 */
export function smallFilesystem(sizeK = 300): { dir: string; unmount: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'holoring-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeK}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`SKIP: cannot mount a ${sizeK} KiB tmpfs (needs root); the full-disk logic is covered by the injected-disk unit tests\n`);
    return null;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
