// Panel — the ring image (physics.md §13): the response around the antipode of
// the source seen through a virtual lens, |Ψ(x_S)|² against the image-plane
// coordinate x_S, with the verdict (a central spot or not), its position, FWHM
// and contrast (centre/mean), as GET /api/image and `holoring image --json`.
// It follows the sweep's current ω (the `image` topic), or one ω chosen here
// (fetched from GET /api/image whenever the response table changes).
import { api } from '../auth.js';
import { ChartBox, axis, css, fmt } from '../charts.js';

const FOLLOW = 'follow';

/** Outermost x_S where the image crosses half its maximum (the FWHM as the server measures it), or null. */
export function halfMaximumSpan(x, intensity) {
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < intensity.length; i++) {
    if (intensity[i] >= 0.5) {
      if (lo < 0) lo = i;
      hi = i;
    }
  }
  return lo < 0 ? null : [x[lo], x[hi]];
}

export function createImagePanel(root) {
  const meta = root.querySelector('#image-meta');
  const verdict = root.querySelector('#image-verdict');
  const kv = root.querySelector('#image-kv');
  const select = root.querySelector('#image-omega');
  const note = root.querySelector('#image-note');
  let image = null;
  let fetching = false;

  /** The brightest point (dashed) and the half-maximum span (the FWHM) on the chart. */
  const marks = (u) => {
    if (!image) return;
    const dpr = devicePixelRatio;
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = css(image.spot ? '--ok' : '--bad');
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([5 * dpr, 4 * dpr]);
    const px = u.valToPos(image.position, 'x', true);
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px, top + height);
    ctx.stroke();
    const span = halfMaximumSpan(image.x, image.intensity);
    if (span) {
      ctx.setLineDash([]);
      ctx.strokeStyle = css('--muted');
      const y = u.valToPos(0.5, 'y', true);
      ctx.beginPath();
      ctx.moveTo(u.valToPos(span[0], 'x', true), y);
      ctx.lineTo(u.valToPos(span[1], 'x', true), y);
      ctx.stroke();
    }
    ctx.restore();
  };

  const box = new ChartBox(root.querySelector('#image-chart'), {
    height: 220,
    readout: { x: 'x_S =', items: [{ idx: 1, label: '|Ψ|²/max' }] },
    options: () => ({
      scales: { x: { time: false }, y: { range: [0, 1.05] } },
      axes: [axis('image plane x_S (units of the focal length f)'), axis('|Ψ(x_S)|² / max', { size: 48 })],
      series: [{}, { label: '|Ψ(x_S)|²', stroke: css('--f'), width: 2, fill: `${css('--f')}22` }],
      hooks: { draw: [marks] },
    }),
  });

  const kvRow = (k, v) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    kv.append(dt, dd);
  };

  const show = (img) => {
    image = img;
    panel.updates++;
    box.setData([img.x, img.intensity]);
    verdict.textContent = img.spot ? 'central spot' : 'no central spot';
    verdict.dataset.spot = String(img.spot);
    meta.textContent = `Ω = ${fmt(img.omega)} + ${fmt(img.gamma)}i · |k| ≤ ${img.kMax} · ${img.frames} frames`;
    kv.textContent = '';
    kvRow('brightest at x_S', fmt(img.position, 3));
    kvRow('width (FWHM)', fmt(img.width, 3));
    kvRow('contrast (centre / mean)', fmt(img.contrast, 3));
    kvRow('lens', `aperture d = ${fmt(img.aperture)} rad, focal f = ${fmt(img.focal)}, source σ = ${fmt(img.sourceWidth)}`);
    note.textContent = img.spot
      ? 'The wave that crossed the bulk refocuses at the antipode: the spot of a holographic disk, narrowing as ω grows.'
      : `No refocusing${img.omega < 4 ? ' yet: the lens needs ω ≫ 1 (wave optics)' : ': a horizon absorbs the wave, and an ordinary material does not focus it'}.`;
  };

  const panel = {
    box,
    /** Images drawn (the e2e test waits for them). */
    updates: 0,
    /** The image on the chart. */
    last: () => image,
    /** The ω chosen, or null while following the sweep. */
    pinned: () => (select.value === FOLLOW ? null : Number(select.value)),
    /** An image from the `image` topic (the current ω): shown unless an ω is chosen. */
    update(img) {
      if (img && panel.pinned() === null) show(img);
    },
    /** The ω the response table holds, for the choice. */
    omegas(list) {
      const want = [FOLLOW, ...list.map(String)];
      const have = [...select.options].map((o) => o.value);
      if (want.join() === have.join()) return;
      const keep = select.value;
      select.textContent = '';
      for (const v of want) select.add(new Option(v === FOLLOW ? 'current ω (follow the sweep)' : `ω = ${v}`, v));
      select.value = want.includes(keep) ? keep : FOLLOW;
    },
    /** With an ω chosen: fetch its image again (the table changed). */
    async refresh() {
      const omega = panel.pinned();
      if (omega === null || fetching) return;
      fetching = true;
      try {
        const res = await api(`api/image?omega=${encodeURIComponent(omega)}`);
        if (res.ok) show(await res.json());
        else note.textContent = `GET /api/image: ${(await res.json()).error?.message ?? `HTTP ${res.status}`}`;
      } finally {
        fetching = false;
      }
    },
  };
  select.addEventListener('change', () => void panel.refresh());
  return panel;
}
