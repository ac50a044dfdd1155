import { z } from 'zod';

/**
 * The `alarms.*` section of the daemon configuration: one block per rule, each
 * with `enabled`, `severity` and its threshold. README "Configuration
 * reference" and docs/alarms.md document every option with its default.
 */
export const ALARM_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');
const severity = (d: AlarmSeverity) => z.enum(ALARM_SEVERITIES).default(d);

export const AlarmsConfigSchema = z.strictObject({
  /** Evaluate the rules at all. */
  enabled: z.boolean().default(true),
  /** How often the rules are evaluated (ms). */
  evaluateMs: finite().min(50).max(60_000).default(1000),
  /** Optional webhook: every raise, clear and acknowledgement is POSTed there as JSON. */
  webhook: z.strictObject({
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Per-request timeout (ms). */
    timeoutMs: finite().positive().max(60_000).default(5000),
    /** Deliveries waiting beyond this are dropped and counted. */
    maxQueue: z.number().int().min(1).max(10_000).default(100),
  }).prefault({}),
  /** No accepted frame for this long while the device should be streaming. */
  noData: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('critical'),
    seconds: finite().positive().default(30),
  }).prefault({}),
  /** Checksum rejects as a fraction of all frames received over a sliding window. */
  checksumRate: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('warning'),
    maxFraction: finite().min(0).max(1).default(0.02),
    windowSeconds: finite().positive().default(60),
  }).prefault({}),
  /** Frames missing from the device's sequence over a sliding window. */
  sequenceGaps: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('warning'),
    maxMissing: z.number().int().min(0).default(10),
    windowSeconds: finite().positive().default(60),
  }).prefault({}),
  /**
   * Sample temperature above the Hawking–Page point T_HP = ħv/(k_B·L) (physics.md §2, §6):
   * give `hawkingPageK` directly, or the rig's material velocity v (m/s) and ring
   * circumference L (m). Without either the rule cannot judge and stays quiet.
   */
  sampleTemperature: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('critical'),
    hawkingPageK: finite().positive().optional(),
    velocityMps: finite().positive().optional(),
    circumferenceM: finite().positive().optional(),
  }).prefault({}),
  /** A training round's reduced χ² above this bound (or not finite). */
  fitChi2: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('warning'),
    max: finite().positive().default(3),
  }).prefault({}),
  /** The run's data not yet written to InfluxDB (its sink's backlog: bytes of the run's files behind its cursor). */
  influxBacklog: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('warning'),
    maxMB: finite().min(0).default(16),
  }).prefault({}),
  /** Free space on the data directory's file system. */
  diskSpace: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('critical'),
    minFreeMB: finite().min(0).default(1024),
  }).prefault({}),
  /** Accepted frames that did not reach the journal (dropped or failed writes). */
  journalShortfall: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('critical'),
    maxFrames: z.number().int().min(0).default(0),
  }).prefault({}),
  /** The active calibration record is older than this. */
  calibrationAge: z.strictObject({
    enabled: z.boolean().default(true),
    severity: severity('info'),
    maxDays: finite().positive().default(30),
  }).prefault({}),
});

export type AlarmsConfig = z.infer<typeof AlarmsConfigSchema>;
