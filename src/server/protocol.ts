import { z } from 'zod';

/**
 * The dashboard's WebSocket protocol (docs/ws-protocol.md), version 1.
 *
 * Server → client messages are a discriminated union on `type`. Broadcast
 * messages (`hello`, `status`, `ring`, `response`, `image`, `fit`, `alarm`, `log`) carry
 * a `seq` that increases over the server's life; a client resumes from the last
 * one it saw. Replies to one client (`pong`, `error`) carry no `seq`.
 */
export const PROTOCOL_VERSION = 1;

/** Topics a client may subscribe to (every one by default). */
export const TOPICS = ['status', 'ring', 'response', 'image', 'fit', 'alarm', 'log'] as const;
export type Topic = (typeof TOPICS)[number];

/** Topics whose newer message replaces an older one not yet sent (state); the others are events, queued in order. */
export const COALESCING: ReadonlySet<Topic> = new Set<Topic>(['status', 'ring', 'response', 'image']);
/** The state topics, whose rate a client may cap (`maxHz`). */
export type RatedTopic = 'status' | 'ring' | 'response' | 'image';

/** Largest client message accepted, in bytes; a larger one closes the socket with 1009 (message too big). */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/** Stable codes of `error` messages. */
export const WsErrorCodes = {
  /** Not JSON, not an object, or binary. */
  MALFORMED: 'RING_ERR_WS_MALFORMED',
  /** A JSON object whose `type` is not a client message type. */
  UNKNOWN_TYPE: 'RING_ERR_WS_UNKNOWN_TYPE',
  /** A known type with bad fields (unknown topic, rate out of range...). */
  INVALID: 'RING_ERR_WS_INVALID',
  /** More messages than the per-client rate allows (server.wsPerSecond). */
  FLOOD: 'RING_ERR_WS_FLOOD',
} as const;

const topic = z.enum(TOPICS);
const rates = z.strictObject({
  status: z.number().positive().max(100).optional(),
  ring: z.number().positive().max(100).optional(),
  response: z.number().positive().max(100).optional(),
  image: z.number().positive().max(100).optional(),
});

/** Client → server messages. */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('subscribe'),
    /** Topics to receive from now on (replaces the previous set). */
    topics: z.array(topic).max(TOPICS.length),
    /** Per-topic caps in messages per second (below the server's own). */
    maxHz: rates.optional(),
  }),
  z.strictObject({
    type: z.literal('ping'),
    id: z.union([z.string().max(64), z.number()]).optional(),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export const CLIENT_TYPES = ['subscribe', 'ping'] as const;

/** Per-client delivery counters (in `pong`). */
export interface ClientStats {
  queued: number;
  sent: number;
  /** Messages not delivered, by topic: replaced by a newer state (coalesced) or pushed out of a full event queue. */
  dropped: Record<string, number>;
}

export type ServerMessage =
  | { type: 'hello'; seq: number; protocol: number; instance: string; version: string; resumed: boolean; topics: Topic[]; snapshot?: unknown }
  | { type: 'status'; seq: number; time: string; status: unknown }
  | { type: 'ring'; seq: number; time: string; ring: unknown }
  | { type: 'response'; seq: number; time: string; response: unknown }
  | { type: 'image'; seq: number; time: string; image: unknown }
  | { type: 'fit'; seq: number; time: string; fit: unknown }
  | { type: 'alarm'; seq: number; time: string; alarm: unknown }
  | { type: 'log'; seq: number; time: string; log: unknown }
  | { type: 'pong'; id?: string | number; client: ClientStats }
  | { type: 'error'; code: string; message: string };

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; code: string; message: string };

/**
 * Parses one client message (text). Never throws: a bad message gives the
 * `error` code and a message a person can act on.
 */
export function parseClientMessage(data: string | Buffer, isBinary = false): ParsedClientMessage {
  if (isBinary) return { ok: false, code: WsErrorCodes.MALFORMED, message: 'binary messages are not accepted; send JSON text' };
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, code: WsErrorCodes.MALFORMED, message: 'message is not valid JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, code: WsErrorCodes.MALFORMED, message: 'message must be a JSON object with a "type"' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(CLIENT_TYPES as readonly string[]).includes(type)) {
    return { ok: false, code: WsErrorCodes.UNKNOWN_TYPE, message: `unknown message type ${JSON.stringify(type ?? null)}; expected one of ${CLIENT_TYPES.join(', ')}` };
  }
  const r = ClientMessageSchema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
    return { ok: false, code: WsErrorCodes.INVALID, message: `invalid "${type}" message — ${problems}` };
  }
  return { ok: true, message: r.data };
}

/** Parses the `topics` query parameter ("ring,fit"); unknown names are refused by returning null. */
export function parseTopics(text: string | undefined): Topic[] | null {
  if (text === undefined || text === '') return [...TOPICS];
  const names = text.split(',').map((t) => t.trim()).filter(Boolean);
  return names.every((n) => (TOPICS as readonly string[]).includes(n)) ? (names as Topic[]) : null;
}

/** Encodes a server message once, to be sent as is to every client. */
export const encode = (m: ServerMessage): string => JSON.stringify(m);

/** Rounds to `digits` significant digits (smaller JSON for plotted values). */
export function sig(v: number, digits = 6): number {
  if (!Number.isFinite(v) || v === 0) return Number.isFinite(v) ? 0 : v;
  return Number(v.toPrecision(digits));
}
