import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every InfluxQL query of the Grafana dashboard: panel targets and template variables, by where they stand. */
export interface DashboardQuery {
  where: string;
  query: string;
}

export const DASHBOARD_PATH = join(import.meta.dirname, '../../../dashboards/grafana/holoring.json');

interface Dashboard {
  panels: { title: string; targets: { query: string; rawQuery?: boolean }[] }[];
  templating: { list: { name: string; query: string }[] };
}

export function dashboardQueries(path = DASHBOARD_PATH): DashboardQuery[] {
  const d = JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
  const out: DashboardQuery[] = [];
  for (const v of d.templating.list) out.push({ where: `variable ${v.name}`, query: v.query });
  for (const p of d.panels) for (const t of p.targets) out.push({ where: `panel "${p.title}"`, query: t.query });
  return out;
}

/**
 * What Grafana does to a query before it sends it: template variables and the
 * macros $timeFilter, $__interval and $__interval_ms replaced (one value per
 * variable; a time range in ms since the epoch).
 */
export function interpolate(q: string, vars: Record<string, string>, range: { fromMs: number; toMs: number }, intervalMs = 1000): string {
  let s = q
    .replaceAll('$timeFilter', `time >= ${Math.floor(range.fromMs)}ms and time <= ${Math.ceil(range.toMs)}ms`)
    .replaceAll('$__interval_ms', String(intervalMs))
    .replaceAll('$__interval', `${intervalMs}ms`);
  for (const [k, v] of Object.entries(vars)) {
    // values here are plain words (rig names, run ids, k): no regex or quote characters to escape
    if (/[^A-Za-z0-9_-]/.test(v)) throw new Error(`variable ${k}=${v}: only plain words are interpolated here`);
    s = s.replaceAll(`$${k}`, v);
  }
  return s;
}
