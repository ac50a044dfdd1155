import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HoloringError } from '../errors.ts';

/**
 * Bearer tokens with roles for the daemon's HTTP API and WebSocket.
 *
 * A token is `hr_<id>_<secret>`: `id` is 8 hex digits that name the entry (not
 * secret), `secret` is 32 random bytes in base64url (256 bits). The
 * configuration stores only `hash = HMAC-SHA256(salt, secret)` (hex) with a
 * random per-entry salt, so a leaked configuration does not reveal a token; a
 * presented token is hashed the same way and compared with
 * `crypto.timingSafeEqual` (constant time). A keyed hash suffices because the
 * secret has full entropy (RFC 2104; no password stretching is needed for
 * 256-bit random secrets).
 */
export const Roles = ['viewer', 'operator'] as const;
export type Role = (typeof Roles)[number];

export const AuthErrorCodes = {
  /** No token where one is required (HTTP 401). */
  UNAUTHENTICATED: 'RING_ERR_AUTH_MISSING',
  /** Token unknown, malformed or its secret does not match (HTTP 401). */
  INVALID: 'RING_ERR_AUTH_INVALID',
  /** Token past its expiry (HTTP 401). */
  EXPIRED: 'RING_ERR_AUTH_EXPIRED',
  /** Authenticated, but the role may not do this (HTTP 403). */
  FORBIDDEN: 'RING_ERR_AUTH_FORBIDDEN',
  /** Listening beyond loopback without any token configured (refused at start). */
  REQUIRED: 'RING_ERR_AUTH_REQUIRED',
} as const;

export const TokenEntrySchema = z.strictObject({
  /** 8 hex digits, the public part of the token. */
  id: z.string().regex(/^[0-9a-f]{8}$/, 'must be 8 hex digits'),
  role: z.enum(Roles),
  /** HMAC-SHA256(salt, secret), hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits (HMAC-SHA256)'),
  /** Random salt, hex. */
  salt: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 hex digits'),
  /** ISO-8601 creation time. */
  created: z.string().datetime(),
  /** ISO-8601 expiry time (absent: never expires). */
  expires: z.string().datetime().optional(),
  /** Who or what the token is for (shown in the audit log). */
  label: z.string().max(200).optional(),
});
export type TokenEntry = z.infer<typeof TokenEntrySchema>;

/** The identity of an authenticated client. */
export interface Principal {
  tokenId: string;
  role: Role;
  label: string | null;
}

const TOKEN_RE = /^hr_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

function hmacHex(saltHex: string, secret: string): Buffer {
  return createHmac('sha256', Buffer.from(saltHex, 'hex')).update(secret, 'utf8').digest();
}

/**
 * Parses a duration such as `30d`, `12h`, `90m`, `3600s` or `2w` into
 * milliseconds. Throws RING_ERR_ARG_INVALID naming `flag` otherwise.
 */
export function parseDuration(text: string, flag = '--expires'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 } as const;
  if (!m) throw new HoloringError('RING_ERR_ARG_INVALID', `${flag}: expected a duration such as 30d, 12h, 90m (got "${text}")`, { flag, value: text });
  const ms = Number(m[1]) * unit[m[2] as keyof typeof unit];
  if (!(ms > 0)) throw new HoloringError('RING_ERR_ARG_INVALID', `${flag}: must be > 0 (got "${text}")`, { flag, value: text });
  return ms;
}

/**
 * Creates a new token. Returns the token (to be shown once, never stored) and
 * the configuration entry that holds only its hash.
 */
export function createToken(opts: { role: Role; expiresInMs?: number; label?: string; now?: Date }): { token: string; entry: TokenEntry } {
  const now = opts.now ?? new Date();
  const id = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  const entry: TokenEntry = {
    id,
    role: opts.role,
    hash: hmacHex(salt, secret).toString('hex'),
    salt,
    created: now.toISOString(),
    ...(opts.expiresInMs !== undefined ? { expires: new Date(now.getTime() + opts.expiresInMs).toISOString() } : {}),
    ...(opts.label ? { label: opts.label } : {}),
  };
  return { token: `hr_${id}_${secret}`, entry };
}

/**
 * Checks a presented token against the configured entries.
 * Returns the principal, or throws a HoloringError with RING_ERR_AUTH_MISSING
 * (no token), RING_ERR_AUTH_INVALID (malformed, unknown or wrong secret) or
 * RING_ERR_AUTH_EXPIRED. The secret is compared in constant time.
 */
export function verifyToken(entries: readonly TokenEntry[], token: string | null | undefined, now: Date = new Date()): Principal {
  if (!token) throw new HoloringError(AuthErrorCodes.UNAUTHENTICATED, 'a bearer token is required (Authorization: Bearer TOKEN)');
  const m = TOKEN_RE.exec(token);
  const entry = m ? entries.find((e) => e.id === m[1]) : undefined;
  // hash even when the entry is unknown, so the answer takes the same time
  const probe = hmacHex(entry?.salt ?? '00'.repeat(16), m?.[2] ?? token);
  const expected = entry ? Buffer.from(entry.hash, 'hex') : Buffer.alloc(32);
  if (!m || !entry || !timingSafeEqual(probe, expected)) {
    throw new HoloringError(AuthErrorCodes.INVALID, 'the token is not valid for this daemon');
  }
  if (entry.expires && Date.parse(entry.expires) <= now.getTime()) {
    throw new HoloringError(AuthErrorCodes.EXPIRED, `the token ${entry.id} expired at ${entry.expires}`, { tokenId: entry.id, expires: entry.expires });
  }
  return { tokenId: entry.id, role: entry.role, label: entry.label ?? null };
}

/** Reads the token from an `Authorization: Bearer TOKEN` header value (null when absent or not Bearer). */
export function bearerToken(header: string | string[] | undefined): string | null {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

/** True when `role` may do what `needed` may (operator ⊇ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return needed === 'viewer' || role === 'operator';
}

/** True for addresses that only this host can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}
