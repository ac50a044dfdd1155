import type { IncomingHttpHeaders } from 'node:http';

/**
 * The one gate every HTTP request and every WebSocket connection passes
 * through (a fastify `onRequest` hook; the WebSocket upgrade is a GET /ws and
 * goes through it too), before any route runs. The default policy lets
 * everyone read; an authenticating policy (bearer tokens, roles) replaces it
 * without touching the routes: it returns the principal, which routes find on
 * `request.principal`.
 */
export interface AccessRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Remote address. */
  ip: string;
  /** 'ws' for the WebSocket upgrade, 'http' otherwise. */
  kind: 'http' | 'ws';
}

export interface Principal {
  who: string;
  role: string;
}

export type AccessDecision =
  | { allow: true; principal: Principal }
  | { allow: false; status: 401 | 403; code: `RING_ERR_${string}`; message: string };

export interface AccessPolicy {
  check(req: AccessRequest): AccessDecision | Promise<AccessDecision>;
}

/** Everyone may read (the server listens on loopback by default). */
export const openAccess: AccessPolicy = {
  check: () => ({ allow: true, principal: { who: 'anonymous', role: 'viewer' } }),
};
