import { describe, expect, it } from 'vitest';
import { HoloringError } from '../../src/errors.ts';
import { GridSolver } from '../../src/physics/gridSolver.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adsMetric, btzMetric, deformedMetric, loadMetricFile, parseMetricSpec, tableMetric } from '../../src/physics/metric.ts';
import { solveMode } from '../../src/physics/solver.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HoloringError);
    expect((e as HoloringError).message.length).toBeGreaterThan(10);
    return (e as HoloringError).code;
  }
  throw new Error('expected a refusal');
}

const r = Array.from({ length: 40 }, (_, i) => i * 0.25);
const ads = r.map((x) => 1 + x * x);

describe('bad input is refused with stable codes', () => {
  it('integer Δ, Δ ≤ 1, non-finite Δ', () => {
    expect(codeOf(() => solveMode(adsMetric(), 2, { re: 1, im: 0.25 }, 0))).toBe('RING_ERR_DELTA_INTEGER');
    expect(codeOf(() => new GridSolver(adsMetric(), 3))).toBe('RING_ERR_DELTA_INTEGER');
    expect(codeOf(() => new GridSolver(adsMetric(), 1))).toBe('RING_ERR_DELTA_INVALID');
    expect(codeOf(() => new GridSolver(adsMetric(), 0.7))).toBe('RING_ERR_DELTA_INVALID');
    expect(codeOf(() => new GridSolver(adsMetric(), Number.NaN))).toBe('RING_ERR_NON_FINITE');
  });

  it('non-finite Ω or k', () => {
    const s = new GridSolver(adsMetric(), 1.5);
    expect(codeOf(() => s.chi({ re: Number.NaN, im: 0 }, 0))).toBe('RING_ERR_NON_FINITE');
    expect(codeOf(() => s.chi({ re: 1, im: Number.POSITIVE_INFINITY }, 0))).toBe('RING_ERR_NON_FINITE');
    expect(codeOf(() => solveMode(adsMetric(), 1.5, { re: 1, im: 0 }, Number.NaN))).toBe('RING_ERR_NON_FINITE');
  });

  it('g(0) ≠ 1 (conical defect)', () => {
    expect(codeOf(() => tableMetric({ r, f: ads, g: ads.map((v, i) => (i === 0 ? 1.1 : v)) }))).toBe('RING_ERR_METRIC_CONICAL');
  });

  it('f or g not positive', () => {
    expect(codeOf(() => tableMetric({ r, f: ads.map((v, i) => (i === 3 ? -1 : v)), g: ads }))).toBe('RING_ERR_METRIC_NOT_POSITIVE');
    expect(codeOf(() => tableMetric({ r, f: ads, g: ads.map((v, i) => (i === 5 ? 0 : v)) }))).toBe('RING_ERR_METRIC_NOT_POSITIVE');
    expect(codeOf(() => deformedMetric(-1.2, 0, 1))).toBe('RING_ERR_METRIC_NOT_POSITIVE');
    expect(codeOf(() => deformedMetric(0, -3, 1))).toBe('RING_ERR_METRIC_NOT_POSITIVE');
  });

  it('a metric that is not asymptotically AdS', () => {
    expect(codeOf(() => tableMetric({ r, f: ads.map((v) => 1.05 * v), g: ads.map((v, i) => (i === 0 ? 1 : 1.05 * v)) }))).toBe('RING_ERR_METRIC_NOT_ADS');
  });

  it('non-finite and malformed tables', () => {
    expect(codeOf(() => tableMetric({ r, f: ads.map((v, i) => (i === 2 ? Number.NaN : v)), g: ads }))).toBe('RING_ERR_NON_FINITE');
    expect(codeOf(() => tableMetric({ r: r.slice(1), f: ads.slice(1), g: ads.slice(1) }))).toBe('RING_ERR_METRIC_FILE');
    expect(codeOf(() => tableMetric({ r: [...r].reverse(), f: ads, g: ads }))).toBe('RING_ERR_METRIC_FILE');
    expect(codeOf(() => tableMetric({ r, f: ads.slice(1), g: ads }))).toBe('RING_ERR_METRIC_FILE');
    expect(codeOf(() => tableMetric(null as never))).toBe('RING_ERR_METRIC_FILE');
  });

  it('a horizon reconstruction is not a metric table (it starts at r_h, f = g = 0): refused naming the black-hole specs', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'holoring-metric-')), 'bh.json');
    const rh = 1.5;
    const rr = Array.from({ length: 20 }, (_, i) => rh + i * 0.2);
    writeFileSync(file, JSON.stringify({ geometry: 'horizon', rh, r: rr, f: rr.map((x) => x * x - rh * rh), g: rr.map((x) => x * x - rh * rh) }));
    expect(codeOf(() => loadMetricFile(file))).toBe('RING_ERR_METRIC_FILE');
    expect(() => loadMetricFile(file)).toThrow(/is a horizon reconstruction \(r_h = 1\.5000\).*--metric btz:RH or blackhole/);
    // a table from a regular centre (a disk output's form) loads
    writeFileSync(file, JSON.stringify({ r: [0, ...rr], f: [1, ...rr.map((x) => 1 + x * x)], g: [1, ...rr.map((x) => 1 + x * x)] }));
    expect(() => loadMetricFile(file)).not.toThrow();
  });

  it('bad metric specs and BTZ radii', () => {
    expect(codeOf(() => parseMetricSpec('wormhole'))).toBe('RING_ERR_METRIC_INVALID');
    expect(codeOf(() => parseMetricSpec('deformed:1,2'))).toBe('RING_ERR_METRIC_INVALID');
    expect(codeOf(() => parseMetricSpec('btz:-1'))).toBe('RING_ERR_METRIC_INVALID');
    expect(codeOf(() => btzMetric(0))).toBe('RING_ERR_METRIC_INVALID');
    expect(codeOf(() => parseMetricSpec('/nonexistent/metric.json'))).toBe('RING_ERR_FILE_NOT_FOUND');
  });

  it('accepts the documented specs', () => {
    expect(parseMetricSpec('ads').kind).toBe('ads');
    expect(parseMetricSpec('deformed').label).toBe('deformed:0.3,-0.2,1.5');
    expect(parseMetricSpec('deformed:0.1,0.2,1').kind).toBe('deformed');
    expect(parseMetricSpec('btz:1.5').M).toBeCloseTo(2.25, 12);
  });
});
