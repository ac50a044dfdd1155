/**
 * Benchmark harness: each benchmark is run several times after a warm-up; we
 * report median, min and max, and its ratio to a baseline measured in the same
 * run (machines are noisy: compare ratios, not seconds).
 */
export interface BenchCase {
  /** Name of the result row. */
  name: string;
  /** What the case measures: called once per repetition, returns nothing. */
  run: () => unknown | Promise<unknown>;
  /** Baseline measured in the same run, with its own name. */
  baseline: { name: string; run: () => unknown | Promise<unknown> };
  /** Unit of `value` in results.json (default 'ms'). */
  unit?: 'ms';
  repeats?: number;
  warmup?: number;
  /** Optional target: the ratio (value / baseline) should stay below this. */
  goalRatio?: number;
  /** Optional absolute goal in ms, reported (never asserted). */
  goalMs?: number;
}

/** A custom result row (throughput, memory...) computed by the case itself. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  median?: number;
  min?: number;
  max?: number;
  note?: string;
}

export interface Timing {
  median: number;
  min: number;
  max: number;
}

export async function time(fn: () => unknown | Promise<unknown>, repeats: number, warmup: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  return { median, min: samples[0], max: samples[samples.length - 1] };
}

export async function runCase(c: BenchCase): Promise<BenchRow> {
  const repeats = c.repeats ?? 7;
  const warmup = c.warmup ?? 2;
  const base = await time(c.baseline.run, repeats, warmup);
  const t = await time(c.run, repeats, warmup);
  let note = `baseline: ${c.baseline.name}`;
  if (c.goalRatio !== undefined) note += `; goal ratio ≤ ${c.goalRatio}`;
  if (c.goalMs !== undefined) note += `; goal ≤ ${c.goalMs} ms`;
  return {
    name: c.name,
    value: t.median,
    unit: c.unit ?? 'ms',
    baseline: base.median,
    ratio: t.median / base.median,
    median: t.median,
    min: t.min,
    max: t.max,
    note,
  };
}

export function formatTable(rows: BenchRow[]): string {
  const head = ['benchmark', 'median', 'min', 'max', 'unit', 'baseline', 'ratio', 'note'];
  const fmt = (v: number | undefined): string => (v === undefined ? '' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  const body = rows.map((r) => [r.name, fmt(r.median ?? r.value), fmt(r.min), fmt(r.max), r.unit, fmt(r.baseline), r.ratio.toFixed(3), r.note ?? '']);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}
