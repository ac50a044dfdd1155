// The dashboard: one WebSocket (client.js), the state it carries, its panels.
// Says plainly when the connection is lost or the data are stale.
import { connect } from './client.js';
import { api, identify, wsProtocols } from './auth.js';
import { createControlPanel } from './panels/control.js';
import { createAlarmsPanel } from './panels/alarms.js';
import { createHealthPanel } from './panels/health.js';
import { createImagePanel } from './panels/image.js';
import { createMetricPanel } from './panels/metric.js';
import { createResponsePanel } from './panels/response.js';
import { createRingPanel } from './panels/ring.js';
import { createRunPanel } from './panels/run.js';
import { createSpacePanel } from './panels/space.js';
import { createTrainingPanel } from './panels/training.js';

/** No message for this long on an open connection: the data are called stale. */
const STALE_MS = 5000;

const $ = (id) => document.getElementById(id);
const state = { status: null, run: null, metric: null, truth: null, ring: null, response: null, image: null, lastMessageAt: 0, connection: 'connecting', reconnects: 0 };

// theme: the system's unless chosen here
const savedTheme = localStorage.getItem('holoring-theme');
const systemDark = matchMedia('(prefers-color-scheme: dark)');
const applyTheme = () => {
  document.documentElement.dataset.theme = savedTheme ?? (systemDark.matches ? 'dark' : 'light');
};
applyTheme();

// who this page is: asks for a token first when the daemon requires one
const me = await identify($('token-dialog'));
const control = createControlPanel($('panel-control'), me);
setInterval(() => void control.refresh(), 5000);

const panels = {
  metric: createMetricPanel($('panel-metric')),
  space: createSpacePanel($('panel-space')),
  ring: createRingPanel($('panel-ring')),
  response: createResponsePanel($('panel-response')),
  image: createImagePanel($('panel-image')),
  training: createTrainingPanel($('panel-training')),
  health: createHealthPanel($('panel-health')),
  run: createRunPanel($('panel-run')),
  alarms: createAlarmsPanel($('panel-alarms'), {
    ack: async (id) => {
      const res = await api(`api/alarms/${encodeURIComponent(id)}/ack`, { method: 'POST', body: { who: 'dashboard' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
  }),
};

const rebuildAll = () => {
  for (const p of Object.values(panels)) p.rebuild?.();
  for (const p of Object.values(panels)) p.box?.rebuild();
};
$('theme').addEventListener('click', () => {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem('holoring-theme', next);
  document.documentElement.dataset.theme = next;
  rebuildAll();
});
systemDark.addEventListener('change', () => {
  if (!localStorage.getItem('holoring-theme')) {
    applyTheme();
    rebuildAll();
  }
});

function setConnection(text, cls) {
  const el = $('conn');
  el.dataset.state = cls;
  el.textContent = text;
}

function banner(text, level = 'bad') {
  const el = $('banner');
  el.hidden = !text;
  el.textContent = text ?? '';
  el.dataset.level = level;
}

/** The plain-language problem with the data right now, or null. */
function dataProblem(now) {
  if (state.connection !== 'live') return null;
  if (now - state.lastMessageAt > STALE_MS) return `Stale: no update from the daemon for ${Math.round((now - state.lastMessageAt) / 1000)} s.`;
  const s = state.status;
  if (!s) return null;
  if (s.state === 'failed') return `The daemon failed: ${s.error ?? 'see its log'}.`;
  if (s.state === 'stopped') return 'The daemon has stopped: the data shown are its last.';
  if (s.device.state === 'stalled') return 'Stale: the ring has stopped sending frames (device stalled).';
  if (s.device.state === 'disconnected') return 'The ring is disconnected: the daemon is reconnecting; the data shown are old.';
  return null;
}

function onStatus(s) {
  state.status = s;
  panels.health.update(s);
  panels.run.status(s);
  panels.training.status(s);
}

function onMessage(m) {
  state.lastMessageAt = Date.now();
  switch (m.type) {
    case 'hello': {
      $('proto').textContent = `v${m.protocol} (server ${m.version})`;
      const snap = m.snapshot;
      if (!snap) break;
      state.run = snap.run;
      state.truth = snap.truth;
      $('sim-badge').hidden = !snap.run?.simulated;
      $('subtitle').textContent = snap.run?.simulated ? `simulated ring · bulk ${snap.run.metric}` : `ring ${snap.run?.device ?? ''}`;
      panels.run.setRun(snap.run);
      panels.run.logs(snap.logs ?? []);
      panels.alarms.reset(snap.alarms ?? []);
      panels.training.reset(snap.training ?? [], snap.status);
      if (snap.status) onStatus(snap.status);
      if (snap.metric) onFit({ metric: snap.metric });
      if (snap.ring) panels.ring.update(snap.ring);
      if (snap.response) onResponse(snap.response);
      if (snap.image) onImage(snap.image);
      break;
    }
    case 'status':
      onStatus(m.status);
      break;
    case 'ring':
      state.ring = m.ring;
      panels.ring.update(m.ring);
      break;
    case 'response':
      onResponse(m.response);
      break;
    case 'image':
      onImage(m.image);
      break;
    case 'fit':
      onFit(m.fit);
      if (m.fit.round) panels.training.add(m.fit.round, state.status);
      break;
    case 'log':
      panels.run.log(m.log);
      break;
    case 'alarm':
      panels.alarms.change(m.alarm);
      panels.run.log({ time: m.time, level: m.alarm.severity === 'critical' ? 'error' : 'warn', msg: `alarm ${m.alarm.id}: ${m.alarm.message ?? m.alarm.state}`, component: 'alarms' });
      break;
    case 'error':
      console.warn(`server: ${m.code}: ${m.message}`);
      break;
    default:
      break;
  }
}

function onResponse(response) {
  state.response = response;
  panels.response.update(response);
  panels.image.omegas([...new Set(response.omega)].filter((w) => w > 0).sort((a, b) => a - b));
  void panels.image.refresh();
}

function onImage(image) {
  state.image = image;
  panels.image.update(image);
}

function onFit(fit) {
  state.metric = fit.metric;
  panels.metric.update(fit.metric, state.truth);
  panels.space.update(fit.metric);
}

const client = connect({
  onMessage,
  protocols: wsProtocols,
  onState(s, info) {
    state.connection = s;
    if (s === 'live') {
      setConnection(info.resumed ? 'live (resumed)' : 'live', 'live');
      document.body.classList.remove('is-stale');
      banner(null);
    } else if (s === 'reconnecting') {
      if (info.inMs !== undefined) state.reconnects++;
      setConnection(info.inMs !== undefined ? `disconnected — retry in ${Math.round(info.inMs / 100) / 10} s` : `reconnecting (attempt ${info.attempt})…`, 'reconnecting');
      document.body.classList.add('is-stale');
      banner('Disconnected from the daemon: the data shown are not live. Reconnecting…');
    } else if (s === 'offline') {
      setConnection('offline', 'offline');
      banner(info.reason ?? 'Offline.');
    } else {
      setConnection('connecting…', 'connecting');
    }
  },
});

setInterval(() => {
  if (state.connection !== 'live') return;
  const problem = dataProblem(Date.now());
  const stale = problem?.startsWith('Stale');
  document.body.classList.toggle('is-stale', !!stale);
  if (stale) setConnection('stale', 'stale');
  else setConnection('live', 'live');
  banner(problem, stale ? 'warn' : 'bad');
}, 1000);

// for tests and the curious: the charts' own data, the client and the panels
window.holoring = { state, client, panels, charts: { get metric() { return panels.metric.box.u; }, get image() { return panels.image.box.u; } } };
