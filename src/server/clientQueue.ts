import type { Clock } from './decimate.ts';
import { COALESCING, type ClientStats, type Topic } from './protocol.ts';

/** One encoded broadcast message. */
export interface QueueItem {
  topic: Topic;
  seq: number;
  /** The encoded message (shared by every client). */
  text: string;
}

export interface ClientQueueOptions {
  /** Writes one message; `done` is called once it has left the process (the socket took it). */
  send: (text: string, done: () => void) => void;
  /** Time (injected: tests run in virtual time). */
  clock: Clock;
  /** Event messages (fit, alarm, log) held at most; the oldest is dropped beyond (default 256). */
  maxEvents?: number;
  /** Bytes written but not yet taken by the socket above which nothing more is written (default 256 KiB). */
  highWaterBytes?: number;
  /** Shortest interval per state topic in ms (a client's rate cap). */
  minIntervalMs?: Partial<Record<Topic, number>>;
  /** Told of each message that is not delivered. */
  onDrop?: (topic: Topic, reason: 'coalesced' | 'overflow') => void;
}

/** A state message is sent when at least this fraction of its interval has passed (frame-time jitter). */
const INTERVAL_SLACK = 0.9;

/**
 * The bounded queue between the hub and one WebSocket client. State topics
 * (status, ring, response) keep only their newest message: a newer one
 * replaces an unsent older one (counted as coalesced). Events (fit, alarm, log)
 * wait in order in a FIFO of `maxEvents`; beyond it the oldest is dropped
 * (counted as overflow). Nothing is written while more than `highWaterBytes`
 * are still on their way to the socket, so a slow or stalled client holds at
 * most one message per state topic plus `maxEvents` events, and never slows
 * the hub or the other clients. Messages go out in `seq` order.
 */
export class ClientQueue {
  private readonly opts: Required<Omit<ClientQueueOptions, 'onDrop' | 'minIntervalMs'>> & Pick<ClientQueueOptions, 'onDrop'>;
  private readonly slots = new Map<Topic, QueueItem>();
  private events: QueueItem[] = [];
  private readonly lastSent = new Map<Topic, number>();
  private minInterval: Partial<Record<Topic, number>>;
  private inflight = 0;
  private cancelTimer: (() => void) | null = null;
  private closed = false;
  private sent = 0;
  private readonly dropped: Record<string, number> = {};

  constructor(opts: ClientQueueOptions) {
    this.opts = { ...opts, maxEvents: opts.maxEvents ?? 256, highWaterBytes: opts.highWaterBytes ?? 256 * 1024 };
    this.minInterval = { ...opts.minIntervalMs };
  }

  /** Caps a state topic at `hz` messages per second (undefined: no cap of its own). */
  setRate(topic: Topic, hz: number | undefined): void {
    if (hz === undefined) delete this.minInterval[topic];
    else this.minInterval[topic] = 1000 / hz;
    this.pump();
  }

  /** Queues a broadcast message (coalescing state, bounding events) and writes what the socket can take. */
  push(item: QueueItem): void {
    if (this.closed) return;
    if (COALESCING.has(item.topic)) {
      if (this.slots.has(item.topic)) this.drop(item.topic, 'coalesced');
      this.slots.set(item.topic, item);
    } else {
      if (this.events.length >= this.opts.maxEvents) {
        const old = this.events.shift()!;
        this.drop(old.topic, 'overflow');
      }
      this.events.push(item);
    }
    this.pump();
  }

  /** Writes a message ahead of the queue (hello, pong, error). */
  sendNow(text: string): void {
    if (!this.closed) this.write(text);
  }

  /** Bytes handed to the socket and not yet taken. */
  get pendingBytes(): number {
    return this.inflight;
  }

  stats(): ClientStats {
    return { queued: this.slots.size + this.events.length, sent: this.sent, dropped: { ...this.dropped } };
  }

  /** Drops everything held and stops writing. */
  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.slots.clear();
    this.events = [];
  }

  private drop(topic: Topic, reason: 'coalesced' | 'overflow'): void {
    this.dropped[topic] = (this.dropped[topic] ?? 0) + 1;
    this.opts.onDrop?.(topic, reason);
  }

  private write(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.inflight += bytes;
    this.sent++;
    let called = false;
    this.opts.send(text, () => {
      if (called) return;
      called = true;
      this.inflight -= bytes;
      this.pump();
    });
  }

  /** The next message due now (lowest seq), or the time the earliest held state message becomes due. */
  private next(now: number): { item: QueueItem | null; dueIn: number } {
    let best: QueueItem | null = this.events[0] ?? null;
    let dueIn = Infinity;
    for (const [topic, item] of this.slots) {
      const gap = this.minInterval[topic];
      const last = this.lastSent.get(topic);
      const wait = gap === undefined || last === undefined ? 0 : last + gap * INTERVAL_SLACK - now;
      if (wait > 0) dueIn = Math.min(dueIn, wait);
      else if (!best || item.seq < best.seq) best = item;
    }
    return { item: best, dueIn };
  }

  /** Writes due messages while the socket keeps up; schedules itself for held state messages. */
  pump(): void {
    if (this.closed) return;
    const now = this.opts.clock.now();
    while (this.inflight < this.opts.highWaterBytes) {
      const { item, dueIn } = this.next(now);
      if (!item) {
        if (dueIn < Infinity && !this.cancelTimer) {
          this.cancelTimer = this.opts.clock.schedule(() => {
            this.cancelTimer = null;
            this.pump();
          }, Math.ceil(dueIn));
        }
        return;
      }
      if (COALESCING.has(item.topic)) {
        this.slots.delete(item.topic);
        this.lastSent.set(item.topic, now);
      } else {
        this.events.shift();
      }
      this.write(item.text);
    }
  }
}
