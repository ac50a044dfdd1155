import type { AlarmsConfig } from '../config/alarms.ts';
import type { Logger } from '../log.ts';
import type { AlarmEvent, AlarmSink } from './types.ts';

/**
 * The log sink: one structured line per change (`event: 'alarm'`), at error
 * for a critical raise, warn for a warning raise, info otherwise.
 */
export function logSink(logger: Logger): AlarmSink {
  const log = logger.child({ component: 'alarms' });
  return (e) => {
    const level = e.state !== 'raised' ? 'info' : e.severity === 'critical' ? 'error' : e.severity === 'warning' ? 'warn' : 'info';
    const what = e.state === 'raised' ? e.message : e.state === 'cleared' ? `cleared: ${e.message}` : `acknowledged by ${e.who}: ${e.message}`;
    log[level]({ event: 'alarm', alarm: { id: e.id, rule: e.rule, severity: e.severity, state: e.state, value: e.value, closed: e.closed, ...(e.who ? { who: e.who } : {}) }, action: e.action }, `alarm ${e.id}: ${what}`);
  };
}

/**
 * The run-documents sink: hands each change to `append` as an `alarm` document
 * (RUN-LAYOUT.md: {type:'alarm', time, id, rule, severity, state, message, action});
 * the run store adds the run id.
 */
export function documentSink(append: (doc: AlarmEvent) => void | Promise<void>): AlarmSink {
  return (e) => append(e);
}

export interface WebhookStats {
  delivered: number;
  failed: number;
  /** Dropped because `alarms.webhook.maxQueue` deliveries were already waiting. */
  dropped: number;
}

/**
 * The webhook sink: POSTs each change as JSON (`{alarm: AlarmEvent}`,
 * content-type application/json) to `alarms.webhook.url`, one at a time in
 * order, each bounded by `timeoutMs`. A failure is logged and counted, never
 * retried (the run documents are the record); beyond `maxQueue` waiting
 * deliveries the newest are dropped and counted.
 */
export function webhookSink(c: AlarmsConfig['webhook'] & { url: string }, logger: Logger): AlarmSink & { stats(): WebhookStats } {
  const log = logger.child({ component: 'alarms', webhook: c.url });
  const stats: WebhookStats = { delivered: 0, failed: 0, dropped: 0 };
  let queued = 0;
  let tail: Promise<void> = Promise.resolve();
  const post = async (e: AlarmEvent): Promise<void> => {
    try {
      const res = await fetch(c.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ alarm: e }),
        signal: AbortSignal.timeout(c.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      stats.delivered++;
    } catch (err) {
      stats.failed++;
      log.warn({ err: (err as Error).message, alarm: e.id }, `alarm ${e.id} could not be posted to the webhook`);
    }
  };
  const sink = (e: AlarmEvent): Promise<void> => {
    if (queued >= c.maxQueue) {
      stats.dropped++;
      return Promise.resolve();
    }
    queued++;
    tail = tail.then(() => post(e)).finally(() => void queued--);
    return tail;
  };
  return Object.assign(sink, { stats: () => ({ ...stats }) });
}
