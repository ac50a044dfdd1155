import pino, { type Logger } from 'pino';

export type { Logger };

export interface LogOptions {
  level?: pino.LevelWithSilent;
  /** Destination file descriptor (default 2, stderr) or a writable stream. */
  destination?: number | NodeJS.WritableStream;
}

/**
 * The root structured logger (JSON lines). Components take a child logger:
 * `log.child({ component: 'device' })`; tests parse the JSON lines.
 */
export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.destination ?? 2;
  const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : dest;
  return pino({ level: opts.level ?? 'info', base: { app: 'holoring' }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

/** A logger that drops everything (for library use and unit tests). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
