// Control panel: the page's role, the bench lock and the operator's commands
// (docs/api.md, "Control"). Viewers see the controls disabled; an operator
// takes the lock before the commands enable.
import { api } from '../auth.js';

const COMMANDS = [
  ['sweep/start', 'Start sweeps'],
  ['sweep/stop', 'Stop sweeps'],
  ['calibrate', 'Calibrate'],
  ['model/reset', 'Reset model'],
];

export function createControlPanel(root, me) {
  const roleEl = root.querySelector('#control-role');
  const lockEl = root.querySelector('#control-lock');
  const msgEl = root.querySelector('#control-msg');
  const lockBtn = root.querySelector('#control-lock-btn');
  const box = root.querySelector('#control-buttons');
  let lock = me.lock;
  const operator = me.role === 'operator';
  const mine = () => !!lock && lock.holder.tokenId === me.tokenId;
  const buttons = COMMANDS.map(([path, label]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.dataset.command = path;
    b.onclick = () => run(path, label);
    box.append(b);
    return b;
  });
  const say = (text, bad = false) => {
    msgEl.textContent = text;
    msgEl.classList.toggle('bad', bad);
  };
  const render = () => {
    roleEl.textContent = me.authRequired ? `${me.role} · ${me.who}` : `${me.role} (local, no authentication)`;
    roleEl.dataset.role = me.role;
    lockEl.textContent = lock ? `held by ${lock.holder.label ?? lock.holder.tokenId} until ${new Date(lock.expiresAt).toLocaleTimeString()}` : 'free';
    lockBtn.textContent = mine() ? 'Release lock' : 'Take lock';
    lockBtn.disabled = !operator || (!!lock && !mine());
    for (const b of buttons) {
      b.disabled = !operator || !mine();
      b.title = !operator ? 'viewers may only watch' : mine() ? '' : 'take the bench lock first';
    }
  };
  const answer = async (res) => {
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
    return body;
  };
  async function run(path, label) {
    try {
      const body = await answer(await api(`api/control/${path}`, { method: 'POST' }));
      say(`${label}: done${body.calibration ? ` (calibration ${body.calibration})` : ''}`);
    } catch (e) {
      say(`${label}: ${e.message}`, true);
    }
  }
  lockBtn.onclick = async () => {
    try {
      const body = await answer(await api('api/lock', mine() ? { method: 'DELETE' } : { method: 'POST', body: { ttlSeconds: 900 } }));
      lock = body.lock;
      say(lock ? 'You hold the bench lock.' : 'Lock released.');
    } catch (e) {
      say(e.message, true);
    }
    render();
  };
  render();
  return {
    /** Refreshes the lock shown (from /api/lock). */
    async refresh() {
      const res = await api('api/lock');
      if (res.ok) lock = (await res.json()).lock;
      render();
    },
  };
}
