// Panel 6 — health: device state, frame rate (with its recent history),
// checksum failures, gaps, reconnects, drops per edge of the data flow,
// journal size, InfluxDB backlog and event-loop lag.
import { ChartBox, axis, css, fmt } from '../charts.js';

const HISTORY_S = 300;

function bytes(n) {
  if (n === null || n === undefined) return '—';
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < u.length - 1) {
    v /= 1000;
    i++;
  }
  return `${fmt(v, 3)} ${u[i]}`;
}

/** Fills a <dl> with [label, value, class?] rows. */
export function fillKv(dl, rows) {
  const frag = document.createDocumentFragment();
  for (const [k, v, cls] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    if (cls) dd.className = cls;
    frag.append(dt, dd);
  }
  dl.replaceChildren(frag);
}

export function createHealthPanel(root) {
  const kv = root.querySelector('#health-kv');
  const meta = root.querySelector('#health-meta');
  const t = [];
  const hz = [];
  const box = new ChartBox(root.querySelector('#rate-chart'), {
    height: 140,
    readout: { x: 't', items: [{ idx: 1, label: 'frame rate', unit: 'Hz' }] },
    options: () => ({
      scales: { x: { time: true, range: (_u, min, max) => [Math.min(min, max - 60), max] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
      axes: [axis('time (local)'), axis('frames / s (Hz)', { size: 46 })],
      series: [{}, { label: 'frame rate', stroke: css('--ok'), width: 1.5, fill: 'rgba(47, 158, 68, 0.08)' }],
    }),
  });
  const panel = {
    box,
    /** Status updates drawn (the e2e test watches it advance). */
    updates: 0,
    update(s) {
      if (!s) return;
      panel.updates++;
      t.push(Date.parse(s.time) / 1000);
      hz.push(s.device.frameRateHz);
      while (t.length && t[0] < t[t.length - 1] - HISTORY_S) {
        t.shift();
        hz.shift();
      }
      box.setData([t.slice(), hz.slice()]);
      const c = s.device.counters ?? {};
      const devState = s.device.state ?? '—';
      const stateCls = devState === 'streaming' ? 'ok' : devState === 'stalled' || devState === 'disconnected' ? 'bad' : 'warn';
      meta.textContent = `${fmt(s.device.frameRateHz, 3)} frames/s`;
      const rows = [
        ['daemon', s.state, s.state === 'running' ? 'ok' : s.state === 'failed' ? 'bad' : 'warn'],
        ['device', devState, stateCls],
        ['frames', String(s.pipeline.frames)],
        ['checksum failures', String(c.checksumErrors ?? 0), c.checksumErrors ? 'warn' : ''],
        ['sequence gaps', `${c.gaps ?? 0} (${c.missingFrames ?? 0} frames)`, c.gaps ? 'warn' : ''],
        ['reconnects', String(c.reconnects ?? 0), c.reconnects ? 'warn' : ''],
      ];
      for (const [edge, n] of Object.entries(s.drops)) rows.push([`dropped ${edge}`, String(n), n > 0 && !edge.includes('table (') ? 'warn' : '']);
      rows.push(['journal', s.journal ? `${bytes(s.journal.bytes)}, ${s.journal.frames} frames` : 'off']);
      rows.push(['InfluxDB backlog', s.influx ? `${s.influx.backlog} points (${bytes(s.influx.backlogBytes)}), ${s.influx.pendingPoints} in flight · ${s.influx.state}` : 'not configured', s.influx?.lastError ? 'warn' : '']);
      const lag = s.server.eventLoopLagMs;
      rows.push(['event-loop lag', `${fmt(lag.mean, 3)} ms mean, ${fmt(lag.p99, 3)} ms p99`, lag.p99 > 100 ? 'warn' : '']);
      rows.push(['dashboard clients', String(s.server.clients)]);
      fillKv(kv, rows);
    },
  };
  return panel;
}
