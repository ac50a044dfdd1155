import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlarmEngine, type AlarmEvent, type AlarmInputs, createAlarms } from '../../src/alarms/index.ts';
import { alarmsConfig, capturingLogger } from './helpers.ts';

const T0 = Date.parse('2026-11-29T12:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** An engine evaluating `inputs()` every second of virtual time, recording every change. */
function harness(over: Parameters<typeof alarmsConfig>[0] = {}) {
  const events: AlarmEvent[] = [];
  const engine = new AlarmEngine(alarmsConfig({ evaluateMs: 1000, ...over }), { sinks: [(e) => void events.push(e)] });
  const state: { inputs: AlarmInputs } = { inputs: {} };
  engine.run(() => state.inputs);
  return { engine, events, state };
}

describe('alarm latching', () => {
  it('raises "no data" only after the configured seconds, stays latched after recovery until acknowledged', async () => {
    const { engine, events, state } = harness({ noData: { seconds: 10 } });
    state.inputs = { expectingDataSinceMs: T0, lastFrameAtMs: T0 };
    await vi.advanceTimersByTimeAsync(9000);
    expect(engine.alarms()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.alarms()).toHaveLength(1);
    const [a] = engine.alarms();
    expect(a).toMatchObject({ rule: 'noData', severity: 'critical', state: 'raised', active: true });
    expect(a.message).toMatch(/no data .* 10 s/);
    expect(a.action.length).toBeGreaterThan(20);
    // data resume: the condition clears but the alarm stays until someone acknowledges it
    state.inputs = { expectingDataSinceMs: T0, lastFrameAtMs: Date.now() };
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.alarms()).toMatchObject([{ id: a.id, state: 'cleared', active: false }]);
    const after = engine.ack(a.id, 'night-shift');
    expect(after).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'night-shift' });
    expect(engine.alarms()).toEqual([]);
    expect(events.map((e) => [e.state, e.closed])).toEqual([['raised', false], ['cleared', false], ['acknowledged', true]]);
    expect(events[2]).toMatchObject({ type: 'alarm', id: a.id, who: 'night-shift', time: new Date(T0 + 11_000).toISOString() });
    await engine.stop();
  });

  it('an acknowledged alarm leaves the list when its condition clears; a new occurrence is a new alarm', async () => {
    const { engine, events, state } = harness({ fitChi2: { max: 3 } });
    state.inputs = { fit: { round: 1, chi2: 8 } };
    await vi.advanceTimersByTimeAsync(1000);
    const id = engine.alarms()[0].id;
    engine.ack(id, 'alice');
    expect(engine.alarms()).toMatchObject([{ id, state: 'acknowledged', active: true }]);
    expect(engine.ack(id, 'bob')).toMatchObject({ acknowledgedBy: 'alice' });
    state.inputs = { fit: { round: 2, chi2: 1.01 } };
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.alarms()).toEqual([]);
    state.inputs = { fit: { round: 3, chi2: 5 } };
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.alarms()[0].id).not.toBe(id);
    expect(events.map((e) => e.state)).toEqual(['raised', 'acknowledged', 'cleared', 'raised']);
    await engine.stop();
  });

  it('a condition that returns before acknowledgement re-raises the same alarm', async () => {
    const { engine, events, state } = harness();
    state.inputs = { journalShortfall: 3 };
    await vi.advanceTimersByTimeAsync(1000);
    state.inputs = { journalShortfall: 0 };
    await vi.advanceTimersByTimeAsync(1000);
    state.inputs = { journalShortfall: 5 };
    await vi.advanceTimersByTimeAsync(1000);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(engine.alarms()).toMatchObject([{ state: 'raised', value: 5 }]);
    await engine.stop();
  });

  it('unknown inputs keep the last judgement; unknown ids are refused with a stable code', async () => {
    const { engine, state } = harness();
    state.inputs = { influxBacklogBytes: 60 * 2 ** 20 };
    await vi.advanceTimersByTimeAsync(1000);
    state.inputs = {};
    await vi.advanceTimersByTimeAsync(5000);
    expect(engine.alarms()).toMatchObject([{ rule: 'influxBacklog', state: 'raised' }]);
    expect(() => engine.ack('noData-99', 'x')).toThrow(expect.objectContaining({ code: 'RING_ERR_ALARM_UNKNOWN' }));
    await engine.stop();
  });

  it('a disabled rule, or alarms disabled, raise nothing', async () => {
    const a = harness({ diskSpace: { enabled: false } });
    a.state.inputs = { diskFreeBytes: 0 };
    await vi.advanceTimersByTimeAsync(2000);
    expect(a.engine.alarms()).toEqual([]);
    const b = harness({ enabled: false });
    b.state.inputs = { diskFreeBytes: 0 };
    await vi.advanceTimersByTimeAsync(2000);
    expect(b.engine.rules()).toEqual([]);
    expect(b.events).toEqual([]);
    await a.engine.stop();
    await b.engine.stop();
  });

  it('streams the current list to late subscribers (for the server)', async () => {
    const { engine, state } = harness();
    state.inputs = { diskFreeBytes: 10 * 2 ** 20 };
    await vi.advanceTimersByTimeAsync(1000);
    let seen: readonly unknown[] = [];
    const sub = engine.alarms$.subscribe((l) => (seen = l));
    expect(seen).toMatchObject([{ rule: 'diskSpace', severity: 'critical' }]);
    sub.unsubscribe();
    await engine.stop();
  });

  it('logs each change as a structured line at the severity of the alarm', async () => {
    const { logger, lines } = capturingLogger();
    const docs: AlarmEvent[] = [];
    const engine = createAlarms(alarmsConfig(), { logger, appendDocument: (d) => void docs.push(d) });
    engine.evaluate({ fit: { round: 4, chi2: Number.NaN } });
    engine.evaluate({ diskFreeBytes: 1 });
    engine.ack(engine.alarms()[0].id, 'op');
    await engine.flush();
    const alarmLines = lines.filter((l) => l.event === 'alarm');
    expect(alarmLines.map((l) => [l.level, (l.alarm as { rule: string; state: string }).rule, (l.alarm as { state: string }).state])).toEqual([
      [40, 'fitChi2', 'raised'], [50, 'diskSpace', 'raised'], [30, 'fitChi2', 'acknowledged'],
    ]);
    expect(String(alarmLines[0].msg)).toMatch(/diverged/);
    expect(docs.map((d) => [d.type, d.rule, d.state])).toEqual([['alarm', 'fitChi2', 'raised'], ['alarm', 'diskSpace', 'raised'], ['alarm', 'fitChi2', 'acknowledged']]);
    expect(docs[0]).toMatchObject({ severity: 'warning', value: null });
  });

  it('a failing sink is logged and does not stop the others', async () => {
    const { logger, lines } = capturingLogger();
    const got: AlarmEvent[] = [];
    const engine = new AlarmEngine(alarmsConfig(), { logger, sinks: [() => { throw new Error('disk gone'); }, async () => Promise.reject(new Error('later')), (e) => void got.push(e)] });
    engine.evaluate({ journalShortfall: 1 });
    await engine.flush();
    expect(got).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'an alarm sink failed')).toHaveLength(2);
  });
});
