import type { SchedulerLike } from 'rxjs';
import type { AlarmsConfig } from '../config/alarms.ts';
import type { Logger } from '../log.ts';
import { AlarmEngine } from './engine.ts';
import { documentSink, logSink, webhookSink } from './sinks.ts';
import type { AlarmEvent, AlarmSink } from './types.ts';

export { AlarmEngine, AlarmErrors } from './engine.ts';
export { hawkingPageBound, RULES } from './rules.ts';
export { diskFreeBytes } from './disk.ts';
export { documentSink, logSink, webhookSink } from './sinks.ts';
export * from './types.ts';

export interface AlarmDeps {
  logger: Logger;
  scheduler?: SchedulerLike;
  /** Appends an `alarm` document to the run (absent: no run record). */
  appendDocument?: (doc: AlarmEvent) => void | Promise<void>;
}

/**
 * The alarm engine with its configured sinks: the log always, the run's
 * documents when given, the webhook when `alarms.webhook.url` is set.
 */
export function createAlarms(config: AlarmsConfig, deps: AlarmDeps): AlarmEngine {
  const sinks: AlarmSink[] = [logSink(deps.logger)];
  if (deps.appendDocument) sinks.push(documentSink(deps.appendDocument));
  const url = config.webhook.url;
  if (url) sinks.push(webhookSink({ ...config.webhook, url }, deps.logger));
  return new AlarmEngine(config, { logger: deps.logger, sinks, ...(deps.scheduler ? { scheduler: deps.scheduler } : {}) });
}
