import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingSimulator } from '../../../drivers/sim/simulator.ts';
import type { DeviceIdentity } from '../../../src/contracts/device.ts';
import type { RingFrame } from '../../../src/contracts/frame.ts';
import { frameToJson, framesFileHeader } from '../../../src/io/framesFile.ts';

/**
 * Writes a run directory in the run-record layout (docs/runs.md): documents.jsonl,
 * frames and calibration segments in the frames-file format, appended as a
 * journal would append them. Frames come from the ring simulator.
 */
export interface RunWriter {
  dir: string;
  runId: string;
  doc(doc: Record<string, unknown>): void;
  /** Opens segment `name` (header line, with `anchor` when given). */
  segment(name: string, anchor?: { hostTimeMs: number; deviceTimeUs: number }): void;
  /** Appends frames to the open segment; returns them. */
  frames(n: number, opts?: { omega?: number; restart?: boolean }): RingFrame[];
  /** Appends raw text (a torn line) to the open segment. */
  raw(text: string): void;
}

export const TEST_DEVICE: DeviceIdentity = { model: 'HOLORING-SIM', serial: 'SIM-7', firmware: '1.0.0', protocolVersion: '1' };

export function runWriter(root: string, runId: string, opts: { rig?: string; startTime?: string; seed?: number; sites?: number } = {}): RunWriter {
  const dir = join(root, 'runs', runId);
  mkdirSync(dir, { recursive: true });
  let sim = new RingSimulator({ sites: opts.sites ?? 8, seed: opts.seed ?? 1, dwellUs: 50_000 });
  let current = '';
  const w: RunWriter = {
    dir,
    runId,
    doc(doc) {
      appendFileSync(join(dir, 'documents.jsonl'), JSON.stringify({ run: runId, ...doc }) + '\n');
    },
    segment(name, anchor) {
      current = join(dir, name);
      const header = JSON.parse(framesFileHeader(TEST_DEVICE)) as Record<string, unknown>;
      writeFileSync(current, JSON.stringify(anchor ? { ...header, anchor } : header) + '\n');
    },
    frames(n, o = {}) {
      if (o.restart) sim = new RingSimulator({ sites: opts.sites ?? 8, seed: (opts.seed ?? 1) + 1, dwellUs: 50_000 });
      const out: RingFrame[] = [];
      for (let i = 0; i < n; i++) out.push(sim.frame({ omega: o.omega ?? 0.5 + 0.25 * (i % 4) }));
      appendFileSync(current, out.map((f) => frameToJson(f) + '\n').join(''));
      return out;
    },
    raw(text) {
      appendFileSync(current, text);
    },
  };
  w.doc({ type: 'start', time: opts.startTime ?? '2026-11-29T12:00:00.000Z', runId, rig: opts.rig ?? 'bench-a', device: TEST_DEVICE });
  return w;
}

/** A fit document of `radii` radii and a response table of `omegas` × `ks` points. */
export function fitDoc(round: number, time: string, opts: { radii?: number; omegas?: number; ks?: number } = {}): Record<string, unknown> {
  const radii = opts.radii ?? 5, omegas = opts.omegas ?? 3, ks = opts.ks ?? 2;
  const r = Array.from({ length: radii }, (_, i) => i * 0.5);
  const points = [];
  for (let w = 0; w < omegas; w++) for (let k = 0; k < ks; k++) points.push({ omega: 0.5 + w, gamma: 0.25, k, chiRe: 0.1 * w, chiIm: -0.01 * k, sigma: 0.001, n: 4 });
  return {
    type: 'fit', time, round, sweep: round, chi2: 1.1, iterations: 4, elapsedMs: 120, points: points.length, backend: 'cpu', fingerprint: 'abc',
    r, f: r.map((x) => 1 + x * x), g: r.map((x) => 1 + x * x), f_err: r.map(() => 0.01), g_err: r.map(() => 0.02), resolution: r.map(() => 0.3),
    table: { calibrationVersion: null, points },
  };
}
