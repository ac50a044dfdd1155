import { AuthErrorCodes, type TokenEntry, bearerToken, isLoopbackHost, verifyToken } from '../auth/tokens.ts';
import { HoloringError, isHoloringError } from '../errors.ts';
import type { AccessDecision, AccessPolicy, AccessRequest, Principal } from './access.ts';

/**
 * The access policy of the daemon's server (README "Remote access").
 *
 * - The dashboard's own files and /healthz are public: a browser must load the
 *   page before it can ask for a token.
 * - With tokens configured, every other request and the WebSocket need a valid
 *   bearer token: `Authorization: Bearer TOKEN`, or, for a browser's
 *   WebSocket (which cannot set headers), the subprotocol `bearer.TOKEN` beside
 *   `holoring.v1` — never a URL query, which lands in logs.
 * - Without tokens (loopback only, enforced at listen) every client is the
 *   local operator.
 * - Anything but GET/HEAD needs the operator role (403 otherwise).
 * - A browser request (one with an `Origin` header) must come from the
 *   dashboard's own origin or one of `allowedOrigins` (403 otherwise), so a web
 *   page elsewhere cannot drive the rig through a visitor's browser.
 */
export const ORIGIN_REFUSED = 'RING_ERR_ORIGIN';
/** The WebSocket subprotocol of the dashboard protocol (docs/ws-protocol.md). */
export const WS_SUBPROTOCOL = 'holoring.v1';
const BEARER_PROTOCOL = 'bearer.';

export interface AuthSettings {
  tokens: readonly TokenEntry[];
  allowedOrigins: readonly string[];
}

/** True for paths anyone may fetch: the dashboard's files and /healthz. */
export function isPublicPath(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.split('?')[0];
  return path === '/healthz' || !(path === '/metrics' || path === '/ws' || path.startsWith('/api/') || path === '/api');
}

/** The token a WebSocket upgrade carries in its subprotocols (`bearer.TOKEN`), or null. */
export function tokenFromSubprotocols(header: string | string[] | undefined): string | null {
  const list = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((p) => p.trim());
  const p = list.find((x) => x.startsWith(BEARER_PROTOCOL));
  return p ? p.slice(BEARER_PROTOCOL.length) : null;
}

/** Picks the dashboard protocol among a client's subprotocols, never echoing a token. */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false;
}

function originAllowed(req: AccessRequest, allowed: readonly string[], tls: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (host && (origin === `http${tls ? 's' : ''}://${host}`)) return true;
  return allowed.some((a) => new URL(a).origin === origin);
}

/**
 * Builds the policy from the server's settings. `tls` tells which scheme the
 * dashboard's own origin has.
 */
export function createAccessPolicy(auth: AuthSettings, opts: { tls?: boolean; now?: () => Date } = {}): AccessPolicy {
  const now = opts.now ?? (() => new Date());
  const secured = auth.tokens.length > 0;
  const deny = (status: 401 | 403, code: `RING_ERR_${string}`, message: string, principal?: Principal): AccessDecision => ({ allow: false, status, code, message, ...(principal ? { principal } : {}) });
  return {
    check(req) {
      if (!originAllowed(req, auth.allowedOrigins, !!opts.tls)) {
        return deny(403, ORIGIN_REFUSED, `requests from ${String(req.headers.origin)} are not allowed; add it to server.auth.allowedOrigins`);
      }
      if (isPublicPath(req.method, req.url) && req.kind === 'http') return { allow: true, principal: { who: 'anonymous', role: 'viewer', tokenId: null } };
      const reading = req.method === 'GET' || req.method === 'HEAD';
      if (!secured) return { allow: true, principal: { who: 'local', role: 'operator', tokenId: 'local' } };
      const token = bearerToken(req.headers.authorization) ?? (req.kind === 'ws' ? tokenFromSubprotocols(req.headers['sec-websocket-protocol']) : null);
      try {
        const p = verifyToken(auth.tokens, token, now());
        const principal: Principal = { who: p.label ?? `token ${p.tokenId}`, role: p.role, tokenId: p.tokenId };
        if (!reading && p.role !== 'operator') return deny(403, AuthErrorCodes.FORBIDDEN, `the ${p.role} role may only read; control needs an operator token`, principal);
        return { allow: true, principal };
      } catch (e) {
        if (isHoloringError(e)) return deny(401, e.code as `RING_ERR_${string}`, e.message);
        throw e;
      }
    },
  };
}

/**
 * Refuses to serve beyond loopback without tokens (RING_ERR_AUTH_REQUIRED):
 * anyone on the network could otherwise read and control the rig.
 */
export function assertExposureAllowed(host: string, auth: AuthSettings): void {
  if (isLoopbackHost(host) || auth.tokens.length > 0) return;
  throw new HoloringError(AuthErrorCodes.REQUIRED, `server.host ${host} is reachable from the network, which needs authentication: create a token with \`holoring token create --role operator --config FILE\` (and viewer tokens for remote watchers), or listen on 127.0.0.1`, { host });
}
