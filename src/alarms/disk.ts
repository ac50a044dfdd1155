import { statfs } from 'node:fs/promises';

/**
 * Free bytes available to this process on the file system holding `path`
 * (statfs: bavail × bsize). Null when the path cannot be examined (it may not
 * exist yet), so the disk-space rule keeps its last judgement.
 */
export async function diskFreeBytes(path: string): Promise<number | null> {
  try {
    const s = await statfs(path);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}
