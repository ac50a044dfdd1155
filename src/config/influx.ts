import { z } from 'zod';

/**
 * `storage.influx`: the InfluxDB sink (docs/influx.md). Absent: no sink.
 * `--influx http://HOST:PORT/DATABASE` sets url and database at once.
 */
export const InfluxConfigSchema = z.strictObject({
  /** Server base URL, e.g. http://127.0.0.1:8086 (InfluxDB 1.x HTTP API; 2.x/3.x through their 1.x-compatible /write). */
  url: z.url({ protocol: /^https?$/ }),
  /** Database (created when missing). */
  database: z.string().min(1).default('holoring'),
  /** HTTP basic credentials. */
  username: z.string().optional(),
  password: z.string().optional(),
  /** Retention policy to write into (must exist; default: the database's default policy). */
  retentionPolicy: z.string().min(1).optional(),
  /** Points per write request. */
  batchSize: z.number().int().min(1).max(100_000).default(1000),
  /** How often the sink looks for new journaled data, ms. */
  flushMs: z.number().int().min(10).max(600_000).default(1000),
});

export type InfluxConfig = z.infer<typeof InfluxConfigSchema>;
