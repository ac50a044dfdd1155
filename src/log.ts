import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { HOLORING_VERSION } from './version.ts';

export type { Logger };

export interface LogOptions {
  level?: pino.LevelWithSilent;
  /** Destination file descriptor (default 2, stderr) or a writable stream. */
  destination?: number | NodeJS.WritableStream;
  /** Human-readable lines instead of JSON (default: when the destination is a terminal). */
  pretty?: boolean;
}

/**
 * The root structured logger (JSON lines; human-readable on a terminal).
 * Components take a child logger: `log.child({ component: 'device' })`; tests
 * parse the JSON lines.
 */
export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.destination ?? 2;
  const isTty = typeof dest === 'number' ? dest === 2 && !!process.stderr.isTTY : false;
  const options = { level: opts.level ?? 'info', base: { app: 'holoring', version: HOLORING_VERSION }, timestamp: pino.stdTimeFunctions.isoTime };
  if (opts.pretty ?? isTty) {
    return pino(options, pretty({ destination: typeof dest === 'number' ? dest : 2, sync: true, ignore: 'app,version,pid,hostname', translateTime: 'HH:MM:ss', singleLine: true }));
  }
  const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : dest;
  return pino(options, stream);
}

/** A logger that drops everything (for library use and unit tests). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
