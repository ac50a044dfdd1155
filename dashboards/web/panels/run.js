// Panel 7 — the run: id, configuration summary, calibration version, uptime,
// and the daemon's recent log lines.
import { fillKv } from './health.js';

const MAX_LINES = 100;

function duration(s) {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
}

export function createRunPanel(root) {
  const kv = root.querySelector('#run-kv');
  const meta = root.querySelector('#run-meta');
  const log = root.querySelector('#log');
  let run = null;
  return {
    setRun(r) {
      run = r;
    },
    status(s) {
      if (!run || !s) return;
      const c = run.config;
      meta.textContent = `up ${duration(s.uptimeS)}`;
      fillKv(kv, [
        ['run', s.run.id ?? run.id ?? 'not recorded'],
        ['started', new Date(run.startedAt).toLocaleString()],
        ['device', `${run.device}${s.device.identity ? ` — ${s.device.identity.model} ${s.device.identity.serial}, firmware ${s.device.identity.firmware}` : ''}`],
        ...(run.simulated ? [['simulated bulk', run.metric ?? '—']] : []),
        ['calibration', s.pipeline.calibrationVersion ?? 'none (uncalibrated)', s.pipeline.calibrationVersion ? '' : 'warn'],
        ['Δ, γ, k ≤', `${c.delta}, ${c.gamma}, ${c.kMax}`],
        ['sweep ω', `${c.sweep.start} … ${c.sweep.stop} step ${c.sweep.step}, ${c.sweep.dwellMs} ms dwell`],
        ['ring rate', `${c.rate} frames/s${c.speed !== 1 ? `, ${c.speed}× time` : ''}`],
        ['network', `${c.model.layers} layers, ${c.model.nodes} nodes, retrain every ${c.model.retrainEvery} sweep(s)`],
        ['sweeps', String(s.pipeline.sweeps)],
        ['uptime', duration(s.uptimeS)],
        ['version', run.version],
      ]);
    },
    logs(lines) {
      log.textContent = '';
      for (const l of lines.slice(-MAX_LINES)) this.log(l);
    },
    log(l) {
      const li = document.createElement('li');
      li.dataset.level = l.level;
      const t = document.createElement('time');
      t.textContent = new Date(l.time).toLocaleTimeString();
      li.append(t, `${l.level === 'info' ? '' : `${l.level.toUpperCase()} `}${l.component ? `[${l.component}] ` : ''}${l.msg}`);
      li.title = li.textContent;
      log.prepend(li);
      while (log.children.length > MAX_LINES) log.lastChild.remove();
    },
  };
}
