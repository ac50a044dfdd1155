import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Logger } from '../log.ts';
import { ClientQueue, type QueueItem } from './clientQueue.ts';
import { type Clock, systemClock } from './decimate.ts';
import { COALESCING, PROTOCOL_VERSION, type RatedTopic, type ServerMessage, type Topic, TOPICS, WsErrorCodes, encode, parseClientMessage } from './protocol.ts';

/**
 * The WebSocket hub: one `seq` for every broadcast message, one encoding of
 * each message shared by every client, a bounded queue per client
 * (ClientQueue), resume from a client's last `seq`, and ping/pong that ends
 * clients that stop answering. Publishing costs the hub the same whether a
 * client is fast, slow or stalled.
 */
export interface HubOptions {
  /** Server version reported in `hello`. */
  version: string;
  /** The full state a new client starts from (the `hello` snapshot). */
  snapshot: () => unknown;
  clock?: Clock;
  /** Ping interval; a client that has not answered the previous ping is terminated (default 15 s). */
  pingMs?: number;
  /** Event messages (fit, alarm, log) kept for resuming clients (default 2048, and at most `historyBytes`). */
  historyMessages?: number;
  historyBytes?: number;
  /** Per-client bounds (ClientQueue). */
  maxEvents?: number;
  highWaterBytes?: number;
  /** Connections, disconnections and clients ended for not answering. */
  logger?: Logger;
  /**
   * Messages per second one client may send (a burst of twice that is
   * allowed); beyond it messages are refused with RING_ERR_WS_FLOOD, and a
   * client that sends more than ten times the rate in a second is closed with
   * 1008 (policy violation). Default 20.
   */
  clientMessagesPerSecond?: number;
}

export interface HubTotals {
  connected: number;
  connections: number;
  /** Clients ended because they stopped answering pings. */
  unresponsive: number;
  /** Client messages refused for exceeding the rate, and clients closed for flooding. */
  flooded: number;
  floodClosed: number;
  messages: number;
  bytes: number;
  /** Messages not delivered, by `topic:reason` (coalesced | overflow). */
  dropped: Record<string, number>;
  resumed: number;
  snapshots: number;
}

/** How a client connects: `/ws?since=SEQ&instance=ID&topics=a,b`. */
export interface AttachRequest {
  topics: Topic[];
  since?: number;
  instance?: string;
}

interface Client {
  socket: WebSocket;
  queue: ClientQueue;
  topics: Set<Topic>;
  alive: boolean;
  /** Token bucket of the client's own messages. */
  tokens: number;
  refilledAt: number;
  /** Refused messages in the current second, and when an error was last sent. */
  excess: number;
  excessSince: number;
}

export class Hub {
  /** Changes at every server start: seqs of another instance cannot be resumed. */
  readonly instance = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly clock: Clock;
  private readonly latest = new Map<Topic, QueueItem>();
  private history: QueueItem[] = [];
  private historyBytes = 0;
  /** Highest seq no longer in the history. */
  private evictedUpTo = 0;
  private readonly clients = new Set<Client>();
  private readonly pingTimer: ReturnType<typeof setInterval>;
  private readonly totals: HubTotals = { connected: 0, connections: 0, unresponsive: 0, flooded: 0, floodClosed: 0, messages: 0, bytes: 0, dropped: {}, resumed: 0, snapshots: 0 };

  constructor(private readonly opts: HubOptions) {
    this.clock = opts.clock ?? systemClock;
    this.pingTimer = setInterval(() => this.heartbeat(), opts.pingMs ?? 15_000);
    this.pingTimer.unref();
  }

  /** The seq of the latest broadcast message (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Broadcasts `body` on `topic` to every client subscribed to it; returns its seq. */
  publish(topic: Topic, body: unknown, time = new Date()): number {
    const seq = ++this.seq;
    const text = encode({ type: topic, seq, time: time.toISOString(), [topic]: body } as ServerMessage);
    const item: QueueItem = { topic, seq, text };
    if (COALESCING.has(topic)) this.latest.set(topic, item);
    else this.remember(item);
    for (const c of this.clients) if (c.topics.has(topic)) c.queue.push(item);
    return seq;
  }

  /** Serves one WebSocket: hello (snapshot or resume), then the subscribed topics. */
  attach(socket: WebSocket, req: AttachRequest): void {
    const client: Client = {
      socket,
      topics: new Set(req.topics),
      alive: true,
      tokens: 2 * this.rate,
      refilledAt: this.clock.now(),
      excess: 0,
      excessSince: this.clock.now(),
      queue: new ClientQueue({
        clock: this.clock,
        maxEvents: this.opts.maxEvents,
        highWaterBytes: this.opts.highWaterBytes,
        send: (text, done) => {
          this.totals.messages++;
          this.totals.bytes += Buffer.byteLength(text);
          socket.send(text, () => done());
        },
        onDrop: (topic, reason) => {
          const key = `${topic}:${reason}`;
          this.totals.dropped[key] = (this.totals.dropped[key] ?? 0) + 1;
        },
      }),
    };
    this.clients.add(client);
    this.totals.connections++;
    this.totals.connected = this.clients.size;
    this.opts.logger?.debug({ clients: this.clients.size, topics: req.topics, since: req.since }, 'dashboard client connected');
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(client, data, isBinary));
    socket.on('close', () => this.detach(client));
    socket.on('error', () => this.detach(client));

    const resumable = req.instance === this.instance && req.since !== undefined && req.since >= this.evictedUpTo && req.since <= this.seq;
    const hello = { type: 'hello' as const, protocol: PROTOCOL_VERSION, instance: this.instance, version: this.opts.version, topics: [...client.topics] };
    if (resumable) {
      this.totals.resumed++;
      client.queue.sendNow(encode({ ...hello, seq: req.since!, resumed: true }));
      const missed = [...this.history.filter((m) => m.seq > req.since!), ...[...this.latest.values()].filter((m) => m.seq > req.since!)];
      missed.sort((a, b) => a.seq - b.seq);
      for (const m of missed) if (client.topics.has(m.topic)) client.queue.push(m);
    } else {
      this.totals.snapshots++;
      client.queue.sendNow(encode({ ...hello, seq: this.seq, resumed: false, snapshot: this.opts.snapshot() }));
    }
  }

  /** Connected clients and what the hub has sent and dropped. */
  stats(): HubTotals & { clients: { queued: number; pendingBytes: number; dropped: Record<string, number> }[] } {
    return {
      ...this.totals,
      dropped: { ...this.totals.dropped },
      clients: [...this.clients].map((c) => ({ queued: c.queue.stats().queued, pendingBytes: c.queue.pendingBytes, dropped: c.queue.stats().dropped })),
    };
  }

  /** Closes every client (1001 going away) and stops the heartbeat. */
  close(): void {
    clearInterval(this.pingTimer);
    for (const c of [...this.clients]) {
      c.socket.close(1001, 'server stopping');
      this.detach(c);
    }
  }

  private detach(c: Client): void {
    if (!this.clients.delete(c)) return;
    c.queue.close();
    this.totals.connected = this.clients.size;
    this.opts.logger?.debug({ clients: this.clients.size, ...c.queue.stats() }, 'dashboard client disconnected');
  }

  private remember(item: QueueItem): void {
    const max = this.opts.historyMessages ?? 2048;
    const maxBytes = this.opts.historyBytes ?? 16 * 1024 * 1024;
    this.history.push(item);
    this.historyBytes += item.text.length;
    let drop = 0;
    while (drop < this.history.length - 1 && (this.history.length - drop > max || this.historyBytes > maxBytes)) {
      this.historyBytes -= this.history[drop].text.length;
      this.evictedUpTo = this.history[drop].seq;
      drop++;
    }
    if (drop > 0) this.history = this.history.slice(drop);
  }

  private get rate(): number {
    return this.opts.clientMessagesPerSecond ?? 20;
  }

  /** Takes one message from the client's bucket; false (and a refusal, or closing a flood) when it is empty. */
  private admit(c: Client): boolean {
    const now = this.clock.now();
    c.tokens = Math.min(2 * this.rate, c.tokens + ((now - c.refilledAt) / 1000) * this.rate);
    c.refilledAt = now;
    if (c.tokens >= 1) {
      c.tokens -= 1;
      return true;
    }
    this.totals.flooded++;
    if (now - c.excessSince >= 1000) {
      c.excess = 0;
      c.excessSince = now;
    }
    if (++c.excess === 1) {
      c.queue.sendNow(encode({ type: 'error', code: WsErrorCodes.FLOOD, message: `too many messages: at most ${this.rate} per second; messages beyond it are dropped` }));
    }
    if (c.excess > 10 * this.rate) {
      this.totals.floodClosed++;
      this.opts.logger?.warn({ excess: c.excess }, 'a dashboard client flooded the server with messages: disconnected');
      c.socket.close(1008, 'message flood');
      this.detach(c);
    }
    return false;
  }

  private onMessage(c: Client, data: Buffer, isBinary: boolean): void {
    if (!this.admit(c)) return;
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      c.queue.sendNow(encode({ type: 'error', code: parsed.code, message: parsed.message }));
      return;
    }
    const m = parsed.message;
    if (m.type === 'ping') {
      c.queue.sendNow(encode({ type: 'pong', ...(m.id !== undefined ? { id: m.id } : {}), client: c.queue.stats() }));
      return;
    }
    c.topics = new Set(m.topics);
    for (const t of TOPICS) if (COALESCING.has(t)) c.queue.setRate(t, m.maxHz?.[t as RatedTopic]);
  }

  private heartbeat(): void {
    for (const c of [...this.clients]) {
      if (!c.alive) {
        this.totals.unresponsive++;
        this.opts.logger?.info({ queued: c.queue.stats().queued, pendingBytes: c.queue.pendingBytes }, 'a dashboard client stopped answering pings: disconnected');
        c.socket.terminate();
        this.detach(c);
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}
