import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { type Observable, Subject } from 'rxjs';
import pretty from 'pino-pretty';
import { HOLORING_VERSION } from './version.ts';

export type { Logger };

export interface LogOptions {
  level?: pino.LevelWithSilent;
  /** Destination file descriptor (default 2, stderr) or a writable stream. */
  destination?: number | NodeJS.WritableStream;
  /** Human-readable lines instead of JSON (default: when the destination is a terminal). */
  pretty?: boolean;
  /** A second destination that receives every line too (e.g. a LogFeed's stream). */
  feed?: NodeJS.WritableStream;
}

/**
 * The root structured logger (JSON lines; human-readable on a terminal).
 * Components take a child logger: `log.child({ component: 'device' })`; tests
 * parse the JSON lines.
 */
export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.destination ?? 2;
  const isTty = typeof dest === 'number' ? dest === 2 && !!process.stderr.isTTY : false;
  const options = { level: opts.level ?? 'info', base: { app: 'holoring', holoringVersion: HOLORING_VERSION }, timestamp: pino.stdTimeFunctions.isoTime };
  const stream = (opts.pretty ?? isTty)
    ? pretty({ destination: typeof dest === 'number' ? dest : 2, sync: true, ignore: 'app,holoringVersion,pid,hostname', translateTime: 'HH:MM:ss', singleLine: true })
    : typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : dest;
  if (!opts.feed) return pino(options, stream);
  return pino(options, pino.multistream([{ level: 'trace', stream }, { level: 'trace', stream: opts.feed }]));
}

/** A logger that drops everything (for library use and unit tests). */
export const silentLogger = (): Logger => pino({ level: 'silent' });

/** One log line as the dashboard shows it. */
export interface LogEntry {
  /** ISO-8601 time. */
  time: string;
  level: string;
  msg: string;
  component?: string;
}

export interface LogFeed {
  /** Give this to createLogger({ feed }). */
  stream: Writable;
  /** Every line written, parsed (hot). */
  entries$: Observable<LogEntry>;
}

/** A tap on the logger for the dashboard's log view: parses each JSON line the logger writes. */
export function createLogFeed(): LogFeed {
  const entries = new Subject<LogEntry>();
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        try {
          const o = JSON.parse(line) as { time?: string; level?: number; msg?: string; component?: string };
          entries.next({ time: o.time ?? new Date().toISOString(), level: pino.levels.labels[o.level ?? 30] ?? String(o.level), msg: o.msg ?? '', ...(o.component ? { component: o.component } : {}) });
        } catch {
          // not a JSON line: nothing to show
        }
      }
      cb();
    },
  });
  return { stream, entries$: entries.asObservable() };
}
