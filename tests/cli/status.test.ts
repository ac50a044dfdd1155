import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../src/alarms/types.ts';
import { formatStatus, plural } from '../../src/cli/statusFormat.ts';
import type { StatusView } from '../../src/server/live.ts';

/** A status as GET /api/status gives it (docs/api.md), after `rounds` training rounds. */
const status = (rounds: number): StatusView => ({
  time: '2026-11-29T15:57:34.793Z', uptimeS: 17.6, state: 'running', error: null,
  run: { id: '20261129T155717Z-0a1b', startedAt: '2026-11-29T15:57:17.227Z' },
  device: {
    state: 'streaming', identity: { model: 'HOLORING-RING', serial: 'SIM-3', firmware: '1.0.0', protocolVersion: '1.0' },
    counters: { frames: 860, account: { received: 860, missing: {}, duplicates: 1, firstSeq: 0, lastSeq: 859 } },
    frameRateHz: 40.5,
  },
  pipeline: { frames: 390, sweeps: 1, tablePoints: 120, calibrationVersion: 'cal-0ae5400ed1039263', skipped: {} },
  frames: { received: 860, journaled: 860, skipped: {}, missing: {}, duplicates: 1, firstSeq: 0, lastSeq: 859 },
  drops: {}, journal: null, influx: null,
  trainer: { backend: 'wasm', rounds, discarded: 0, lastChi2: rounds ? 1.06 : null, lastRoundAt: null, roundsPerMinute: null },
  server: { clients: 0, eventLoopLagMs: { mean: 1, p99: 2, max: 3 } },
  process: { rssBytes: 1, heapUsedBytes: 1, tensors: null, eventLoopLagMaxMs: 3 },
}) as unknown as StatusView;

const alarm = (over: Partial<Alarm>): Alarm => ({
  id: 'x-1', rule: 'fitChi2', severity: 'warning', state: 'raised', active: true, message: 'm', action: 'a', value: 1,
  raisedAt: '2026-11-29T16:00:00.000Z', changedAt: '2026-11-29T16:00:00.000Z', ...over,
});

describe('holoring status for a person', () => {
  it('counts in the singular and the plural', () => {
    expect(plural(1, 'round')).toBe('1 round');
    expect(plural(0, 'round')).toBe('0 rounds');
    const one = formatStatus({ status: status(1), alarms: [], metric: null });
    expect(one).toMatch(/trainer: 1 round, last reduced χ² 1\.060/);
    expect(one).toMatch(/^1 sweep, /m);
    expect(one).toMatch(/1 duplicate;/);
    expect(formatStatus({ status: status(2), alarms: [], metric: null })).toMatch(/trainer: 2 rounds,/);
  });

  it('lists latched alarms, active first, with severity, state and since when; says "none" and "unknown" plainly', () => {
    const text = formatStatus({
      status: status(3),
      alarms: [
        alarm({ id: 'fitChi2-1', rule: 'fitChi2', severity: 'warning', state: 'cleared', active: false, raisedAt: '2026-11-29T15:58:00.000Z', message: 'training round 2 fits the data poorly', action: 'check the calibration' }),
        alarm({ id: 'sampleTemperature-1', rule: 'sampleTemperature', severity: 'critical', state: 'acknowledged', acknowledgedBy: 'ana', raisedAt: '2026-11-29T15:59:00.000Z', message: 'the sample is at 13.0 mK', action: 'cool the sample' }),
      ],
      metric: null,
    });
    const lines = text.split('\n');
    const at = lines.indexOf('alarms: 1 active, 2 latched alarms');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('  CRITICAL sampleTemperature (active, acknowledged by ana) since 2026-11-29T15:59:00.000Z: the sample is at 13.0 mK — cool the sample');
    expect(lines[at + 2]).toBe('  WARNING fitChi2 (cleared, not acknowledged) since 2026-11-29T15:58:00.000Z: training round 2 fits the data poorly — check the calibration');
    expect(formatStatus({ status: status(0), alarms: [], metric: null })).toMatch(/^alarms: none$/m);
    expect(formatStatus({ status: status(0), alarms: null, metric: null })).toMatch(/^alarms: unknown/m);
  });

  it('gives the geometry of the latest fit: r_h and T with 1σ for a black hole, T also in units of T_HP = 1/2π', () => {
    // BTZ with r_h = 1.5: T = r_h/2π = 0.2387 v/R = 1.5 T_HP (physics.md)
    const rh = 1.5;
    const text = formatStatus({ status: status(3), alarms: [], metric: { geometry: 'horizon', chi2: 1.02, rh, rh_err: 0.0041, temperature: rh / (2 * Math.PI), temperature_err: 0.0061, sampleTemperatureRatio: 1.5, choice: { reason: 'horizon: decisive' } } });
    expect(text).toMatch(/^geometry: black hole, r_h = 1\.5000 ± 0\.0041, T = 0\.2387 ± 0\.0061 v\/R \(1\.50 T_HP\), reduced χ² 1\.020; sample at 1\.50 T_HP \(horizon: decisive\)$/m);
    expect(formatStatus({ status: status(3), alarms: [], metric: { geometry: 'disk', chi2: 0.98 } })).toMatch(/^geometry: disk \(regular centre\), reduced χ² 0\.980$/m);
    expect(formatStatus({ status: status(0), alarms: [], metric: null })).not.toMatch(/geometry/);
  });
});
