import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BenchLock, LOCK_DEFAULT_TTL_MS, LOCK_MAX_TTL_MS } from '../auth/benchLock.ts';
import type { Daemon } from '../daemon/daemon.ts';
import { HoloringError, isHoloringError } from '../errors.ts';
import type { Principal } from './access.ts';
import { HttpErrorCodes, sendError } from './routes.ts';

/**
 * The control API (docs/api.md, "Control"): the bench lock and the operator's
 * commands. The access policy has already refused viewers (403) and clients
 * without a valid token (401); here every command also needs the bench lock
 * (409 otherwise), and each one — refused or done — goes to the run's audit
 * log (who, what, when, result).
 */
export const CONTROL_PREFIX = '/api/control/';

/** Route patterns that change the rig and so need the bench lock. */
const LOCKED_ROUTES = [/^\/api\/control\//, /^\/api\/alarms\/[^/]+\/ack$/];
/** Route patterns whose requests are audited (besides GETs, which are not). */
const AUDITED_ROUTES = [...LOCKED_ROUTES, /^\/api\/lock$/];

const lockBody = z.strictObject({
  /** Lock lifetime in seconds (default 900, at most 43200); taking the lock again renews it. */
  ttlSeconds: z.number().int().min(1).max(LOCK_MAX_TTL_MS / 1000).optional(),
}).nullish();
const emptyBody = z.strictObject({}).nullish();

/** Status code of a HoloringError raised by a control command. */
function statusOf(code: string): number {
  if (code.startsWith('RING_ERR_LOCK_') || code === 'RING_ERR_DAEMON_STATE') return 409;
  return 500;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw Object.assign(new HoloringError(HttpErrorCodes.BAD_REQUEST, `invalid request body — ${problems}`), { statusCode: 400 });
  }
  return r.data;
}

const principalOf = (req: FastifyRequest): Principal => req.principal ?? { who: 'anonymous', role: 'viewer', tokenId: null };

const holderOf = (p: Principal): { tokenId: string; role: 'viewer' | 'operator'; label: string | null } => ({ tokenId: p.tokenId ?? 'anonymous', role: p.role, label: p.who });

/**
 * The lock check and the audit log, as hooks of the whole server: installed
 * before any route, so every control route (the alarms' acknowledgement
 * included) passes through them.
 */
export function installControlHooks(app: FastifyInstance, deps: { daemon: Daemon; lock: BenchLock }): void {
  const { daemon, lock } = deps;
  // every command needs the lock, checked after routing and body parsing
  app.addHook('preHandler', async (req, reply) => {
    const route = req.routeOptions.url ?? '';
    if (req.method === 'GET' || !LOCKED_ROUTES.some((r) => r.test(route))) return;
    try {
      lock.assertHeldBy(holderOf(principalOf(req)));
    } catch (e) {
      if (isHoloringError(e)) return sendError(reply, 409, e.code, e.message);
      throw e;
    }
  });

  // the audit log: every control request, refused or done, with its result
  app.addHook('onSend', async (req, reply, payload) => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' || req.method === 'HEAD' || !AUDITED_ROUTES.some((r) => r.test(path))) return payload;
    let result = `${reply.statusCode}`;
    if (reply.statusCode >= 400 && typeof payload === 'string') {
      try {
        const code = (JSON.parse(payload) as { error?: { code?: string } }).error?.code;
        if (code) result += ` ${code}`;
      } catch {
        // not JSON: the status alone
      }
    } else result += ' ok';
    const p = principalOf(req);
    daemon.audit({ who: p.who, role: p.role, what: `${req.method} ${path}`, result });
    return payload;
  });
}

/** The bench lock routes, /api/whoami and the operator's commands. */
export function registerControlRoutes(app: FastifyInstance, deps: { daemon: Daemon; lock: BenchLock; authRequired: boolean }): void {
  const { daemon, lock } = deps;
  app.get('/api/whoami', async (req) => {
    const p = principalOf(req);
    return { who: p.who, role: p.role, tokenId: p.tokenId, authRequired: deps.authRequired, lock: lock.current() };
  });

  app.get('/api/lock', async () => ({ lock: lock.current() }));

  app.post('/api/lock', async (req, reply) => {
    const body = parseBody(lockBody, req.body);
    try {
      return { lock: lock.acquire(holderOf(principalOf(req)), (body?.ttlSeconds ?? LOCK_DEFAULT_TTL_MS / 1000) * 1000) };
    } catch (e) {
      if (isHoloringError(e)) return sendError(reply, 409, e.code, e.message);
      throw e;
    }
  });

  app.delete('/api/lock', async (req, reply) => {
    try {
      lock.release(holderOf(principalOf(req)));
      return { lock: null };
    } catch (e) {
      if (isHoloringError(e)) return sendError(reply, 409, e.code, e.message);
      throw e;
    }
  });

  const command = (path: string, run: () => Promise<Record<string, unknown> | void>): void => {
    app.post(CONTROL_PREFIX + path, async (req, reply: FastifyReply) => {
      parseBody(emptyBody, req.body);
      try {
        const extra = await run();
        return { ok: true, acquisition: daemon.status().acquisition, ...(extra ?? {}) };
      } catch (e) {
        if (isHoloringError(e)) return sendError(reply, statusOf(e.code), e.code, e.message);
        throw e;
      }
    });
  };
  command('sweep/start', () => daemon.control.startSweeps());
  command('sweep/stop', () => daemon.control.stopSweeps());
  command('calibrate', async () => ({ calibration: (await daemon.control.calibrate()).version }));
  command('model/reset', () => daemon.control.resetModel());
}
