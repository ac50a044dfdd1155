/**
 * The run record (docs/runs.md): run ids and directories, documents, journal
 * segments, checkpoints, the run lock, and reading it all back.
 *
 * Reader API (for `holoring runs` and the sinks):
 *
 *     listRunIds(dataDir) → ['20261129T153012Z-7f3a', …]        oldest first
 *     readDocuments(dataDir, id) → {documents, tornBytes}
 *     runState(dataDir, id) → 'running' | 'stopped' | 'interrupted'
 *     listSegments(dataDir, id, 'frames') → [{kind, index, path, bytes}]
 *     readSegment(path, fromByte) → {device, frames: [{frame, offset, end}], nextOffset, partialBytes, size}
 *     readFitData(runDir(dataDir, id), fitDoc) → {r, f, g, f_err, g_err, resolution, table} | null
 */
export * from './layout.ts';
export * from './documents.ts';
export * from './reader.ts';
export { FIT_DATA_FILE, type FitData, readFitData } from './fitData.ts';
export { readLock, lockHeld, type LockInfo } from './lock.ts';
