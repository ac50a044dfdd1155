/**
 * A minimal line plot as a standalone SVG document (no scripts, no external
 * resources), for images and spectra a person opens in a browser.
 */
export interface LinePlot {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  title: string;
  xLabel: string;
  yLabel: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (Math.abs(v) >= 100 || v === Math.round(v) ? v.toFixed(0) : v.toPrecision(3));

/** The SVG text of a line plot of y(x) with axes, five ticks per axis and labels. */
export function formatLinePlotSvg(p: LinePlot): string {
  const W = 640, H = 400, L = 64, R = 16, T = 36, B = 48;
  const n = p.x.length;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, p.x[i]); x1 = Math.max(x1, p.x[i]);
    y0 = Math.min(y0, p.y[i]); y1 = Math.max(y1, p.y[i]);
  }
  if (!(x1 > x0)) x1 = x0 + 1;
  y0 = Math.min(0, y0);
  if (!(y1 > y0)) y1 = y0 + 1;
  const sx = (v: number): number => L + ((v - x0) / (x1 - x0)) * (W - L - R);
  const sy = (v: number): number => H - B - ((v - y0) / (y1 - y0)) * (H - T - B);
  const pts: string[] = [];
  for (let i = 0; i < n; i++) pts.push(`${sx(p.x[i]).toFixed(2)},${sy(p.y[i]).toFixed(2)}`);
  const ticks: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const xv = x0 + ((x1 - x0) * t) / 4;
    const yv = y0 + ((y1 - y0) * t) / 4;
    ticks.push(`<line x1="${sx(xv)}" y1="${H - B}" x2="${sx(xv)}" y2="${H - B + 5}" stroke="#333"/><text x="${sx(xv)}" y="${H - B + 18}" text-anchor="middle">${fmt(xv)}</text>`);
    ticks.push(`<line x1="${L - 5}" y1="${sy(yv)}" x2="${L}" y2="${sy(yv)}" stroke="#333"/><text x="${L - 8}" y="${sy(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(p.title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`,
    ...ticks,
    `<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">${esc(p.xLabel)}</text>`,
    `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">${esc(p.yLabel)}</text>`,
    `<polyline fill="none" stroke="#c0392b" stroke-width="1.5" points="${pts.join(' ')}"/>`,
    '</svg>',
    '',
  ].join('\n');
}
