import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NetworkInterfaceInfo, hostname, networkInterfaces } from 'node:os';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { Daemon } from '../daemon/daemon.ts';
import { HoloringError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { HOLORING_VERSION } from '../version.ts';
import { readFileSync } from 'node:fs';
import fastifyRateLimit from '@fastify/rate-limit';
import { BenchLock } from '../auth/benchLock.ts';
import type { AccessPolicy, Principal } from './access.ts';
import { assertExposureAllowed, createAccessPolicy, isPublicPath, selectSubprotocol } from './auth.ts';
import { installControlHooks, registerControlRoutes } from './control.ts';
import type { Clock } from './decimate.ts';
import { Hub, type HubOptions } from './hub.ts';
import { LiveState, type LiveSources } from './live.ts';
import { createMetrics } from './metrics.ts';
import { MAX_CLIENT_MESSAGE_BYTES, WsErrorCodes, encode, parseTopics } from './protocol.ts';
import { HttpErrorCodes, registerRoutes, sendError } from './routes.ts';
import { RunCatalog } from './runs.ts';

export { HttpErrorCodes } from './routes.ts';
export { PROTOCOL_VERSION, TOPICS, WsErrorCodes } from './protocol.ts';
export type { AccessPolicy, AccessDecision, AccessRequest, Principal } from './access.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, as the access policy decided. */
    principal: Principal | null;
  }
}

/**
 * The daemon's server: the dashboard (dashboards/web, uPlot from
 * node_modules), the JSON API, the WebSocket hub at /ws and /metrics. It only
 * observes the daemon. `createServer(daemon, config)` builds it; `listen()`
 * binds `server.host:server.port` (port 0: any free port) and returns the URL.
 */
export interface ServerOptions extends LiveSources {
  logger?: Logger;
  /** Who may do what (default: the token policy of server.auth, src/server/auth.ts). */
  access?: AccessPolicy;
  /** The bench lock (default: a new one on the wall clock). */
  lock?: BenchLock;
  clock?: Clock;
  /** Hub tuning (ping interval, queue bounds), mostly for tests. */
  hub?: Partial<Omit<HubOptions, 'version' | 'snapshot' | 'clock' | 'logger'>>;
  /** Where the run records are (GET /api/runs); absent: 503 RING_ERR_RUNS_UNAVAILABLE. */
  dataDir?: string;
}

export interface HoloringServer {
  app: FastifyInstance;
  hub: Hub;
  live: LiveState;
  /** Binds and returns the dashboard URL (http://host:port/). */
  listen(): Promise<string>;
  /** The URL once listening. */
  readonly url: string | null;
  /** Closes every client and the listener. */
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The dashboard's files. */
export const WEB_ROOT = fileURLToPath(new URL('../../dashboards/web/', import.meta.url));
const UPLOT_DIST = dirname(createRequire(here + '/').resolve('uplot'));

export function createServer(daemon: Daemon, config: Readonly<Config>, opts: ServerOptions = {}): HoloringServer {
  const tls = config.server.tls;
  const readPem = (what: 'cert' | 'key', path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new HoloringError('RING_ERR_SERVER_TLS', `server.tls.${what}: cannot read ${path}: ${(e as Error).message}`, { path });
    }
  };
  // requests are not logged (a dashboard polls); the server logs its own events
  const app = Fastify({
    bodyLimit: MAX_CLIENT_MESSAGE_BYTES,
    // a stopping daemon does not wait for lingering clients (a refused WebSocket upgrade left open, a keep-alive)
    forceCloseConnections: true,
    ...(tls ? { https: { cert: readPem('cert', tls.cert), key: readPem('key', tls.key) } } : {}),
  }) as unknown as FastifyInstance;
  const hub: Hub = new Hub({ clientMessagesPerSecond: config.server.wsPerSecond, pingMs: config.server.wsPingMs, ...opts.hub, ...(opts.logger ? { logger: opts.logger.child({ component: 'server' }) } : {}), version: HOLORING_VERSION, snapshot: (): unknown => live.snapshot(), ...(opts.clock ? { clock: opts.clock } : {}) });
  // the hub asks for snapshots only once clients connect, after this line
  const live: LiveState = new LiveState(daemon, config, hub, HOLORING_VERSION, { alarms: daemon.alarms, ...opts }, opts.clock);
  const metrics = createMetrics({ daemon, hub, live, fits$: daemon.fits$, ...(opts.tensors ? { tensors: opts.tensors } : {}) });
  const access = opts.access ?? createAccessPolicy(config.server.auth, { tls: !!tls });
  const lock = opts.lock ?? new BenchLock();
  let url: string | null = null;

  app.decorateRequest('principal', null);
  // the one gate: every request, the WebSocket upgrade included
  app.addHook('onRequest', async (req, reply) => {
    const kind = req.headers.upgrade?.toLowerCase() === 'websocket' ? 'ws' : 'http';
    const d = await access.check({ method: req.method, url: req.url, headers: req.headers, ip: req.ip, kind });
    if (!d.allow) {
      // a refused request keeps who asked, for the audit log
      if (d.principal) req.principal = d.principal;
      // a refused WebSocket upgrade owns its raw socket: close it with the answer
      if (kind === 'ws') {
        void reply.header('connection', 'close');
        reply.raw.once('finish', () => req.raw.socket.end());
      }
      return sendError(reply, d.status, d.code, d.message);
    }
    req.principal = d.principal;
  });
  installControlHooks(app, { daemon, lock });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, HttpErrorCodes.NOT_FOUND, `no such resource: ${req.method} ${req.url.split('?')[0]}`));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    const code = err instanceof HoloringError ? err.code
      : status === 413 ? HttpErrorCodes.TOO_LARGE
        : status < 500 ? HttpErrorCodes.BAD_REQUEST : 'RING_ERR_INTERNAL';
    return sendError(reply, status, code, err.message);
  });

  void app.register(fastifyRateLimit, {
    max: config.server.httpPerMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (req) => req.principal?.tokenId ?? req.ip,
    allowList: (req) => isPublicPath(req.method, req.url),
    errorResponseBuilder: (_req, ctx) => Object.assign(
      new HoloringError(HttpErrorCodes.RATE_LIMITED, `too many requests: at most ${ctx.max} per minute; retry in ${ctx.after}`),
      { statusCode: 429 },
    ),
  });
  void app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES, handleProtocols: selectSubprotocol } });
  void app.register(async (scope) => {
    scope.get('/ws', { websocket: true }, (socket, req) => {
      const q = req.query as Record<string, string | undefined>;
      const topics = parseTopics(q.topics);
      const since = q.since !== undefined && /^\d+$/.test(q.since) ? Number(q.since) : undefined;
      if (!topics) {
        socket.send(encode({ type: 'error', code: WsErrorCodes.INVALID, message: `unknown topic in "${q.topics}"` }));
        socket.close(1008, 'unknown topic');
        return;
      }
      hub.attach(socket, { topics, ...(since !== undefined ? { since } : {}), ...(q.instance ? { instance: q.instance } : {}) });
    });
  });
  void app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', index: 'index.html' });
  void app.register(fastifyStatic, { root: UPLOT_DIST, prefix: '/vendor/uplot/', decorateReply: false });
  // routes in a plugin registered after the rate limiter, so that it sees them
  void app.register(async (api) => {
    registerRoutes(api, { daemon, live, registry: metrics.registry, runs: opts.dataDir ? new RunCatalog(opts.dataDir) : null });
    registerControlRoutes(api, { daemon, lock, authRequired: config.server.auth.tokens.length > 0 });
  });

  return {
    app, hub, live,
    get url() {
      return url;
    },
    async listen() {
      const { host, port } = config.server;
      assertExposureAllowed(host, config.server.auth);
      try {
        await app.listen({ host, port });
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use' : (e as Error).message;
        throw new HoloringError(HttpErrorCodes.LISTEN, `cannot serve the dashboard on ${host}:${port}: ${why}; choose another port with --port or server.port`, { host, port });
      }
      const addr = app.server.address() as AddressInfo;
      url = dashboardUrl(tls ? 'https' : 'http', addr);
      return url;
    },
    async close() {
      hub.close();
      live.stop();
      metrics.stop();
      await app.close();
    },
  };
}

/**
 * The URL a person can open for a bound address. A wildcard bind (0.0.0.0, ::)
 * is not an address a browser can reach, so the URL names the first external
 * interface of this host (IPv4 preferred), or its host name when it has none.
 */
export function dashboardUrl(scheme: 'http' | 'https', addr: Pick<AddressInfo, 'address' | 'family' | 'port'>, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(), host: string = hostname()): string {
  let address = addr.address;
  let v6 = addr.family === 'IPv6';
  if (address === '0.0.0.0' || address === '::') {
    // 0.0.0.0 serves IPv4 only; :: serves both (dual stack); link-local IPv6 needs a zone, so it is skipped
    const external = Object.values(interfaces).flatMap((l) => l ?? []).filter((i) => !i.internal && (i.family === 'IPv4' || (addr.address === '::' && !i.address.startsWith('fe80'))));
    const pick = external.find((i) => i.family === 'IPv4') ?? external[0];
    address = pick?.address ?? host;
    v6 = pick?.family === 'IPv6';
  }
  return `${scheme}://${v6 ? `[${address}]` : address}:${addr.port}/`;
}
