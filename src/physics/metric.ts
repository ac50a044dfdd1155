import { ErrorCodes, HoloringError, assertFinite } from '../errors.ts';
import { NaturalCubicSpline } from './spline.ts';
import { parseJson } from '../io/json.ts';
import { readTextFile } from '../io/readText.ts';

/** Series data at a regular centre: f ≃ f0(1 + phi2 r²), g ≃ 1 + g2 r². */
export interface RegularCentre {
  readonly type: 'regular';
  readonly f0: number;
  readonly phi2: number;
  readonly g2: number;
}

/**
 * A horizon at r = rh where f and g have simple zeros: f = (r² − rh²)e^{α(r)},
 * g = (r² − rh²)e^{β(r)}. Without `alpha`/`beta` it is BTZ (α = β = 0, solved by
 * the exact series in r² − rh²); with them the solvers integrate in ln(r − rh)
 * from the infalling start of physics.md §11.
 */
export interface HorizonCentre {
  readonly type: 'horizon';
  readonly rh: number;
  /** α(r) = ln(f/(r² − rh²)) for r ≥ rh (smooth through the horizon). */
  readonly alpha?: (r: number) => number;
  /** β(r) = ln(g/(r² − rh²)) for r ≥ rh. */
  readonly beta?: (r: number) => number;
}

/**
 * A static, rotationally symmetric bulk metric
 *   ds² = −f(r) dt² + dr²/g(r) + r² dθ².
 * Beyond `rExact` it is exactly f = g = r² − M (M = −1 for the disk, r_h² for BTZ).
 */
export interface Metric {
  readonly kind: 'ads' | 'deformed' | 'btz' | 'blackhole' | 'table';
  /** Spec string that rebuilds this metric (e.g. "deformed:0.3,-0.2,1.5"). */
  readonly label: string;
  readonly centre: RegularCentre | HorizonCentre;
  readonly M: number;
  readonly rExact: number;
  f(r: number): number;
  g(r: number): number;
}

export const DEFAULT_DEFORMED = { a1: 0.3, a2: -0.2, w: 1.5 } as const;
export const DEFAULT_BTZ_RH = 1.5;

/** Pure global AdS₃: f = g = 1 + r². */
export function adsMetric(): Metric {
  return {
    kind: 'ads',
    label: 'ads',
    centre: { type: 'regular', f0: 1, phi2: 1, g2: 1 },
    M: -1,
    rExact: 0,
    f: (r) => 1 + r * r,
    g: (r) => 1 + r * r,
  };
}

/**
 * The deformed family f = (1+r²)(1 + a1 e^{−r²/w²}), g = (1+r²)(1 + a2 r² e^{−r²/w²}).
 */
export function deformedMetric(a1: number = DEFAULT_DEFORMED.a1, a2: number = DEFAULT_DEFORMED.a2, w: number = DEFAULT_DEFORMED.w): Metric {
  assertFinite('deformed metric parameter', a1, a2, w);
  if (!(w > 0)) throw new HoloringError(ErrorCodes.METRIC_INVALID, `deformed metric width w must be > 0 (got ${w})`, { w });
  if (!(1 + a1 > 0)) {
    throw new HoloringError(ErrorCodes.METRIC_NOT_POSITIVE, `deformed metric: f(0) = 1 + a1 must be > 0 (a1 = ${a1})`, { a1 });
  }
  // min over r of 1 + a2 r² e^{−r²/w²} is 1 + a2 w²/e for a2 < 0
  if (a2 < 0 && !(1 + (a2 * w * w) / Math.E > 0)) {
    throw new HoloringError(ErrorCodes.METRIC_NOT_POSITIVE, `deformed metric: g becomes non-positive (1 + a2·w²/e ≤ 0 for a2 = ${a2}, w = ${w})`, { a2, w });
  }
  const w2 = w * w;
  // e^{−r²/w²}·max(1, r²) below 1e-18 for r ≥ rExact
  let rExact = w * Math.sqrt(42);
  while (Math.exp(-(rExact * rExact) / w2) * rExact * rExact > 1e-18) rExact *= 1.05;
  return {
    kind: 'deformed',
    label: `deformed:${a1},${a2},${w}`,
    centre: { type: 'regular', f0: 1 + a1, phi2: 1 - a1 / (w2 * (1 + a1)), g2: 1 + a2 },
    M: -1,
    rExact,
    f: (r) => (1 + r * r) * (1 + a1 * Math.exp(-(r * r) / w2)),
    g: (r) => (1 + r * r) * (1 + a2 * r * r * Math.exp(-(r * r) / w2)),
  };
}

/** BTZ black hole f = g = r² − r_h², temperature T = r_h/2π. */
export function btzMetric(rh: number = DEFAULT_BTZ_RH): Metric {
  assertFinite('btz horizon radius', rh);
  if (!(rh > 0)) throw new HoloringError(ErrorCodes.METRIC_INVALID, `BTZ horizon radius r_h must be > 0 (got ${rh})`, { rh });
  if (!(rh < 10)) throw new HoloringError(ErrorCodes.METRIC_INVALID, `BTZ horizon radius r_h must be < 10 so that the boundary series converges at r_max (got ${rh})`, { rh });
  return {
    kind: 'btz',
    label: `btz:${rh}`,
    centre: { type: 'horizon', rh },
    M: rh * rh,
    rExact: rh,
    f: (r) => r * r - rh * rh,
    g: (r) => r * r - rh * rh,
  };
}

export const DEFAULT_BLACK_HOLE = { rh: 1.5, af: 0.3, ag: 0, c: 2.4, w: 0.7 } as const;

/**
 * A deformed black hole (physics.md §11): f = (r² − rh²)(1 + af·e^{−((r−c)/w)²}),
 * g = (r² − rh²)(1 + ag·e^{−((r−c)/w)²}), temperature T = √(f′(rh)g′(rh))/4π.
 * With af = ag = 0 it is BTZ, solved through the general horizon start.
 */
export function blackHoleMetric(
  rh: number = DEFAULT_BLACK_HOLE.rh,
  af: number = DEFAULT_BLACK_HOLE.af,
  ag: number = DEFAULT_BLACK_HOLE.ag,
  c: number = DEFAULT_BLACK_HOLE.c,
  w: number = DEFAULT_BLACK_HOLE.w,
): Metric {
  assertFinite('black-hole metric parameter', rh, af, ag, c, w);
  if (!(rh > 0 && rh < 10)) throw new HoloringError(ErrorCodes.METRIC_INVALID, `black-hole horizon radius r_h must be in (0, 10) (got ${rh})`, { rh });
  if (!(w > 0)) throw new HoloringError(ErrorCodes.METRIC_INVALID, `black-hole deformation width w must be > 0 (got ${w})`, { w });
  if (!(1 + af > 0 && 1 + ag > 0)) {
    throw new HoloringError(ErrorCodes.METRIC_NOT_POSITIVE, `black-hole metric: 1 + af and 1 + ag must be > 0 (af = ${af}, ag = ${ag})`, { af, ag });
  }
  const bump = (r: number): number => Math.exp(-(((r - c) / w) ** 2));
  // deformation below 1e-18 beyond rExact
  let rExact = Math.max(rh, c) + w * Math.sqrt(42);
  while (bump(rExact) > 1e-18) rExact *= 1.05;
  const alpha = (r: number): number => Math.log1p(af * bump(r));
  const beta = (r: number): number => Math.log1p(ag * bump(r));
  const z = (r: number): number => (r - rh) * (r + rh);
  return {
    kind: 'blackhole',
    label: `blackhole:${rh},${af},${ag},${c},${w}`,
    centre: { type: 'horizon', rh, alpha, beta },
    M: rh * rh,
    rExact,
    f: (r) => z(r) * (1 + af * bump(r)),
    g: (r) => z(r) * (1 + ag * bump(r)),
  };
}

/** Hawking temperature T = √(f′(r_h) g′(r_h))/4π of a horizon metric (BTZ: r_h/2π). */
export function hawkingTemperature(centre: HorizonCentre): number {
  const a = centre.alpha?.(centre.rh) ?? 0, b = centre.beta?.(centre.rh) ?? 0;
  return (centre.rh * Math.exp(0.5 * (a + b))) / (2 * Math.PI);
}

export interface MetricTable {
  r: number[];
  f: number[];
  g: number[];
}

/** Largest |α|, |β| = |ln(f/(1+r²))| allowed at the table's last point. */
export const TABLE_JOIN_TOLERANCE = 1e-3;

/**
 * A tabulated metric. α = ln(f/(1+r²)) and β = ln(g/(1+r²)) are interpolated by a
 * natural cubic spline in x = r² (which keeps f and g even in r, as a regular centre
 * requires); beyond the last point f = g = 1 + r².
 */
export function tableMetric(table: MetricTable, source = 'table'): Metric {
  const { r, f, g } = table ?? ({} as MetricTable);
  const ctx = { source };
  if (!Array.isArray(r) || !Array.isArray(f) || !Array.isArray(g)) {
    throw new HoloringError(ErrorCodes.METRIC_FILE, `${source}: metric table needs arrays "r", "f" and "g"`, ctx);
  }
  if (r.length !== f.length || r.length !== g.length) {
    throw new HoloringError(ErrorCodes.METRIC_FILE, `${source}: arrays r, f, g must have equal lengths (got ${r.length}, ${f.length}, ${g.length})`, ctx);
  }
  if (r.length < 4) throw new HoloringError(ErrorCodes.METRIC_FILE, `${source}: metric table needs at least 4 points (got ${r.length})`, ctx);
  for (let i = 0; i < r.length; i++) {
    for (const [name, arr] of [['r', r], ['f', f], ['g', g]] as const) {
      const v = arr[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new HoloringError(ErrorCodes.NON_FINITE, `${source}: ${name}[${i}] is not a finite number (${String(v)})`, { ...ctx, index: i, name });
      }
    }
    if (f[i] <= 0 || g[i] <= 0) {
      throw new HoloringError(ErrorCodes.METRIC_NOT_POSITIVE, `${source}: f and g must be positive (at r = ${r[i]}: f = ${f[i]}, g = ${g[i]})`, { ...ctx, index: i });
    }
    if (i > 0 && !(r[i] > r[i - 1])) {
      throw new HoloringError(ErrorCodes.METRIC_FILE, `${source}: r must be strictly increasing (r[${i}] = ${r[i]} after ${r[i - 1]})`, { ...ctx, index: i });
    }
  }
  if (r[0] !== 0) throw new HoloringError(ErrorCodes.METRIC_FILE, `${source}: r must start at 0 (got ${r[0]})`, ctx);
  if (Math.abs(g[0] - 1) > 1e-6) {
    throw new HoloringError(ErrorCodes.METRIC_CONICAL, `${source}: g(0) = ${g[0]} ≠ 1: a regular centre needs g(0) = 1 (otherwise a conical defect)`, { ...ctx, g0: g[0] });
  }
  const n = r.length;
  const x = r.map((v) => v * v);
  const alpha = r.map((v, i) => Math.log(f[i] / (1 + v * v)));
  const beta = r.map((v, i) => Math.log(g[i] / (1 + v * v)));
  const last = n - 1;
  if (Math.abs(alpha[last]) > TABLE_JOIN_TOLERANCE || Math.abs(beta[last]) > TABLE_JOIN_TOLERANCE) {
    throw new HoloringError(
      ErrorCodes.METRIC_NOT_ADS,
      `${source}: metric is not asymptotically AdS: at the last point r = ${r[last]}, f/(1+r²) = ${(f[last] / (1 + r[last] ** 2)).toPrecision(6)} and g/(1+r²) = ${(g[last] / (1 + r[last] ** 2)).toPrecision(6)}; both must be within ${TABLE_JOIN_TOLERANCE} of 1 so the table joins f = g = 1 + r² smoothly`,
      { ...ctx, rLast: r[last], alpha: alpha[last], beta: beta[last] },
    );
  }
  // pin the join exactly at zero so f, g are continuous at r_last
  alpha[last] = 0;
  beta[last] = 0;
  beta[0] = 0;
  const sa = new NaturalCubicSpline(x, alpha);
  const sb = new NaturalCubicSpline(x, beta);
  const xEnd = x[last];
  const [a0, da0] = sa.eval(0);
  const [, db0] = sb.eval(0);
  return {
    kind: 'table',
    label: source,
    centre: { type: 'regular', f0: Math.exp(a0), phi2: 1 + da0, g2: 1 + db0 },
    M: -1,
    rExact: r[last],
    f: (rr) => {
      const xx = rr * rr;
      return xx >= xEnd ? 1 + xx : (1 + xx) * Math.exp(sa.eval(xx)[0]);
    },
    g: (rr) => {
      const xx = rr * rr;
      return xx >= xEnd ? 1 + xx : (1 + xx) * Math.exp(sb.eval(xx)[0]);
    },
  };
}

/**
 * Reads a metric table (JSON `{r, f, g}` from r = 0, e.g. a disk `reconstruct`
 * output) as a regular-centre metric.
 * @throws RING_ERR_METRIC_FILE when the file is missing, not JSON, or a horizon
 *   reconstruction (its table starts at r_h, where f = g = 0: not a regular centre).
 */
export function loadMetricFile(path: string): Metric {
  const text = readTextFile(path, ErrorCodes.METRIC_FILE, 'metric file');
  let data: unknown;
  try {
    data = parseJson(text);
  } catch (e) {
    throw new HoloringError(ErrorCodes.METRIC_FILE, `metric file ${path} is not valid JSON: ${(e as Error).message}`, { path });
  }
  if (data !== null && typeof data === 'object' && (data as { geometry?: unknown }).geometry === 'horizon') {
    const rh = (data as { rh?: unknown }).rh;
    throw new HoloringError(
      ErrorCodes.METRIC_FILE,
      `metric file ${path} is a horizon reconstruction${typeof rh === 'number' ? ` (r_h = ${rh.toFixed(4)})` : ''}: a metric table starts at a regular centre r = 0 with f, g > 0 (a disk reconstruction); simulate a black hole with --metric btz:RH or blackhole:RH,AF,AG,C,W`,
      { path },
    );
  }
  return tableMetric(data as MetricTable, path);
}

/** The parameters after "NAME:" of a metric spec; refused naming the syntax and the defaults (what `NAME` alone gives). */
function parseNumbers(spec: string, part: string, count: number, syntax: string, defaults: string): number[] {
  const name = syntax.slice(0, syntax.indexOf(':'));
  if (part.trim() === '') {
    throw new HoloringError(ErrorCodes.METRIC_INVALID, `metric "${spec}": nothing after ":" — write "${name}" for the defaults (${defaults}) or "${syntax}"`, { spec });
  }
  const nums = part.split(',').map((s) => Number(s.trim()));
  if (nums.length !== count || nums.some((v) => !Number.isFinite(v)) || part.split(',').some((s) => s.trim() === '')) {
    throw new HoloringError(ErrorCodes.METRIC_INVALID, `metric "${spec}": expected ${count} comma-separated number(s) after ":" (${syntax}; "${name}" alone gives ${defaults})`, { spec });
  }
  return nums;
}

/** Parses a metric spec: ads | deformed[:a1,a2,w] | btz[:rh] | blackhole[:rh,af,ag,c,w] | FILE.json */
export function parseMetricSpec(spec: string): Metric {
  const s = spec.trim();
  const [head, rest] = s.includes(':') && !s.toLowerCase().endsWith('.json') ? [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)] : [s, undefined];
  switch (head) {
    case 'ads':
      if (rest !== undefined) throw new HoloringError(ErrorCodes.METRIC_INVALID, `metric "ads" takes no parameters`, { spec });
      return adsMetric();
    case 'deformed': {
      if (rest === undefined) return deformedMetric();
      const [a1, a2, w] = parseNumbers(spec, rest, 3, 'deformed:a1,a2,w', `a1, a2, w = ${[DEFAULT_DEFORMED.a1, DEFAULT_DEFORMED.a2, DEFAULT_DEFORMED.w].join(', ')}`);
      return deformedMetric(a1, a2, w);
    }
    case 'btz': {
      if (rest === undefined) return btzMetric();
      const [rh] = parseNumbers(spec, rest, 1, 'btz:rh', `rh = ${DEFAULT_BTZ_RH}`);
      return btzMetric(rh);
    }
    case 'blackhole': {
      if (rest === undefined) return blackHoleMetric();
      const [rh, af, ag, c, w] = parseNumbers(spec, rest, 5, 'blackhole:rh,af,ag,c,w', `rh, af, ag, c, w = ${[DEFAULT_BLACK_HOLE.rh, DEFAULT_BLACK_HOLE.af, DEFAULT_BLACK_HOLE.ag, DEFAULT_BLACK_HOLE.c, DEFAULT_BLACK_HOLE.w].join(', ')}`);
      return blackHoleMetric(rh, af, ag, c, w);
    }
    default:
      if (s.toLowerCase().endsWith('.json')) return loadMetricFile(s);
      throw new HoloringError(ErrorCodes.METRIC_INVALID, `unknown metric "${spec}": use ads, deformed[:a1,a2,w], btz[:rh], blackhole[:rh,af,ag,c,w] or a FILE.json`, { spec });
  }
}
