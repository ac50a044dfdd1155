// Panel 3 — the ring: every site's lock-in amplitude |z| (radial profile and
// dot size) and phase arg z (colour) around the circle, at the current drive
// frequency. Near a normal mode the response refocuses at the antipode of the
// source: a second lobe opposite the source site.
import { css, fitCanvas, fmt } from '../charts.js';

const hue = (phase) => ((phase + Math.PI) / (2 * Math.PI)) * 360;

export function createRingPanel(root) {
  const canvas = root.querySelector('#ring-canvas');
  const tip = root.querySelector('#ring-tip');
  const meta = root.querySelector('#ring-meta');
  let ring = null;
  let pending = false;
  let geom = null;

  const draw = () => {
    pending = false;
    if (!ring) return;
    const { ctx, w, h } = fitCanvas(canvas);
    const n = ring.amplitude.length;
    const cx = w / 2;
    const cy = h / 2;
    const R = Math.min(w, h) * 0.3;
    const span = Math.min(w, h) * 0.17;
    const max = Math.max(1e-12, ...ring.amplitude);
    const angle = (j) => -Math.PI / 2 + (2 * Math.PI * (j - ring.sourceSite)) / n;
    geom = { cx, cy, R, n, angle };
    // base circle
    ctx.strokeStyle = css('--border');
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.arc(cx, cy, R, 0, 2 * Math.PI);
    ctx.stroke();
    // amplitude profile
    ctx.beginPath();
    for (let j = 0; j <= n; j++) {
      const a = angle(j % n);
      const rr = R + (ring.amplitude[j % n] / max) * span;
      const x = cx + rr * Math.cos(a);
      const y = cy + rr * Math.sin(a);
      if (j === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.closePath();
    ctx.strokeStyle = css('--f');
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.moveTo(cx + R, cy);
    ctx.arc(cx, cy, R, 0, 2 * Math.PI);
    ctx.fillStyle = css('--unresolved');
    ctx.fill('evenodd');
    // sites: size by amplitude, colour by phase
    for (let j = 0; j < n; j++) {
      const a = angle(j);
      const s = 2 + (ring.amplitude[j] / max) * 6;
      ctx.beginPath();
      ctx.arc(cx + R * Math.cos(a), cy + R * Math.sin(a), s, 0, 2 * Math.PI);
      ctx.fillStyle = `hsl(${hue(ring.phase[j])} 70% 50%)`;
      ctx.fill();
    }
    // source and antipode
    ctx.fillStyle = css('--muted');
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(`source (site ${ring.sourceSite})`, cx, cy - R - span - 8 < 10 ? 10 : cy - R - span - 8);
    ctx.fillText(`antipode (site ${(ring.sourceSite + n / 2) % n})`, cx, Math.min(h - 4, cy + R + span + 16));
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.fillStyle = css('--fg');
    ctx.fillText(`ω = ${fmt(ring.omega, 4)}`, cx, cy - 4);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = css('--muted');
    ctx.fillText(`max |z| = ${fmt(max, 3)}`, cx, cy + 12);
  };

  canvas.addEventListener('mousemove', (e) => {
    if (!ring || !geom) return;
    const b = canvas.getBoundingClientRect();
    const x = e.clientX - b.left - geom.cx;
    const y = e.clientY - b.top - geom.cy;
    let a = Math.atan2(y, x) + Math.PI / 2;
    if (a < 0) a += 2 * Math.PI;
    const j = (Math.round((a / (2 * Math.PI)) * geom.n) + ring.sourceSite) % geom.n;
    tip.hidden = false;
    tip.style.left = `${e.clientX - b.left + 12}px`;
    tip.style.top = `${e.clientY - b.top + 12}px`;
    tip.textContent = `site ${j} · |z| ${fmt(ring.amplitude[j], 4)} · arg z ${fmt(ring.phase[j], 3)} rad`;
  });
  canvas.addEventListener('mouseleave', () => (tip.hidden = true));
  new ResizeObserver(() => draw()).observe(canvas);

  const panel = {
    /** Frames drawn (the e2e test watches it advance). */
    updates: 0,
    last: () => ring,
    update(r) {
      if (!r) return;
      ring = r;
      panel.updates++;
      const cal = r.status === 'calibrated' ? `calibrated (${r.calibrationVersion})` : r.status;
      meta.textContent = `frame ${r.seq} · ${cal}`;
      if (!pending) {
        pending = true;
        requestAnimationFrame(draw);
      }
    },
    rebuild: () => draw(),
  };
  return panel;
}
