import type { AlarmSeverity } from '../config/alarms.ts';

export type { AlarmSeverity };

/** The rules, by stable name (config key `alarms.<rule>`). */
export const ALARM_RULES = [
  'noData', 'checksumRate', 'sequenceGaps', 'sampleTemperature', 'fitChi2',
  'influxBacklog', 'diskSpace', 'journalShortfall', 'calibrationAge',
] as const;
export type AlarmRule = (typeof ALARM_RULES)[number];

/**
 * What the rules look at: a snapshot of the daemon taken at each evaluation.
 * A field left out means "unknown now", and the rules that need it keep their
 * last judgement. Counters are cumulative over the run.
 */
export interface AlarmInputs {
  /** Host time (ms) of the last accepted frame, null before the first. */
  lastFrameAtMs?: number | null;
  /** Host time (ms) since which frames are expected (streaming requested); null: none expected. */
  expectingDataSinceMs?: number | null;
  /** Frames accepted from the device. */
  framesAccepted?: number;
  /** Frames rejected for a bad checksum. */
  checksumErrors?: number;
  /** Frames missing from the device's sequence numbers. */
  missingFrames?: number;
  /** Latest sample temperature reported by the device (K). */
  temperatureK?: number | null;
  /** The latest training round (discarded: it diverged and the last good estimate was kept). */
  fit?: { round: number; chi2: number; discarded?: boolean } | null;
  /** Bytes of the run not yet written to InfluxDB (null: no InfluxDB sink). */
  influxBacklogBytes?: number | null;
  /** Free bytes on the data directory's file system. */
  diskFreeBytes?: number | null;
  /** Accepted frames that are not in the journal (dropped or failed). */
  journalShortfall?: number | null;
  /** The active calibration record. */
  calibration?: { version: string; createdAt: string } | null;
}

/** One alarm as it stands: latched from its raise until it is cleared and acknowledged. */
export interface Alarm {
  id: string;
  rule: AlarmRule;
  severity: AlarmSeverity;
  /** raised: condition present, not acknowledged; cleared: condition gone, awaiting acknowledgement; acknowledged: condition present, acknowledged. */
  state: AlarmState;
  /** Whether the condition holds now. */
  active: boolean;
  /** What is wrong, in plain language. */
  message: string;
  /** What to do about it. */
  action: string;
  /** The measured value that tripped the rule (its unit is in the message). */
  value: number | null;
  raisedAt: string;
  changedAt: string;
  acknowledgedBy?: string;
}

export type AlarmState = 'raised' | 'cleared' | 'acknowledged';

/**
 * A change of one alarm — the `alarm` document of the run record
 * (RUN-LAYOUT: {id, rule, severity, state, message, action}) plus its time,
 * the value and who acknowledged it. After `cleared` of an acknowledged alarm
 * or `acknowledged` of a cleared one the alarm is no longer latched.
 */
export interface AlarmEvent {
  type: 'alarm';
  id: string;
  rule: AlarmRule;
  severity: AlarmSeverity;
  state: AlarmState;
  message: string;
  action: string;
  value: number | null;
  /** ISO-8601 UTC. */
  time: string;
  who?: string;
  /** True when this change ends the latch (the alarm leaves the list). */
  closed: boolean;
}

/** A consumer of alarm changes; failures are the sink's own (logged, never thrown into the engine). */
export type AlarmSink = (event: AlarmEvent) => void | Promise<void>;
