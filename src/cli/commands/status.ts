import type { Command } from 'commander';
import { mergeConfig, parseConfig, readConfigFile } from '../../config/schema.ts';
import { HoloringError } from '../../errors.ts';
import type { StatusView } from '../../server/live.ts';
import { numberArg } from '../args.ts';

/** Refused when no daemon answers at the address. */
export const STATUS_UNREACHABLE = 'RING_ERR_DAEMON_UNREACHABLE';

interface StatusFlags {
  config?: string;
  url?: string;
  port?: number;
  json?: boolean;
  token?: string;
  timeout: number;
}

/** One status (GET /api/status) as a few lines for a person. */
function formatStatus(s: StatusView): string {
  const a = s.device.counters?.account;
  const missing = a ? Object.entries(a.missing).map(([k, n]) => `${k} ${n}`).join(', ') : '';
  return [
    `daemon ${s.state}${s.error ? ` (${s.error})` : ''}, up ${s.uptimeS} s`,
    `device ${s.device?.state ?? '—'}${s.device?.identity ? ` ${s.device.identity.model} ${s.device.identity.serial}` : ''}, ${s.device?.frameRateHz ?? 0} frames/s`,
    a ? `frames: ${a.received} received, ${Object.values(a.missing).reduce<number>((x, y) => x + (y ?? 0), 0)} missing${missing ? ` (${missing})` : ''}, ${a.duplicates} duplicates; seq ${a.firstSeq ?? '—'}…${a.lastSeq ?? '—'}` : `frames: ${s.pipeline?.frames ?? 0}`,
    `sweeps ${s.pipeline?.sweeps ?? 0}, table points ${s.pipeline?.tablePoints ?? 0}, calibration ${s.pipeline?.calibrationVersion ?? 'none'}`,
    `trainer: ${s.trainer?.rounds ?? 0} rounds, last reduced χ² ${s.trainer?.lastChi2 != null ? Number(s.trainer.lastChi2).toFixed(3) : '—'}`,
  ].join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('ask a running daemon for its status (GET /api/status on server.host:server.port)')
    .option('--config <file>', 'the daemon\'s JSON configuration (its server.host and server.port)')
    .option('--url <url>', 'the daemon\'s address (default: http://server.host:server.port/)')
    .option('--port <n>', 'the daemon\'s port on 127.0.0.1', numberArg('--port', { min: 1, integer: true }))
    .option('--token <token>', 'bearer token of a daemon that requires one (default: env HOLORING_TOKEN, which stays out of the process list)')
    .option('--json', 'print the status as JSON')
    .option('--timeout <ms>', 'give up after this long', numberArg('--timeout', { min: 1 }), 5000)
    .action(async (o: StatusFlags) => {
      const config = parseConfig(mergeConfig(o.config ? (readConfigFile(o.config) as Record<string, unknown>) : {}, o.port ? { server: { port: o.port } } : {}), o.config ?? 'command line');
      const base = o.url ?? `http://${config.server.host}:${config.server.port}/`;
      const url = new URL('api/status', base.endsWith('/') ? base : `${base}/`).toString();
      const token = o.token ?? process.env.HOLORING_TOKEN;
      let body: StatusView;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(o.timeout), headers: token ? { authorization: `Bearer ${token}` } : {} });
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
        body = (await res.json()) as StatusView;
      } catch (e) {
        throw new HoloringError(STATUS_UNREACHABLE, `no daemon answered at ${url}: ${(e as Error).message} — is \`holoring start\` running, and on this port (--port, --url, --config)?`, { url });
      }
      process.stdout.write(o.json ? JSON.stringify(body) + '\n' : formatStatus(body) + '\n');
    });
}
