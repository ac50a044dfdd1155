// Panel 2 — the response: χ(ω + iγ, k) data with 1σ error bars against the
// model's prediction for a selectable k, and heat maps of the residual
// (data − model)/σ over (ω, k) for Re χ and Im χ.
import { ChartBox, axis, css, fitCanvas, fmt } from '../charts.js';

/** Diverging colour for a residual in units of σ (blue −3σ … white … red +3σ). */
export function residualColour(z) {
  const t = Math.max(-1, Math.min(1, z / 3));
  const lerp = (a, b, s) => Math.round(a + (b - a) * s);
  const [r, g, b] = t < 0 ? [lerp(247, 33, -t), lerp(247, 102, -t), lerp(247, 172, -t)] : [lerp(247, 178, t), lerp(247, 24, t), lerp(247, 43, t)];
  return `rgb(${r}, ${g}, ${b})`;
}

/** Rows of the response view for one k, sorted by ω. */
export function rowsForK(v, k) {
  const idx = [];
  for (let i = 0; i < v.k.length; i++) if (v.k[i] === k) idx.push(i);
  idx.sort((a, b) => v.omega[a] - v.omega[b]);
  return idx;
}

export function createResponsePanel(root) {
  const select = root.querySelector('#k-select');
  const heat = root.querySelector('#heat-canvas');
  const tip = root.querySelector('#heat-tip');
  let view = null;
  let k = 1;
  let cells = null;

  const errorBars = (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.lineWidth = devicePixelRatio;
    for (const [s, e] of [[1, 5], [2, 5]]) {
      ctx.strokeStyle = u.series[s].stroke();
      const xs = u.data[0];
      for (let i = 0; i < xs.length; i++) {
        const y = u.data[s][i];
        const sg = u.data[e][i];
        if (y === null || sg === null) continue;
        const px = u.valToPos(xs[i], 'x', true);
        ctx.beginPath();
        ctx.moveTo(px, u.valToPos(y - sg, 'y', true));
        ctx.lineTo(px, u.valToPos(y + sg, 'y', true));
        ctx.stroke();
      }
    }
    ctx.restore();
  };
  const box = new ChartBox(root.querySelector('#response-chart'), {
    height: 260,
    readout: {
      x: 'ω =',
      items: [
        { idx: 1, label: 'Re χ', err: 5 },
        { idx: 2, label: 'Im χ', err: 5 },
        { idx: 3, label: 'model Re' },
        { idx: 4, label: 'model Im' },
      ],
    },
    options: () => ({
      scales: { x: { time: false } },
      axes: [axis('drive frequency ω (units of v/R)'), axis('χ (response per unit source)', { size: 52 })],
      series: [
        {},
        { label: 'Re χ', stroke: css('--f'), paths: () => null, points: { show: true, size: 5, fill: css('--f') } },
        { label: 'Im χ', stroke: css('--g'), paths: () => null, points: { show: true, size: 5, fill: css('--g') } },
        { label: 'model Re χ', stroke: css('--f'), width: 1.5, points: { show: false } },
        { label: 'model Im χ', stroke: css('--g'), width: 1.5, points: { show: false } },
        { show: false },
      ],
      hooks: { draw: [errorBars] },
    }),
  });

  const drawHeat = () => {
    if (!view) return;
    const { ctx, w, h } = fitCanvas(heat);
    const omegas = [...new Set(view.omega)].sort((a, b) => a - b);
    const ks = [...new Set(view.k)].sort((a, b) => a - b);
    const left = 34;
    const bottom = 30;
    const gapY = 16;
    const mapH = (h - bottom - gapY - 14) / 2;
    const cw = (w - left - 4) / Math.max(1, omegas.length);
    const ch = mapH / Math.max(1, ks.length);
    cells = { omegas, ks, left, top: 14, mapH, gapY, cw, ch, z: new Map() };
    for (let i = 0; i < view.omega.length; i++) {
      const mr = view.modelRe[i];
      const mi = view.modelIm[i];
      const s = view.sigma[i];
      if (mr === null || mi === null || !(s > 0)) continue;
      cells.z.set(`${view.omega[i]}|${view.k[i]}`, [(view.re[i] - mr) / s, (view.im[i] - mi) / s]);
    }
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = css('--muted');
    ['Re χ', 'Im χ'].forEach((name, part) => {
      const y0 = cells.top + part * (mapH + gapY);
      ctx.fillStyle = css('--muted');
      ctx.textAlign = 'left';
      ctx.fillText(`${name}: (data − model)/σ`, left, y0 - 3);
      omegas.forEach((om, xi) => ks.forEach((kk, yi) => {
        const z = cells.z.get(`${om}|${kk}`);
        ctx.fillStyle = z ? residualColour(z[part]) : css('--border');
        ctx.fillRect(left + xi * cw, y0 + (ks.length - 1 - yi) * ch, Math.ceil(cw), Math.ceil(ch));
      }));
      ctx.fillStyle = css('--muted');
      ctx.textAlign = 'right';
      ctx.fillText(`k=${ks[ks.length - 1]}`, left - 3, y0 + 9);
      ctx.fillText(`k=${ks[0]}`, left - 3, y0 + mapH);
    });
    ctx.textAlign = 'center';
    ctx.fillText(`${fmt(omegas[0], 3)}`, left + cw / 2, h - bottom + 12);
    ctx.fillText(`${fmt(omegas[omegas.length - 1], 3)}`, w - 4 - cw / 2, h - bottom + 12);
    ctx.fillText('drive frequency ω (units of v/R)', left + (w - left) / 2, h - 4);
  };
  heat.addEventListener('mousemove', (e) => {
    if (!cells) return;
    const b = heat.getBoundingClientRect();
    const x = e.clientX - b.left;
    const y = e.clientY - b.top;
    const xi = Math.floor((x - cells.left) / cells.cw);
    const part = y < cells.top + cells.mapH + cells.gapY / 2 ? 0 : 1;
    const yi = cells.ks.length - 1 - Math.floor((y - cells.top - part * (cells.mapH + cells.gapY)) / cells.ch);
    const om = cells.omegas[xi];
    const kk = cells.ks[yi];
    const z = cells.z.get(`${om}|${kk}`);
    if (om === undefined || kk === undefined) {
      tip.hidden = true;
      return;
    }
    tip.hidden = false;
    tip.style.left = `${Math.min(x + 12, b.width - 160)}px`;
    tip.style.top = `${y + 12}px`;
    tip.textContent = `ω ${fmt(om, 4)}, k ${kk}: ${z ? `Re ${fmt(z[0], 2)}σ, Im ${fmt(z[1], 2)}σ` : 'no model yet'}`;
  });
  heat.addEventListener('mouseleave', () => (tip.hidden = true));
  new ResizeObserver(drawHeat).observe(heat);

  const plotK = () => {
    if (!view) return;
    const idx = rowsForK(view, k);
    box.setData([
      idx.map((i) => view.omega[i]),
      idx.map((i) => view.re[i]),
      idx.map((i) => view.im[i]),
      idx.map((i) => view.modelRe[i]),
      idx.map((i) => view.modelIm[i]),
      idx.map((i) => view.sigma[i]),
    ]);
  };
  select.addEventListener('change', () => {
    k = Number(select.value);
    plotK();
  });

  return {
    box,
    /**
     * The residual maps as last drawn: every cell of the (ω, k) grid and, where the
     * model is known, its (data − model)/σ for Re and Im (null: grey, no model yet).
     */
    residuals() {
      if (!cells) return null;
      return cells.omegas.flatMap((om) => cells.ks.map((kk) => {
        const z = cells.z.get(`${om}|${kk}`);
        return { omega: om, k: kk, re: z ? z[0] : null, im: z ? z[1] : null };
      }));
    },
    update(v) {
      if (!v) return;
      view = v;
      const ks = [...new Set(v.k)].sort((a, b) => a - b);
      if (select.options.length !== ks.length) {
        select.textContent = '';
        for (const kk of ks) select.append(new Option(String(kk), String(kk)));
        if (!ks.includes(k)) k = ks[0];
        select.value = String(k);
      }
      plotK();
      drawHeat();
    },
    rebuild() {
      box.rebuild();
      drawHeat();
    },
  };
}
