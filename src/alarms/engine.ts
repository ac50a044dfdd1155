import { BehaviorSubject, type Observable, type SchedulerLike, Subject, type Subscription, asyncScheduler, interval } from 'rxjs';
import type { AlarmsConfig } from '../config/alarms.ts';
import { HoloringError } from '../errors.ts';
import { type Logger, silentLogger } from '../log.ts';
import { type Condition, RULES } from './rules.ts';
import { ALARM_RULES, type Alarm, type AlarmEvent, type AlarmInputs, type AlarmRule, type AlarmSink } from './types.ts';

export const AlarmErrors = {
  UNKNOWN: 'RING_ERR_ALARM_UNKNOWN',
} as const;

export interface AlarmEngineOptions {
  /** Clock and timer (virtual in tests). */
  scheduler?: SchedulerLike;
  logger?: Logger;
  /** Consumers of every change (log, run documents, webhook). */
  sinks?: AlarmSink[];
}

interface Sample {
  at: number;
  inputs: AlarmInputs;
}

/** Most samples kept for the rate rules (one per evaluation over the longest window). */
const MAX_SAMPLES = 10_000;

/**
 * Rules → latched alarms → sinks. `evaluate(inputs)` judges every enabled rule
 * against a snapshot of the daemon (or `run(provider)` does so every
 * `alarms.evaluateMs`). An alarm is raised when its condition appears and stays
 * in the list until its condition is gone AND someone acknowledged it
 * (`ack(id, who)`), in either order (ISA-18.2 latching). Every change goes to the
 * sinks and to `events$`; `alarms$` is the current list (for the server).
 */
export class AlarmEngine {
  private readonly scheduler: SchedulerLike;
  private readonly log: Logger;
  private readonly sinks: AlarmSink[];
  private readonly current = new Map<AlarmRule, Alarm>();
  private readonly list = new BehaviorSubject<readonly Alarm[]>([]);
  private readonly changes = new Subject<AlarmEvent>();
  private readonly samples: Sample[] = [];
  private readonly windowMs: number;
  private timer: Subscription | null = null;
  private counter = 0;
  private pending = new Set<Promise<void>>();

  /** The latched alarms, newest last; replays the current list to a new subscriber. */
  readonly alarms$: Observable<readonly Alarm[]> = this.list.asObservable();
  /** Every raise, clear and acknowledgement. */
  readonly events$: Observable<AlarmEvent> = this.changes.asObservable();

  constructor(private readonly config: AlarmsConfig, opts: AlarmEngineOptions = {}) {
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.log = (opts.logger ?? silentLogger()).child({ component: 'alarms' });
    this.sinks = opts.sinks ?? [];
    this.windowMs = 1000 * Math.max(config.checksumRate.windowSeconds, config.sequenceGaps.windowSeconds);
  }

  /** The latched alarms now. */
  alarms(): readonly Alarm[] {
    return this.list.value;
  }

  /** The enabled rules. */
  rules(): AlarmRule[] {
    return this.config.enabled ? ALARM_RULES.filter((r) => this.config[r].enabled) : [];
  }

  /** Judges every enabled rule against `inputs` (a snapshot taken now) and publishes the changes. */
  evaluate(inputs: AlarmInputs): void {
    const now = this.scheduler.now();
    this.samples.push({ at: now, inputs });
    while (this.samples.length > MAX_SAMPLES || (this.samples.length > 1 && this.samples[1].at <= now - this.windowMs)) this.samples.shift();
    const past = (windowMs: number): AlarmInputs | undefined => this.samples.find((s) => s.at >= now - windowMs)?.inputs;
    for (const rule of this.rules()) {
      let j;
      try {
        j = RULES[rule]({ now, inputs, past }, this.config);
      } catch (e) {
        this.log.error({ err: e, rule }, `alarm rule ${rule} failed; it is skipped this time`);
        continue;
      }
      if (j === undefined) continue;
      if (j === null) this.clear(rule, now);
      else this.raise(rule, j, now);
    }
  }

  /** Evaluates `provider()` every `alarms.evaluateMs` on the scheduler until `stop()`. */
  run(provider: () => AlarmInputs): void {
    this.timer?.unsubscribe();
    if (!this.config.enabled) return;
    this.timer = interval(this.config.evaluateMs, this.scheduler).subscribe(() => this.evaluate(provider()));
  }

  /**
   * Acknowledges an alarm on behalf of `who`. Returns the alarm as it stands after
   * the acknowledgement (state 'acknowledged', or removed from the list when its
   * condition had already cleared).
   * @throws RING_ERR_ALARM_UNKNOWN when no latched alarm has this id.
   */
  ack(id: string, who: string): Alarm {
    const a = [...this.current.values()].find((x) => x.id === id);
    if (!a) {
      throw new HoloringError(AlarmErrors.UNKNOWN, `no latched alarm ${id}: it may have been acknowledged and cleared already (GET /api/alarms lists the current ones)`, { id });
    }
    const now = this.scheduler.now();
    if (a.state === 'acknowledged') return a;
    const closed = !a.active;
    const next: Alarm = { ...a, state: 'acknowledged', acknowledgedBy: who, changedAt: iso(now) };
    this.publish(next, now, closed, who);
    return next;
  }

  /** Stops the periodic evaluation and waits (bounded by each sink's own timeout) for deliveries in flight. */
  async stop(): Promise<void> {
    this.timer?.unsubscribe();
    this.timer = null;
    await this.flush();
  }

  /** Waits for sink deliveries in flight. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private raise(rule: AlarmRule, c: Condition, now: number): void {
    const a = this.current.get(rule);
    if (!a) {
      const id = `${rule}-${++this.counter}`;
      this.publish({ id, rule, severity: this.config[rule].severity, state: 'raised', active: true, ...c, raisedAt: iso(now), changedAt: iso(now) }, now, false);
    } else if (!a.active) {
      // back before anyone acknowledged: the same alarm, raised again
      this.publish({ ...a, ...c, state: 'raised', active: true, changedAt: iso(now) }, now, false);
    } else {
      // still present: keep the latest wording and value without a new event
      this.current.set(rule, { ...a, ...c });
      this.list.next([...this.current.values()]);
    }
  }

  private clear(rule: AlarmRule, now: number): void {
    const a = this.current.get(rule);
    if (!a || !a.active) return;
    const closed = a.state === 'acknowledged';
    this.publish({ ...a, state: 'cleared', active: false, changedAt: iso(now) }, now, closed);
  }

  private publish(a: Alarm, now: number, closed: boolean, who?: string): void {
    if (closed) this.current.delete(a.rule);
    else this.current.set(a.rule, a);
    this.list.next([...this.current.values()]);
    const e: AlarmEvent = {
      type: 'alarm', id: a.id, rule: a.rule, severity: a.severity, state: a.state, message: a.message, action: a.action,
      value: a.value, time: iso(now), closed, ...(who !== undefined ? { who } : {}),
    };
    this.changes.next(e);
    for (const sink of this.sinks) {
      let p: Promise<void>;
      try {
        p = Promise.resolve(sink(e));
      } catch (err) {
        p = Promise.reject(err);
      }
      const tracked = p.catch((err: unknown) => this.log.warn({ err, alarm: e.id }, 'an alarm sink failed')).finally(() => this.pending.delete(tracked));
      this.pending.add(tracked);
    }
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
