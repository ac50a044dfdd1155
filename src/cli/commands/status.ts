import type { Command } from 'commander';
import { mergeConfig, parseConfig, readConfigFile } from '../../config/schema.ts';
import { HoloringError } from '../../errors.ts';
import type { Alarm } from '../../alarms/types.ts';
import type { StatusView } from '../../server/live.ts';
import { numberArg } from '../args.ts';
import { type MetricGlance, formatStatus } from '../statusFormat.ts';

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
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      let body: StatusView;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(o.timeout), headers });
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
        body = (await res.json()) as StatusView;
      } catch (e) {
        throw new HoloringError(STATUS_UNREACHABLE, `no daemon answered at ${url}: ${(e as Error).message} — is \`holoring start\` running, and on this port (--port, --url, --config)?`, { url });
      }
      // the latched alarms and the latest fit's geometry: null when the daemon does not say (no fit yet: 404)
      const optional = async <T>(path: string): Promise<T | null> => {
        try {
          const res = await fetch(new URL(path, url).toString(), { signal: AbortSignal.timeout(o.timeout), headers });
          return res.ok ? ((await res.json()) as T) : null;
        } catch {
          return null;
        }
      };
      const alarms = (await optional<{ alarms: Alarm[] }>('alarms'))?.alarms ?? null;
      const metric = await optional<MetricGlance>('metric');
      if (o.json) {
        const { geometry, rh, rh_err, temperature, temperature_err, sampleTemperatureRatio } = metric ?? {};
        process.stdout.write(JSON.stringify({ ...body, alarms, geometry: metric ? { geometry: geometry ?? 'disk', rh, rh_err, temperature, temperature_err, sampleTemperatureRatio } : null }) + '\n');
      } else process.stdout.write(formatStatus({ status: body, alarms, metric }) + '\n');
    });
}
