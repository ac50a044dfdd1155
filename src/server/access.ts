import type { IncomingHttpHeaders } from 'node:http';

/**
 * The one gate every HTTP request and every WebSocket connection passes
 * through (a fastify `onRequest` hook; the WebSocket upgrade is a GET /ws and
 * goes through it too), before any route runs. The policy (src/server/auth.ts:
 * bearer tokens and roles) returns the principal, which routes find on
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
  /** The token's label, `token ID`, `local` (no authentication configured) or `anonymous` (public files). */
  who: string;
  role: 'viewer' | 'operator';
  /** The token's public id (`local` without authentication; null for public files). */
  tokenId: string | null;
}

export type AccessDecision =
  | { allow: true; principal: Principal }
  | { allow: false; status: 401 | 403; code: `RING_ERR_${string}`; message: string; principal?: Principal };

export interface AccessPolicy {
  check(req: AccessRequest): AccessDecision | Promise<AccessDecision>;
}
