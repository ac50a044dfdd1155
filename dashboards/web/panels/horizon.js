// The metric panel for a black-hole sample (physics.md §11): f and g relative
// to BTZ, f/(r² − r_h²) and g/(r² − r_h²), over [r_h, r_c], the horizon r_h as
// a marked line with its ±1σ band, and r_h, the Hawking temperature and the
// sample's temperature against the Hawking–Page point T_HP = 1/2π.
import { css, fmt } from '../charts.js';

/** Hawking–Page temperature in units of v/R (physics.md §2). */
export const T_HP = 1 / (2 * Math.PI);

export const isHorizon = (m) => m?.geometry === 'horizon' && Number.isFinite(m.rh);

/**
 * The reference metric the panel divides by: BTZ r² − r_h² (computed as
 * (r − r_h)(r + r_h)) for a horizon, pure AdS 1 + r² for the disk.
 */
export const reference = (m) => (isHorizon(m) ? (r) => (r - m.rh) * (r + m.rh) : (r) => 1 + r * r);

/** Radii shown: [r_h − a margin that holds the 3σ band, r_c] for a horizon; [0, rMax] for the disk. */
export function radialRange(m, rMax) {
  if (!isHorizon(m)) return [0, rMax];
  const rc = m.rc ?? rMax;
  const margin = Math.max(4 * (m.rh_err ?? 0), 0.06 * (rc - m.rh));
  return [Math.max(0, m.rh - margin), rc];
}

/**
 * f/ref at index i; at the horizon itself (0/0: the served r[0] is r_h rounded
 * to 6 digits, so ref is tiny there, not 0) the limit, extrapolated linearly
 * from the next two radii.
 */
export function ratioAt(r, v, ref, i) {
  const z = ref(r[i]);
  if (Math.abs(z) > 1e-4 || i + 2 >= r.length) return v[i] / z;
  const a = v[i + 1] / ref(r[i + 1]);
  const b = v[i + 2] / ref(r[i + 2]);
  return a + ((a - b) * (r[i + 1] - r[i])) / (r[i + 2] - r[i + 1]);
}

/**
 * The y range of a horizon chart from the metric columns (uPlot data): f, g and
 * their 1σ from 1.1 r_h on, padded, and 1 (BTZ). Closer to the horizon the
 * bands widen (the σ of r_h moves the zero of f and g) and are clipped.
 */
export function horizonYRange(cols, rh) {
  let lo = 1;
  let hi = 1;
  for (let i = 0; i < cols[0].length; i++) {
    if (cols[0][i] < 1.1 * rh) continue;
    for (const c of [1, 2, 3, 6, 7, 8]) {
      const v = cols[c][i];
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  const pad = 0.15 * Math.max(hi - lo, 0.1);
  return [lo - pad, hi + pad];
}

/** The one-line geometry statement of the panel: r_h ± σ, T ± σ against T_HP, and the sample thermometer. */
export function horizonSummary(m) {
  const t = m.temperature;
  const te = m.temperature_err ?? 0;
  const parts = [`r_h = ${fmt(m.rh, 4)} ± ${fmt(m.rh_err, 2)}`];
  if (Number.isFinite(t)) parts.push(`T = ${fmt(t, 4)} ± ${fmt(te, 2)} v/R = (${fmt(t / T_HP, 3)} ± ${fmt(te / T_HP, 2)}) T_HP`);
  if (Number.isFinite(m.sampleTemperatureRatio)) {
    parts.push(`sample thermometer ${fmt(m.sampleTemperatureRatio, 3)} T_HP (${m.sampleTemperatureRatio > 1 ? 'above' : 'below'} the Hawking–Page point)`);
  }
  return parts.join(' · ');
}

/** The geometry choice in words (model.geometry auto), or what was configured. */
export function choiceText(m) {
  const c = m.choice;
  if (!c) return `Geometry ${m.geometry ?? 'disk'} (model.geometry fixed: no comparison fitted).`;
  return `Geometry ${c.picked}: reduced χ² disk ${fmt(c.disk.chi2, 3)}, horizon ${fmt(c.horizon.chi2, 3)} (χ² + 2ν: ${fmt(c.disk.criterion, 4)} vs ${fmt(c.horizon.criterion, 4)}). ${c.reason}.`;
}

/**
 * uPlot draw hook: the region inside the horizon shaded, r_h as a solid line
 * with its ±1σ band and a label. `seen` receives {rh, x} of each line drawn.
 */
export function drawHorizon(u, m, seen) {
  if (!isHorizon(m)) return;
  const dpr = devicePixelRatio;
  const { left, top, width, height } = u.bbox;
  const x = u.valToPos(m.rh, 'x', true);
  const lo = Math.max(left, u.valToPos(m.rh - (m.rh_err ?? 0), 'x', true));
  const hi = Math.min(left + width, u.valToPos(m.rh + (m.rh_err ?? 0), 'x', true));
  const ctx = u.ctx;
  const bad = css('--bad');
  ctx.save();
  ctx.fillStyle = css('--unresolved');
  ctx.fillRect(left, top, Math.max(0, lo - left), height);
  ctx.globalAlpha = 0.22;
  ctx.fillStyle = bad;
  ctx.fillRect(lo, top, Math.max(1, hi - lo), height);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = bad;
  ctx.lineWidth = 2 * dpr;
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.fillStyle = bad;
  ctx.font = `600 ${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.fillText(`horizon r_h = ${fmt(m.rh, 4)} ± ${fmt(m.rh_err, 2)}`, x + 6 * dpr, top + 14 * dpr);
  ctx.restore();
  // CSS pixels from the plot's left edge, as u.valToPos(v, 'x') gives them
  seen?.({ rh: m.rh, rhErr: m.rh_err, x: (x - left) / dpr, lo: (lo - left) / dpr, hi: (hi - left) / dpr });
}

/**
 * uPlot draw hook: the simulated ring's true horizon (truth.rh) as a dashed line
 * on a horizon chart. Returns {rh, x} (x in CSS pixels from the plot's left edge)
 * or null when there is none to draw.
 */
export function drawTrueHorizon(u, m, truth) {
  if (!isHorizon(m) || !Number.isFinite(truth?.rh)) return null;
  const dpr = devicePixelRatio;
  const { left, top, width, height } = u.bbox;
  const x = u.valToPos(truth.rh, 'x', true);
  if (x < left || x > left + width) return null;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = css('--muted');
  ctx.lineWidth = 1.25 * dpr;
  ctx.setLineDash([6 * dpr, 4 * dpr]);
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = css('--muted');
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.fillText(`true r_h = ${fmt(truth.rh, 4)}`, x + 6 * dpr, top + height - 8 * dpr);
  ctx.restore();
  return { rh: truth.rh, x: (x - left) / dpr };
}
