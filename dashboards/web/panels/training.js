// Panel 5 — training: the loss (χ² + smoothness prior) and the reduced χ² of
// every retraining round, the rounds per minute and the backend.
import { ChartBox, axis, css, fmt } from '../charts.js';

export function createTrainingPanel(root) {
  const meta = root.querySelector('#training-meta');
  const rounds = [];
  const box = new ChartBox(root.querySelector('#training-chart'), {
    height: 220,
    readout: { x: 'round', items: [{ idx: 1, label: 'reduced χ²' }, { idx: 2, label: 'loss' }] },
    options: () => ({
      scales: { x: { time: false }, chi: { auto: true }, loss: { distr: 3 } },
      axes: [
        axis('retraining round'),
        axis('reduced χ²', { scale: 'chi', size: 50 }),
        axis('loss (χ² + prior)', { scale: 'loss', side: 1, size: 56, grid: { show: false } }),
      ],
      series: [
        {},
        { label: 'reduced χ²', scale: 'chi', stroke: css('--f'), width: 2, points: { show: true, size: 4 } },
        { label: 'loss', scale: 'loss', stroke: css('--g'), width: 1.5, dash: [4, 3] },
      ],
    }),
  });
  const redraw = (status) => {
    box.setData([rounds.map((r) => r.round), rounds.map((r) => r.chi2), rounds.map((r) => r.loss)]);
    const last = rounds[rounds.length - 1];
    if (!last) return;
    const rpm = status?.trainer?.roundsPerMinute;
    meta.textContent = `${rounds.length} rounds · ${rpm ? `${fmt(rpm, 3)}/min · ` : ''}last ${fmt(last.elapsedMs / 1000, 2)} s, ${last.iterations} it · ${last.backend}`;
  };
  return {
    box,
    reset(list, status) {
      rounds.length = 0;
      rounds.push(...list);
      redraw(status);
    },
    add(row, status) {
      if (rounds.length && rounds[rounds.length - 1].round >= row.round) return;
      rounds.push(row);
      redraw(status);
    },
    status(status) {
      if (rounds.length) redraw(status);
    },
  };
}
