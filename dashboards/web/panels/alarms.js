// Panel — alarms: the latched alarms (docs/alarms.md), newest first, each with
// its severity, state, what is wrong and what to do, and an Acknowledge
// button (POST /api/alarms/:id/ack). An alarm leaves the list when its
// condition has cleared and it was acknowledged (the event says `closed`).

const ORDER = { critical: 0, warning: 1, info: 2 };

export function createAlarmsPanel(root, { ack } = {}) {
  const list = root.querySelector('#alarms-list');
  const meta = root.querySelector('#alarms-meta');
  const alarms = new Map();

  function render() {
    const items = [...alarms.values()].sort((a, b) => (ORDER[a.severity] ?? 3) - (ORDER[b.severity] ?? 3) || String(b.time).localeCompare(String(a.time)));
    const open = items.filter((a) => a.state !== 'acknowledged').length;
    meta.textContent = items.length ? `${items.length} latched, ${open} unacknowledged` : 'none';
    root.dataset.level = items.some((a) => a.severity === 'critical' && a.state === 'raised') ? 'critical' : open ? 'warning' : 'ok';
    const frag = document.createDocumentFragment();
    for (const a of items) {
      const li = document.createElement('li');
      li.className = `alarm sev-${a.severity} st-${a.state}`;
      const head = document.createElement('div');
      head.className = 'alarm-head';
      head.textContent = `${a.severity.toUpperCase()} · ${a.rule} · ${a.state}${a.who ? ` by ${a.who}` : ''}`;
      const msg = document.createElement('div');
      msg.className = 'alarm-msg';
      msg.textContent = a.message;
      const act = document.createElement('div');
      act.className = 'alarm-action';
      act.textContent = `What to do: ${a.action}`;
      li.append(head, msg, act);
      if (a.state !== 'acknowledged' && ack) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = 'Acknowledge';
        b.addEventListener('click', () => {
          b.disabled = true;
          ack(a.id).catch(() => (b.disabled = false));
        });
        li.append(b);
      }
      frag.append(li);
    }
    list.replaceChildren(frag);
  }

  return {
    /** The latched alarms of a snapshot (replaces the list). */
    reset(items) {
      alarms.clear();
      for (const a of items ?? []) alarms.set(a.id, a);
      render();
    },
    /** One alarm change from the `alarm` topic. */
    change(a) {
      if (a.closed) alarms.delete(a.id);
      else alarms.set(a.id, { ...alarms.get(a.id), ...a });
      render();
    },
  };
}
