import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.ts';
import { isHoloringError } from '../errors.ts';
import { formatResponseTable } from '../io/responseTable.ts';
import { ImageErrorCodes, parseImageQuery } from './image.ts';
import type { LiveState } from './live.ts';
import { RunCatalog } from './runs.ts';

/**
 * The JSON API (docs/api.md). Every error is `{ error: { code, message } }`
 * with a stable RING_ERR_* code.
 */
export const HttpErrorCodes = {
  NOT_FOUND: 'RING_ERR_NOT_FOUND',
  /** The daemon has not produced this yet (no fit, no frame, no table). */
  NOT_READY: 'RING_ERR_NOT_READY',
  /** The run record is not available in this daemon (no storage). */
  RUNS_UNAVAILABLE: 'RING_ERR_RUNS_UNAVAILABLE',
  BAD_REQUEST: 'RING_ERR_HTTP_INVALID',
  /** A request body over the limit (16 KiB). */
  TOO_LARGE: 'RING_ERR_HTTP_TOO_LARGE',
  /** More requests than server.httpPerMinute from one client. */
  RATE_LIMITED: 'RING_ERR_RATE_LIMITED',
  /** The server cannot listen (port in use, address not available). */
  LISTEN: 'RING_ERR_SERVER_LISTEN',
  /** GET /api/image at an ω the response table does not hold. */
  IMAGE_OMEGA: ImageErrorCodes.OMEGA,
} as const;

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

const notReady = (reply: FastifyReply, what: string, why?: string): FastifyReply => sendError(reply, 404, HttpErrorCodes.NOT_READY, `no ${what} yet${why ? `: ${why}` : ''}`);

export function registerRoutes(app: FastifyInstance, deps: { daemon: Daemon; live: LiveState; registry: Registry; runs: RunCatalog | null }): void {
  const { daemon, live, registry, runs } = deps;

  app.get('/healthz', async (_req, reply) => {
    const state = daemon.status().state;
    const ok = state !== 'failed' && state !== 'stopped';
    return reply.code(ok ? 200 : 503).send({ ok, state });
  });

  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  app.get('/api/status', async () => live.status());

  app.get('/api/metric', async (_req, reply) => live.latestMetric() ?? notReady(reply, 'metric estimate', 'the first fit follows the first complete sweep'));

  app.get('/api/metric/history', async () => ({ rounds: live.history() }));

  app.get('/api/response', async (req, reply) => {
    const table = daemon.response();
    if (!table) return notReady(reply, 'response table', 'it fills as calibrated frames arrive');
    if ((req.headers.accept ?? '').includes('text/csv')) return reply.type('text/csv; charset=utf-8').send(formatResponseTable(table.points));
    return live.response();
  });

  app.get('/api/ring', async (_req, reply) => live.latestRing() ?? notReady(reply, 'frame from the ring'));

  // the ring image (physics.md §13) at ?omega= (default: the current drive frequency), through a lens of ?aperture= and ?focal=
  app.get('/api/image', async (req, reply) => {
    try {
      return live.image(parseImageQuery(req.query)) ?? notReady(reply, 'ring image', 'it needs the response table, which fills as calibrated frames arrive');
    } catch (e) {
      if (isHoloringError(e) && e.code === ImageErrorCodes.INVALID) return sendError(reply, 400, e.code, e.message);
      if (isHoloringError(e) && e.code === ImageErrorCodes.OMEGA) return sendError(reply, 404, e.code, e.message);
      throw e;
    }
  });

  const noRuns = (reply: FastifyReply): FastifyReply =>
    sendError(reply, 503, HttpErrorCodes.RUNS_UNAVAILABLE, 'the run record is not available in this daemon (started without storage)');
  app.get('/api/runs', async (_req, reply) => (runs ? { runs: runs.list() } : noRuns(reply)));
  app.get('/api/runs/:id', async (req, reply) => {
    if (!runs) return noRuns(reply);
    const { id } = req.params as { id: string };
    if (!RunCatalog.validId(id)) return sendError(reply, 400, HttpErrorCodes.BAD_REQUEST, `"${id}" is not a run id (UTC time and a short random part, e.g. 20261129T153012Z-7f3a)`);
    return runs.detail(id) ?? sendError(reply, 404, HttpErrorCodes.NOT_FOUND, `no run ${id} in ${runs.dataDir}`);
  });

  // latched alarms (docs/alarms.md); acknowledging names who did it: an authenticated principal (a token's label), else the body's `who`
  app.get('/api/alarms', async () => ({ alarms: daemon.alarms.alarms() }));
  app.post<{ Params: { id: string }; Body: { who?: unknown } | undefined }>('/api/alarms/:id/ack', async (req, reply) => {
    const given = req.body && typeof req.body === 'object' && typeof req.body.who === 'string' ? req.body.who.slice(0, 100) : null;
    const principal = req.principal && req.principal.who !== 'anonymous' && req.principal.who !== 'local' ? req.principal.who : null;
    const who = principal ?? given ?? 'anonymous';
    try {
      return { alarm: daemon.alarms.ack(req.params.id, who) };
    } catch (e) {
      if (isHoloringError(e)) return sendError(reply, 404, e.code, e.message);
      throw e;
    }
  });
}
