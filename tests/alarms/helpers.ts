import pino from 'pino';
import { type AlarmsConfig, AlarmsConfigSchema } from '../../src/config/alarms.ts';
import type { Logger } from '../../src/log.ts';

/** The alarms section with its defaults and `over` merged one level deep. */
export function alarmsConfig(over: Record<string, Record<string, unknown> | boolean | number> = {}): AlarmsConfig {
  return AlarmsConfigSchema.parse(over);
}

/** A logger whose JSON lines are parsed into `lines`. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { logger, lines };
}
