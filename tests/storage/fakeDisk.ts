import { fstatSync } from 'node:fs';
import { type FileOps, nodeFileOps } from '../../src/storage/fileOps.ts';

/**
 * A disk of `capacity` bytes over the real file system (unit tests only): writes
 * beyond it are cut short and then refused with ENOSPC, as Linux does; `free()`
 * and `grow()` give space back.
 */
export function fakeDisk(capacity: number) {
  let cap = capacity;
  const used = new Map<number, number>();
  const total = () => [...used.values()].reduce((a, b) => a + b, 0);
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const ops: FileOps = {
    ...nodeFileOps,
    openSync: (path, flags) => {
      const fd = nodeFileOps.openSync(path, flags);
      used.set(fd, fstatSync(fd).size);
      return fd;
    },
    writeSync: (fd, buf, off, len) => {
      const room = cap - total();
      if (room <= 0) throw enospc();
      const n = nodeFileOps.writeSync(fd, buf, off, Math.min(len, room));
      used.set(fd, (used.get(fd) ?? 0) + n);
      return n;
    },
    ftruncateSync: (fd, len) => {
      nodeFileOps.ftruncateSync(fd, len);
      used.set(fd, len);
    },
  };
  return { ops, grow: (bytes: number) => (cap += bytes), used: total };
}
