import { z } from 'zod';
import { InfluxConfigSchema } from './influx.ts';

/**
 * `storage.*`: where and how the run record is written (docs/runs.md). Every
 * option has a default; README "Configuration reference" documents each.
 */
const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

export const StorageConfigSchema = z.strictObject({
  /** Record the run (documents, raw frames, checkpoints); false: acquisition without a record (no resume). */
  enabled: z.boolean().default(true),
  /** Data directory (runs are in <dir>/runs/<id>); default: env HOLORING_DATA_DIR, else ./holoring-data. */
  dir: z.string().min(1).optional(),
  /** Longest time between fdatasyncs of the run's files, ms (power loss loses at most this much). */
  syncMs: finite().positive().max(60_000).default(1000),
  /** A new frame segment starts before one would pass this size, bytes (default 256 MiB). */
  segmentBytes: z.number().int().min(4096).default(256 * 1024 * 1024),
  /** Memory for frames waiting for a disk that refuses writes (full, failing), bytes; beyond it frames are dropped and counted. */
  maxBufferBytes: z.number().int().min(0).default(64 * 1024 * 1024),
  /** Time between write retries while the disk refuses writes, ms. */
  retryMs: finite().positive().max(600_000).default(1000),
  /** Bound on the data directory's frame segments, bytes: the oldest finished runs' segments are pruned first (null: no bound). */
  maxBytes: z.number().int().positive().nullable().default(null),
  /** Hours of the live run's fit history kept whole; each older hour keeps its last fit (null: every fit kept, bounded only by maxBytes). */
  fitHistoryHours: finite().positive().nullable().default(24),
  /** The InfluxDB sink (docs/influx.md); absent: none. `--influx URL` sets url and database. */
  influx: InfluxConfigSchema.optional(),
});

export type StorageConfig = z.infer<typeof StorageConfigSchema>;

/** Keys that were renamed: old path → new path (the old ones are refused, naming the new). */
export const RENAMED_CONFIG_KEYS: Record<string, string> = {
  'journal.dir': 'storage.dir',
  'journal.enabled': 'storage.enabled',
};

/** The renamed keys present in a configuration input, as "old → new" phrases. */
export function renamedKeysIn(input: unknown): string[] {
  if (!input || typeof input !== 'object' || !('journal' in input)) return [];
  const journal = (input as { journal: unknown }).journal;
  const keys = journal && typeof journal === 'object' ? Object.keys(journal) : [];
  const named = keys.map((k) => `journal.${k} → ${RENAMED_CONFIG_KEYS[`journal.${k}`] ?? `storage.${k}`}`);
  return named.length > 0 ? named : ['journal → storage'];
}
