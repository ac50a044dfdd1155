// Panel 1 — the emergent metric: f/(1+r²) and g/(1+r²) against r with 1σ and
// 2σ bands, pure AdS (= 1) as a faint guide, the simulated ring's true metric
// dashed, and the radii where the data no longer resolve structure shaded.
import { ChartBox, axis, css, fmt, interp } from '../charts.js';

/** Largest radius shown: the network imposes pure AdS beyond r_c = 6. */
export const R_MAX = 6;

const alpha = (hex, a) => {
  const c = hex.startsWith('#') ? hex : '#888888';
  const n = parseInt(c.length === 4 ? c.slice(1).split('').map((x) => x + x).join('') : c.slice(1, 7), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
};

/** First radius (beyond the centre) where the resolved scale Δr exceeds r itself. */
export function unresolvedFrom(r, resolution) {
  for (let i = 0; i < r.length; i++) if (r[i] > 0.5 && resolution[i] > r[i]) return r[i];
  return null;
}

/** Chart data (uPlot columns) from a metric estimate and the optional truth. */
export function metricColumns(m, truth) {
  const n = m.r.findIndex((r) => r > R_MAX + 1e-9);
  const end = n < 0 ? m.r.length : n;
  const cols = Array.from({ length: 16 }, () => new Array(end));
  for (let i = 0; i < end; i++) {
    const r = m.r[i];
    const ads = 1 + r * r;
    const f = m.f[i] / ads;
    const fe = m.f_err[i] / ads;
    const g = m.g[i] / ads;
    const ge = m.g_err[i] / ads;
    cols[0][i] = r;
    cols[1][i] = f; cols[2][i] = f + fe; cols[3][i] = f - fe; cols[4][i] = f + 2 * fe; cols[5][i] = f - 2 * fe;
    cols[6][i] = g; cols[7][i] = g + ge; cols[8][i] = g - ge; cols[9][i] = g + 2 * ge; cols[10][i] = g - 2 * ge;
    cols[11][i] = 1;
    const tf = truth ? interp(truth.r, truth.f, r) : null;
    const tg = truth ? interp(truth.r, truth.g, r) : null;
    cols[12][i] = tf === null ? null : tf / ads;
    cols[13][i] = tg === null ? null : tg / ads;
    cols[14][i] = fe;
    cols[15][i] = ge;
  }
  return cols;
}

export function createMetricPanel(root) {
  const meta = root.querySelector('#metric-meta');
  const note = root.querySelector('#metric-note');
  let unresolved = null;
  const shade = (u) => {
    if (unresolved === null) return;
    const x0 = u.valToPos(unresolved, 'x', true);
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = css('--unresolved');
    ctx.fillRect(x0, top, left + width - x0, height);
    ctx.fillStyle = css('--muted');
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    ctx.fillText('not resolved by the data', left + width - 6 * devicePixelRatio, top + 14 * devicePixelRatio);
    ctx.restore();
  };
  const box = new ChartBox(root.querySelector('#metric-chart'), {
    height: 300,
    readout: {
      x: 'r =',
      items: [
        { idx: 1, label: 'f/f_AdS', err: 14 },
        { idx: 6, label: 'g/g_AdS', err: 15 },
        { idx: 12, label: 'true f/f_AdS' },
        { idx: 13, label: 'true g/g_AdS' },
      ],
    },
    options: () => {
      const f = css('--f');
      const g = css('--g');
      const band = { stroke: 'transparent', width: 0, points: { show: false } };
      return {
        scales: { x: { time: false, range: [0, R_MAX] } },
        axes: [axis('radius r (units of the AdS radius)'), axis('metric / pure AdS (dimensionless)', { size: 52 })],
        series: [
          {},
          { label: 'f/(1+r²)', stroke: f, width: 2 },
          { ...band }, { ...band }, { ...band }, { ...band },
          { label: 'g/(1+r²)', stroke: g, width: 2 },
          { ...band }, { ...band }, { ...band }, { ...band },
          { label: 'pure AdS', stroke: css('--guide'), width: 1, dash: [2, 4] },
          { label: 'true f', stroke: f, width: 1.25, dash: [6, 4] },
          { label: 'true g', stroke: g, width: 1.25, dash: [6, 4] },
          { show: false }, { show: false },
        ],
        bands: [
          { series: [2, 3], fill: alpha(f, 0.25) },
          { series: [4, 5], fill: alpha(f, 0.1) },
          { series: [7, 8], fill: alpha(g, 0.25) },
          { series: [9, 10], fill: alpha(g, 0.1) },
        ],
        hooks: { drawClear: [shade] },
      };
    },
  });
  const panel = {
    box,
    /** Rounds drawn on the chart (the e2e test waits for two). */
    drawnRounds: [],
    update(metric, truth) {
      if (!metric) return;
      unresolved = unresolvedFrom(metric.r, metric.resolution);
      box.setData(metricColumns(metric, truth));
      panel.drawnRounds.push(metric.round);
      const at1 = metric.r.findIndex((r) => r >= 1);
      meta.textContent = `round ${metric.round} · reduced χ² ${fmt(metric.chi2, 3)} · ${metric.points} points · ${new Date(metric.updatedAt).toLocaleTimeString()}`;
      note.textContent = `Bands: 1σ and 2σ. Structure finer than Δr is not resolved: Δr = ${fmt(metric.resolution[0], 2)} at the centre, ${fmt(metric.resolution[at1], 2)} at r = 1${unresolved !== null ? `; beyond r ≈ ${fmt(unresolved, 2)} Δr exceeds r (shaded)` : ''}.${truth ? ' Dashed: the simulated ring’s true metric.' : ''}`;
    },
  };
  return panel;
}
