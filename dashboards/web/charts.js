// uPlot in the dashboard's theme: axes with units, a hover read-out of every
// named series, charts that follow their container's size and rebuild on a
// theme change.
import uPlot from '/vendor/uplot/uPlot.esm.js';

export { uPlot };

/** A CSS custom property of the current theme. */
export const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Compact number for labels and read-outs. */
export function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

/** An axis with a label (units included by the caller) in the theme's colours. */
export function axis(label, extra = {}) {
  return {
    label,
    stroke: css('--axis'),
    grid: { stroke: css('--grid'), width: 1 },
    ticks: { stroke: css('--grid'), width: 1, size: 4 },
    font: '11px system-ui, sans-serif',
    labelFont: '12px system-ui, sans-serif',
    labelSize: 16,
    gap: 3,
    ...extra,
  };
}

/**
 * Writes the values under the cursor into a read-out line below the chart:
 * `items` = [{ idx, label, unit?, digits? }] (series indices of uPlot data).
 */
function readoutPlugin(el, xLabel, items) {
  const show = (u) => {
    const i = u.cursor.idx;
    if (i === null || i === undefined) {
      el.textContent = 'hover for values';
      return;
    }
    const x = u.data[0][i];
    const parts = [`${xLabel} ${fmt(x)}`];
    for (const it of items) {
      const v = u.data[it.idx]?.[i];
      if (v === null || v === undefined) continue;
      const err = it.err !== undefined ? u.data[it.err]?.[i] : undefined;
      parts.push(`${it.label} ${fmt(v, it.digits)}${err !== undefined && err !== null ? ` ± ${fmt(err, 2)}` : ''}${it.unit ? ` ${it.unit}` : ''}`);
    }
    el.textContent = parts.join('   ');
  };
  return { hooks: { setCursor: show, setData: show } };
}

/**
 * A uPlot chart in `host` that keeps its data across rebuilds.
 * `options(width)` returns uPlot options (series, axes, scales, bands, hooks).
 */
export class ChartBox {
  constructor(host, { height = 260, options, readout }) {
    this.host = host;
    this.height = height;
    this.options = options;
    this.readout = readout ?? null;
    this.data = null;
    this.u = null;
    this.plot = document.createElement('div');
    host.append(this.plot);
    if (this.readout) {
      this.readEl = document.createElement('div');
      this.readEl.className = 'meta readout';
      this.readEl.textContent = 'hover for values';
      host.append(this.readEl);
    }
    new ResizeObserver(() => this.resize()).observe(host);
  }

  width() {
    return Math.max(200, Math.floor(this.host.clientWidth || 300));
  }

  build() {
    this.u?.destroy();
    this.plot.textContent = '';
    const o = this.options(this.width());
    const plugins = [...(o.plugins ?? [])];
    if (this.readout) plugins.push(readoutPlugin(this.readEl, this.readout.x, this.readout.items));
    this.u = new uPlot({ width: this.width(), height: this.height, legend: { show: false }, cursor: { drag: { x: false, y: false } }, ...o, plugins }, this.data, this.plot);
  }

  setData(data, resetScales = true) {
    this.data = data;
    if (!this.u) this.build();
    else this.u.setData(data, resetScales);
  }

  resize() {
    if (this.u && Math.abs(this.u.width - this.width()) > 2) this.u.setSize({ width: this.width(), height: this.height });
  }

  /** Theme changed: rebuild with the new colours. */
  rebuild() {
    if (this.data) this.build();
  }
}

/** Canvas sized to its CSS box at the device's pixel ratio; returns the 2D context in CSS pixels. */
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, canvas.clientWidth);
  const h = Math.max(1, canvas.clientHeight);
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** Linear interpolation of (xs, ys) at x (xs increasing); null outside. */
export function interp(xs, ys, x) {
  if (!xs.length || x < xs[0] || x > xs[xs.length - 1]) return null;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const t = xs[hi] === xs[lo] ? 0 : (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}
