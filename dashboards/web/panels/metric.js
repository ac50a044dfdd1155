// Panel 1 — the emergent metric: f/(1+r²) and g/(1+r²) against r with 1σ and
// 2σ bands, pure AdS (= 1) as a faint guide, the simulated ring's true metric
// dashed, and the radii where the data no longer resolve structure shaded.
// For a black-hole sample (geometry horizon) the same relative to BTZ over
// [r_h, r_c], with the horizon marked (horizon.js).
import { ChartBox, axis, css, fmt, interp } from '../charts.js';
import { choiceText, drawHorizon, drawTrueHorizon, horizonSummary, horizonYRange, isHorizon, radialRange, ratioAt, reference } from './horizon.js';

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

/**
 * Chart data (uPlot columns) from a metric estimate and the optional truth:
 * f and g over the reference metric (pure AdS, or BTZ for a horizon) with
 * their 1σ and 2σ bands, the guide (= 1), and the truth over its own
 * reference (`fRel`, `gRel`: pure AdS, or BTZ at the true r_h — so the dashed
 * curves show the true e^α, e^β that the fitted curves estimate; dividing the
 * truth by BTZ at the fitted r_h instead would blow up between the two horizons).
 */
export function metricColumns(m, truth) {
  const rEnd = radialRange(m, R_MAX)[1];
  const n = m.r.findIndex((r) => r > rEnd + 1e-9);
  const end = n < 0 ? m.r.length : n;
  const ref = reference(m);
  const cols = Array.from({ length: 16 }, () => new Array(end));
  for (let i = 0; i < end; i++) {
    const r = m.r[i];
    const f = ratioAt(m.r, m.f, ref, i);
    const fe = Math.abs(ratioAt(m.r, m.f_err, ref, i));
    const g = ratioAt(m.r, m.g, ref, i);
    const ge = Math.abs(ratioAt(m.r, m.g_err, ref, i));
    cols[0][i] = r;
    cols[1][i] = f; cols[2][i] = f + fe; cols[3][i] = f - fe; cols[4][i] = f + 2 * fe; cols[5][i] = f - 2 * fe;
    cols[6][i] = g; cols[7][i] = g + ge; cols[8][i] = g - ge; cols[9][i] = g + 2 * ge; cols[10][i] = g - 2 * ge;
    cols[11][i] = 1;
    // interp gives null outside the truth's grid (inside a true horizon)
    cols[12][i] = truth ? interp(truth.r, truth.fRel, r) : null;
    cols[13][i] = truth ? interp(truth.r, truth.gRel, r) : null;
    cols[14][i] = fe;
    cols[15][i] = ge;
  }
  return cols;
}

/** The hover read-out, naming the reference it divides by (as the CLI's fit line: f/f_AdS, f/f_BTZ). */
const readout = (ref) => ({
  x: 'r =',
  items: [
    { idx: 1, label: `f/f_${ref}`, err: 14 },
    { idx: 6, label: `g/g_${ref}`, err: 15 },
    { idx: 12, label: `true f/f_${ref}` },
    { idx: 13, label: `true g/g_${ref}` },
  ],
});

export function createMetricPanel(root) {
  const meta = root.querySelector('#metric-meta');
  const note = root.querySelector('#metric-note');
  const badge = root.querySelector('#metric-badge');
  const geometryEl = root.querySelector('#metric-geometry');
  let unresolved = null;
  let current = null;
  let currentTruth = null;
  const shade = (u) => {
    drawHorizon(u, current, (line) => (panel.horizonLine = line));
    panel.truthLine = drawTrueHorizon(u, current, currentTruth);
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
    readout: readout('AdS'),
    options: () => {
      const f = css('--f');
      const g = css('--g');
      const band = { stroke: 'transparent', width: 0, points: { show: false } };
      const bh = isHorizon(current);
      const ref = bh ? '(r²−r_h²)' : '(1+r²)';
      return {
        scales: {
          x: { time: false, range: () => radialRange(current, R_MAX) },
          ...(bh ? { y: { range: (u) => horizonYRange(u.data, current.rh) } } : {}),
        },
        axes: [
          axis(bh ? 'radius r (AdS radii), from the horizon r_h to r_c' : 'radius r (units of the AdS radius)'),
          axis(bh ? 'metric / BTZ r² − r_h² (dimensionless)' : 'metric / pure AdS (dimensionless)', { size: 52 }),
        ],
        series: [
          {},
          { label: `f/${ref}`, stroke: f, width: 2 },
          { ...band }, { ...band }, { ...band }, { ...band },
          { label: `g/${ref}`, stroke: g, width: 2 },
          { ...band }, { ...band }, { ...band }, { ...band },
          { label: bh ? 'BTZ' : 'pure AdS', stroke: css('--guide'), width: 1, dash: [2, 4] },
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
    /** The horizon line as last drawn: {rh, rhErr, x, lo, hi} (CSS pixels in the chart), null for a disk. */
    horizonLine: null,
    /** The true horizon as last drawn: {rh, x} (CSS pixels in the chart), null without a black-hole truth. */
    truthLine: null,
    update(metric, truth) {
      if (!metric) return;
      const rebuild = isHorizon(metric) !== isHorizon(current) && box.u;
      current = metric;
      currentTruth = truth ?? null;
      const bh = isHorizon(metric);
      unresolved = bh ? null : unresolvedFrom(metric.r, metric.resolution);
      if (!bh) panel.horizonLine = null;
      box.readout = readout(bh ? 'BTZ' : 'AdS');
      if (rebuild) {
        box.data = metricColumns(metric, truth);
        box.build();
      } else box.setData(metricColumns(metric, truth));
      panel.drawnRounds.push(metric.round);
      badge.hidden = !bh;
      const at1 = metric.r.findIndex((r) => r >= 1);
      meta.textContent = `round ${metric.round} · reduced χ² ${fmt(metric.chi2, 3)} · ${metric.points} points · ${new Date(metric.updatedAt).toLocaleTimeString()}`;
      geometryEl.textContent = `${bh ? `${horizonSummary(metric)}. ` : ''}${choiceText(metric)}`;
      note.textContent = bh
        ? `Relative to BTZ (f = g = r² − r_h²) from the horizon to r_c = ${fmt(metric.rc, 3)}, beyond which the network is BTZ. Bands: 1σ and 2σ (they widen towards the horizon, whose position is uncertain, and are cut off there); the red band is r_h ± 1σ, the grey region lies inside the horizon.${truth ? ' Dashed: the simulated ring’s true metric over BTZ at its own horizon (the dashed vertical line), i.e. the true e^α, e^β.' : ''}`
        : `Bands: 1σ and 2σ. Structure finer than Δr is not resolved: Δr = ${fmt(metric.resolution[0], 2)} at the centre, ${fmt(metric.resolution[at1], 2)} at r = 1${unresolved !== null ? `; beyond r ≈ ${fmt(unresolved, 2)} Δr exceeds r (shaded)` : ''}.${truth ? ' Dashed: the simulated ring’s true metric.' : ''}`;
    },
  };
  return panel;
}
