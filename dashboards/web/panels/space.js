// Panel 4 — the emergent space: the spatial disk as a surface of revolution
// (circumference 2πr at radial proper distance ρ = ∫dr/√g) beside pure AdS's.
// The hyperbolic disk cannot sit in flat 3-space; it embeds in Minkowski
// 3-space as a surface z(r) with dz/dr = √(1 − 1/g) (the hyperboloid
// z = √(1+r²) − 1 for pure AdS), which is what is drawn.
import { ChartBox, axis, css, fitCanvas, fmt } from '../charts.js';

/** Radius up to which the surfaces are drawn. */
const R_DRAW = 2.5;

/**
 * ρ(r) = ρ₀ + ∫_{r₀}^r dr'/√g and the embedding height z(r) = ∫_{r₀}^r √|1 − 1/g| dr'
 * (trapezoid rule on the estimate's grid; r₀ = r[0], ρ₀ = rho0).
 */
export function embedding(r, g, rho0 = 0) {
  const rho = [rho0];
  const z = [0];
  for (let i = 1; i < r.length; i++) {
    const h = r[i] - r[i - 1];
    rho.push(rho[i - 1] + 0.5 * h * (1 / Math.sqrt(g[i]) + 1 / Math.sqrt(g[i - 1])));
    z.push(z[i - 1] + 0.5 * h * (Math.sqrt(Math.abs(1 - 1 / g[i])) + Math.sqrt(Math.abs(1 - 1 / g[i - 1]))));
  }
  return { rho, z };
}

function drawSurface(ctx, cx, baseY, scale, r, z, color, label) {
  const tilt = 0.32;
  const rings = 9;
  // the centre (z = 0) at the bottom, the rim at the top; y recedes into the screen
  const project = (x, y, h) => [cx + x * scale, baseY - (R_DRAW + y) * tilt * scale - h * 0.9 * scale];
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  // parallels (circles of circumference 2πr)
  for (let k = 1; k <= rings; k++) {
    const i = Math.round((k / rings) * (r.length - 1));
    ctx.globalAlpha = 0.35 + (0.65 * k) / rings;
    ctx.beginPath();
    for (let a = 0; a <= 64; a++) {
      const t = (a / 64) * 2 * Math.PI;
      const [px, py] = project(r[i] * Math.cos(t), r[i] * Math.sin(t), z[i]);
      if (a === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
  }
  // meridians
  ctx.globalAlpha = 0.5;
  for (let m = 0; m < 12; m++) {
    const t = (m / 12) * 2 * Math.PI;
    ctx.beginPath();
    for (let i = 0; i < r.length; i++) {
      const [px, py] = project(r[i] * Math.cos(t), r[i] * Math.sin(t), z[i]);
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = css('--muted');
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText(label, cx, 14);
}

export function createSpacePanel(root) {
  const canvas = root.querySelector('#space-canvas');
  let last = null;
  const box = new ChartBox(root.querySelector('#space-chart'), {
    height: 170,
    readout: { x: 'r =', items: [{ idx: 1, label: 'ρ' }, { idx: 2, label: 'ρ_AdS' }] },
    options: () => ({
      scales: { x: { time: false } },
      axes: [axis('circumference / 2π, r (AdS radii)'), axis('proper distance ρ', { size: 44 })],
      series: [{}, { label: 'ρ measured', stroke: css('--f'), width: 2 }, { label: 'ρ reference (pure AdS, or BTZ for a horizon)', stroke: css('--guide'), width: 1, dash: [2, 4] }],
    }),
  });
  const draw = () => {
    if (!last || last.r.length < 2) return;
    const { ctx, w, h } = fitCanvas(canvas);
    const { r, zM, zA } = last;
    const zMax = Math.max(zM[zM.length - 1], zA[zA.length - 1]);
    const scale = Math.min((w / 4) / R_DRAW * 0.9, (h - 30) / (zMax * 0.9 + R_DRAW * 0.64 + 0.2));
    drawSurface(ctx, w * 0.27, h - 8, scale, r, zM, css('--f'), 'measured');
    drawSurface(ctx, w * 0.73, h - 8, scale, r, zA, css('--guide'), last.ref);
  };
  new ResizeObserver(draw).observe(canvas);
  return {
    box,
    update(metric) {
      if (!metric) return;
      const n = metric.r.findIndex((x) => x > 6 + 1e-9);
      const end = n < 0 ? metric.r.length : n;
      // a horizon: the slice starts at r_h, where g = 0; from the next radius on, with the
      // proper distance to the horizon of a simple zero, ρ = 2(r − r_h)/√g, beside BTZ's
      const bh = metric.geometry === 'horizon' && Number.isFinite(metric.rh);
      const from = bh ? 1 : 0;
      const r = metric.r.slice(from, end);
      const g = metric.g.slice(from, end);
      const ads = r.map((x) => (bh ? (x - metric.rh) * (x + metric.rh) : 1 + x * x));
      const near = (gi) => (bh ? (2 * (r[0] - metric.rh)) / Math.sqrt(gi) : 0);
      const m = embedding(r, g, near(g[0]));
      const a = embedding(r, ads, near(ads[0]));
      box.setData([r, m.rho, a.rho]);
      const d = r.findIndex((x) => x > R_DRAW);
      const cut = d < 0 ? r.length : d;
      last = { r: r.slice(0, cut), zM: m.z.slice(0, cut), zA: a.z.slice(0, cut), ref: bh ? 'BTZ' : 'pure AdS' };
      draw();
      const i2 = r.findIndex((x) => x >= 2);
      canvas.title = `ρ(r=2): measured ${fmt(m.rho[i2], 4)}, ${last.ref} ${fmt(a.rho[i2], 4)}`;
    },
    rebuild() {
      box.rebuild();
      draw();
    },
  };
}
