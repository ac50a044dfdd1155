import { InfluxDB } from 'influx';
import { ErrorCodes, HoloringError } from '../../errors.ts';

/**
 * Where the InfluxDB sink writes (config `storage.influx`, `--influx URL`).
 * InfluxDB 1.x HTTP API (`/write`, `/query`); 2.x and 3.x accept the same writes
 * through their 1.x compatibility endpoints.
 */
export interface InfluxTarget {
  /** Server base URL, e.g. http://127.0.0.1:8086 (a path prefix is kept). */
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Retention policy to write into (must exist; default: the database's default policy). */
  retentionPolicy?: string;
  /** Points per write request. */
  batchSize: number;
  /** The sink looks for new journaled data this often, ms. */
  flushMs: number;
}

export const INFLUX_DEFAULTS = { batchSize: 1000, flushMs: 1000 } as const;

/**
 * Parses `--influx URL`: `http[s]://[user:password@]host:port/DATABASE`.
 * The database is the last path segment; a longer path is kept as the server
 * prefix (a proxy). Refuses with RING_ERR_ARG_INVALID.
 */
export function parseInfluxUrl(spec: string): Pick<InfluxTarget, 'url' | 'database' | 'username' | 'password'> {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `${spec}: not a URL (expected http://HOST:PORT/DATABASE, e.g. http://127.0.0.1:8086/holoring)`, { spec });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `${spec}: the scheme must be http or https (got ${u.protocol})`, { spec });
  }
  const parts = u.pathname.split('/').filter((p) => p.length > 0);
  const database = decodeURIComponent(parts.pop() ?? '');
  if (!database) {
    throw new HoloringError(ErrorCodes.ARG_INVALID, `${spec}: name the database in the path, e.g. ${u.origin}/holoring`, { spec });
  }
  const prefix = parts.length ? '/' + parts.join('/') : '';
  return {
    url: u.origin + prefix,
    database,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** The target's URL and database for logs and status (never the password). */
export function describeTarget(t: Pick<InfluxTarget, 'url' | 'database'>): string {
  return `${t.url}/${t.database}`;
}

/** A backoff that never takes the host out of the client's pool: the sink retries and backs off itself. */
const noPoolBackoff = { getDelay: () => 0, next: () => noPoolBackoff, reset: () => noPoolBackoff };

/**
 * An `influx` client for the target: one host, no retries or backoff inside
 * the client (the sink owns them), requests bounded by `timeoutMs`.
 */
export function influxClient(t: InfluxTarget, timeoutMs = 10_000): InfluxDB {
  const u = new URL(t.url);
  return new InfluxDB({
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    ...(u.pathname && u.pathname !== '/' ? { path: u.pathname } : {}),
    database: t.database,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    pool: { maxRetries: 0, requestTimeout: timeoutMs, backoff: noPoolBackoff },
  });
}
