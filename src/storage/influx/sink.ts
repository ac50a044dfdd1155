import type { IPoint, InfluxDB } from 'influx';
import type { Logger } from '../../log.ts';
import { type InfluxCursor, loadCursor, saveCursor } from './cursor.ts';
import { healthPoint } from './points.ts';
import { type Batch, backlogBytes, readBatch } from './projection.ts';
import { type InfluxTarget, describeTarget, influxClient } from './target.ts';

/**
 * The InfluxDB sink of one run (docs/influx.md): a projection of the run's
 * journal segments and documents into InfluxDB, read through a persisted
 * cursor. It writes in batches of `batchSize` points, looks for new data every
 * `flushMs`, creates the database when missing, and retries a failed write
 * with exponential backoff for as long as the server is away; the journal on
 * disk is the buffer, so an outage of any length costs no memory and is
 * back-filled in order. `health` points (live counters, not in the journal)
 * wait in a bounded queue; the oldest are dropped, and counted, beyond it.
 */
export interface InfluxSinkStatus {
  state: 'idle' | 'writing' | 'retrying' | 'stopped';
  target: string;
  /** Points acknowledged by the server, in total and per measurement. */
  pointsWritten: number;
  written: Record<string, number>;
  batches: number;
  /** Failed attempts (writes, database creation) since the sink started. */
  retries: number;
  /** Bytes of the run's files not yet written (the backlog). */
  backlogBytes: number;
  /** The backlog in points, estimated from the mean frame line size of the current segment. */
  backlogPoints: number;
  /** Points read and waiting for the server's acknowledgement. */
  pendingPoints: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastWriteAt: string | null;
  databaseCreated: boolean;
  rejected: number;
  skippedLines: number;
  tornBytes: number;
  healthQueued: number;
  healthDropped: number;
}

export interface InfluxSinkOptions {
  runDir: string;
  target: InfluxTarget;
  logger: Logger;
  /** Live counters for the `health` measurement, read every `health.everyMs` (default 10 000). */
  health?: { read: () => Record<string, number>; everyMs?: number };
  /** Health points kept while the server is away (default 360: an hour at 10 s). */
  maxHealthPoints?: number;
  /** Backoff between failed attempts: doubles from initialMs up to maxMs (defaults 250 and 5000). */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * HTTP request timeout, ms (default 10 000). An attempt (a write, the database
   * check) that has not settled within twice this time counts as failed and is
   * retried: the client's own timeout does not cover a reply whose body never ends.
   */
  requestTimeoutMs?: number;
  /** How long stop() keeps writing what is left before it gives up (default 10 000 ms). */
  drainMs?: number;
  /** Host clock, ms since the epoch (default Date.now). */
  now?: () => number;
  /** A client to use instead of one made from the target. */
  client?: InfluxDB;
}

export interface InfluxSink {
  start(): Promise<void>;
  /** Writes what the run's files hold (within `drainMs`), saves the cursor and stops. */
  stop(): Promise<void>;
  status(): InfluxSinkStatus;
  /** Queues one `health` point now with these fields (plus the sink's own). */
  recordHealth(fields: Record<string, number>): void;
}

/** HTTP status of a failed `influx` request, when the server answered. */
function httpStatus(e: unknown): number | null {
  const res = (e as { res?: { statusCode?: number } })?.res;
  return typeof res?.statusCode === 'number' ? res.statusCode : null;
}

export function createInfluxSink(opts: InfluxSinkOptions): InfluxSink {
  const { runDir, target } = opts;
  const log = opts.logger.child({ component: 'influx', target: describeTarget(target) });
  const client = opts.client ?? influxClient(target, opts.requestTimeoutMs);
  const now = opts.now ?? Date.now;
  const backoff = opts.backoff ?? { initialMs: 250, maxMs: 5000 };
  const maxHealth = opts.maxHealthPoints ?? 360;
  const attemptMs = 2 * (opts.requestTimeoutMs ?? 10_000);
  let cursor: InfluxCursor;
  const health: { fields: Record<string, number>; timeNs: bigint }[] = [];
  const st: InfluxSinkStatus = {
    state: 'idle', target: describeTarget(target), pointsWritten: 0, written: {}, batches: 0, retries: 0, backlogBytes: 0, backlogPoints: 0, pendingPoints: 0,
    lastError: null, lastErrorAt: null, lastWriteAt: null, databaseCreated: false, rejected: 0, skippedLines: 0, tornBytes: 0, healthQueued: 0, healthDropped: 0,
  };
  let stopping = false;
  let drainUntil = Infinity;
  let databaseReady = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  let healthTimer: NodeJS.Timeout | null = null;

  const measureBacklog = async (): Promise<void> => {
    st.backlogBytes = await backlogBytes(runDir, cursor);
    st.backlogPoints = cursor.segmentFrames > 0 ? Math.round((st.backlogBytes * cursor.segmentFrames) / cursor.offset) : 0;
  };

  const recordHealth = (fields: Record<string, number>): void => {
    const own = { influx_backlog_bytes: st.backlogBytes, influx_backlog_points: st.backlogPoints, influx_retries: st.retries, influx_points_written: st.pointsWritten, influx_pending_points: st.pendingPoints };
    health.push({ fields: { ...fields, ...own }, timeNs: BigInt(Math.round(now())) * 1_000_000n });
    if (health.length > maxHealth) {
      health.splice(0, health.length - maxHealth);
      st.healthDropped++;
    }
  };

  const pause = (ms: number): Promise<void> => new Promise((resolve) => {
    const t = setTimeout(() => { wake = null; resolve(); }, ms);
    wake = () => { clearTimeout(t); wake = null; resolve(); };
  });

  const fail = (what: string, e: unknown): void => {
    st.retries++;
    st.state = 'retrying';
    const msg = `${what}: ${(e as Error)?.message ?? String(e)}`;
    if (msg !== st.lastError) log.warn({ err: msg, retries: st.retries }, 'InfluxDB unavailable; the journal keeps everything and the sink retries');
    st.lastError = msg;
    st.lastErrorAt = new Date(now()).toISOString();
  };

  const ensureDatabase = async (): Promise<void> => {
    const names = await client.getDatabaseNames();
    if (!names.includes(target.database)) {
      await client.createDatabase(target.database);
      st.databaseCreated = true;
      log.info({ database: target.database }, 'InfluxDB database created');
    }
    databaseReady = true;
  };

  /** A request of the client, failed when it has not settled within `attemptMs` (an abandoned one settles unheard). */
  const bounded = <T>(what: string, request: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const pending = request();
    pending.catch(() => undefined);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no complete answer within ${attemptMs} ms`)), attemptMs);
    });
    return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
  };

  /** One attempt at a batch: true when the server took it (or refused it for good). */
  const attempt = async (batch: Batch): Promise<boolean> => {
    try {
      if (!databaseReady) await bounded('database check', ensureDatabase);
      if (batch.points.length) {
        await bounded('write', () => client.writePoints(batch.points, { precision: 'n', ...(target.retentionPolicy ? { retentionPolicy: target.retentionPolicy } : {}) }));
      }
      return true;
    } catch (e) {
      const code = httpStatus(e);
      if (code === 404) databaseReady = false;
      if (code === 400) {
        // the server wrote the valid points and refused the rest: retrying cannot help
        batch.next.rejected += batch.points.length;
        st.lastError = `points refused (HTTP 400): ${(e as Error).message}`;
        st.lastErrorAt = new Date(now()).toISOString();
        log.error({ err: st.lastError }, 'InfluxDB refused points; they are skipped (the journal still holds the frames)');
        return true;
      }
      fail(code ? `HTTP ${code}` : 'write failed', e);
      return false;
    }
  };

  const commit = async (batch: Batch, healthTaken: number): Promise<void> => {
    for (const p of batch.points) batch.next.written[p.measurement!] = (batch.next.written[p.measurement!] ?? 0) + 1;
    cursor = batch.next;
    st.healthQueued = health.length;
    st.batches++;
    st.lastWriteAt = new Date(now()).toISOString();
    st.pendingPoints = 0;
    st.state = 'writing';
    if (healthTaken) log.debug({ healthTaken }, 'health points written');
    await saveCursor(runDir, cursor);
    Object.assign(st, { written: { ...cursor.written }, pointsWritten: Object.values(cursor.written).reduce((a, b) => a + b, 0), rejected: cursor.rejected, skippedLines: cursor.skippedLines, tornBytes: cursor.tornBytes });
    // the backlog as it is now, not as it was when the last outage ended (a back-fill is a long pass of batches)
    await measureBacklog();
  };

  /** Writes everything the files hold now; returns false when it gave up (stopping past the drain budget). */
  const pump = async (): Promise<boolean> => {
    for (;;) {
      const batch = await readBatch(runDir, cursor, target.batchSize);
      for (const n of batch.notes) log.warn({ runDir }, n);
      // health points ride along with the run's own, once the run's tags are known
      const tags = batch.next.tags;
      const healthTaken = tags ? health.length : 0;
      for (const h of health.splice(0, healthTaken)) batch.points.push(healthPoint(h.fields, h.timeNs, tags!));
      if (batch.points.length === 0 && cursor.documents === batch.next.documents && cursor.offset === batch.next.offset && cursor.segment === batch.next.segment) return true;
      st.pendingPoints = batch.points.length;
      if (st.state !== 'retrying') st.state = 'writing';
      const taken = batch.points.slice(batch.points.length - healthTaken);
      try {
        let delay = backoff.initialMs;
        while (!(await attempt(batch))) {
          await measureBacklog();
          if (now() > drainUntil) {
            requeueHealth(taken);
            return false;
          }
          await pause(Math.min(delay, Math.max(0, drainUntil - now())));
          delay = Math.min(backoff.maxMs, delay * 2);
        }
        if (st.state === 'retrying') log.info({ retries: st.retries }, 'InfluxDB is back; back-filling from the journal');
        await commit(batch, healthTaken);
      } catch (e) {
        // the batch was not acknowledged: its run points are read again from the cursor, its health points wait again
        requeueHealth(taken);
        throw e;
      }
    }
  };

  /** Puts the health points of an unacknowledged batch back at the head of the queue (within its bound). */
  const requeueHealth = (points: IPoint[]): void => {
    st.pendingPoints = 0;
    if (points.length === 0) return;
    health.unshift(...points.map((p) => ({ fields: p.fields as Record<string, number>, timeNs: BigInt(p.timestamp as string) })));
    if (health.length > maxHealth) {
      st.healthDropped += health.length - maxHealth;
      health.splice(0, health.length - maxHealth);
    }
  };

  const run = async (): Promise<void> => {
    while (!stopping) {
      try {
        await pump();
      } catch (e) {
        // the run's files could not be read (permissions, a vanished directory): say so and try again
        fail('reading the run', e);
      }
      await measureBacklog();
      if (st.state !== 'retrying') st.state = 'idle';
      if (!stopping) await pause(target.flushMs);
    }
  };

  return {
    async start() {
      const loaded = await loadCursor(runDir);
      if (loaded.problem) log.warn(loaded.problem);
      cursor = loaded.cursor;
      Object.assign(st, { written: { ...cursor.written }, pointsWritten: Object.values(cursor.written).reduce((a, b) => a + b, 0) });
      log.info({ database: target.database, batchSize: target.batchSize, flushMs: target.flushMs }, 'InfluxDB sink started');
      if (opts.health) {
        const h = opts.health;
        healthTimer = setInterval(() => recordHealth(h.read()), h.everyMs ?? 10_000);
        healthTimer.unref();
      }
      loop = run().catch((e: unknown) => {
        st.lastError = `sink failed: ${(e as Error).message}`;
        log.error({ err: e }, 'InfluxDB sink failed; the journal keeps everything');
      });
    },
    async stop() {
      if (healthTimer) clearInterval(healthTimer);
      stopping = true;
      drainUntil = now() + (opts.drainMs ?? 10_000);
      wake?.();
      await loop;
      // a last pass for what the journal flushed at its close
      const drained = await pump().catch((e: unknown) => {
        st.lastError = `sink failed: ${(e as Error).message}`;
        return false;
      });
      await measureBacklog();
      st.state = 'stopped';
      log.info({ written: st.written, backlogBytes: st.backlogBytes, retries: st.retries, drained }, drained ? 'InfluxDB sink stopped, all written' : 'InfluxDB sink stopped with a backlog; it is written when the run resumes');
    },
    status: () => ({ ...st, written: { ...st.written }, healthQueued: health.length }),
    recordHealth,
  };
}
