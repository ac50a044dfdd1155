import { Rng } from '../../src/util/random.ts';

/**
 * The soak's fault timeline, drawn from a seed: the same seed and duration give
 * the same faults at the same times, so a failed soak can be replayed.
 * Times are wall-clock seconds after the soak's origin (the daemon first
 * acquiring) and are the earliest start: the soak plays every fault from its
 * own clock and starts one only after the one before was survived (so a late
 * fault delays the rest, and faults never overlap); none falls in the warm-up
 * or in the final settling time.
 */
export type FaultKind =
  | 'unplug' // the pty vanishes; the device keeps running and numbering its frames
  | 'power-cycle' // the pty vanishes and the device comes back rebooted (its numbering starts again)
  | 'stall' // port open, no data
  | 'corrupt' // a burst of frames with one corrupted byte, and line noise between frames
  | 'influx-down' // influxd stopped, then started again
  | 'daemon-kill' // SIGKILL of the daemon, then a restart (the run resumes)
  | 'daemon-freeze' // SIGSTOP of the daemon (a host suspend), then SIGCONT
  | 'ws-slow' // a WebSocket client reading in bursts
  | 'ws-dead'; // a WebSocket client that stops reading and answering

export const FAULT_KINDS: readonly FaultKind[] = ['unplug', 'power-cycle', 'stall', 'corrupt', 'influx-down', 'daemon-kill', 'daemon-freeze', 'ws-slow', 'ws-dead'];

export interface PlannedFault {
  kind: FaultKind;
  /** Earliest start, seconds after the origin (wall clock). */
  at: number;
  /** Duration in seconds (wall clock); for daemon-kill the time the daemon stays down. */
  seconds: number;
  /** corrupt: the fraction of frames corrupted during the burst. */
  rate?: number;
}

export interface SoakPlan {
  seed: number;
  /** Seconds without faults at the start (the RSS baseline is taken at its end). */
  warmupS: number;
  /** Total soak time in seconds (faults end before `durationS − settleS`). */
  durationS: number;
  settleS: number;
  faults: PlannedFault[];
}

/** Duration range (wall seconds) of each kind; influx outages and freezes scale with the soak's length. */
function durationOf(kind: FaultKind, rng: Rng, durationS: number): { seconds: number; rate?: number } {
  const between = (lo: number, hi: number): number => Math.round((lo + (hi - lo) * rng.uniform()) * 10) / 10;
  switch (kind) {
    case 'unplug':
    case 'power-cycle': return { seconds: between(2, 6) };
    case 'stall': return { seconds: between(3, 15) };
    case 'corrupt': return { seconds: between(5, 20), rate: Math.round((0.01 + 0.04 * rng.uniform()) * 1000) / 1000 };
    case 'influx-down': return { seconds: between(10, Math.max(12, Math.min(180, durationS / 10))) };
    case 'daemon-kill': return { seconds: between(1, 5) };
    case 'daemon-freeze': return { seconds: between(3, 15) };
    case 'ws-slow': return { seconds: between(10, 30) };
    case 'ws-dead': return { seconds: between(10, 30) };
  }
}

/**
 * Draws the timeline: warm-up of 10% of the soak (45–180 s), settling of 10%
 * (at least 10 s), faults one after the other with MIN_QUIET_S to
 * MIN_QUIET_S + 12 s of quiet between them. Each kind comes once before any
 * repeats (a short soak still sees the whole list, as far as it fits); a
 * daemon kill falls only in the first half, so the last daemon process lives
 * long enough for its own RSS baseline.
 */
export function planSoak(seed: number, minutes: number): SoakPlan {
  const rng = new Rng(seed);
  const durationS = Math.round(minutes * 60);
  const warmupS = Math.min(180, Math.max(45, Math.round(durationS * 0.1)));
  const settleS = Math.max(10, Math.round(durationS * 0.1));
  const faults: PlannedFault[] = [];
  let t = warmupS;
  let bag: FaultKind[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    if (bag.length === 0) bag = shuffled(FAULT_KINDS, rng);
    let kind = bag.shift()!;
    if (kind === 'daemon-kill' && t > durationS / 2) {
      if (bag.length === 0) bag = shuffled(FAULT_KINDS.filter((k) => k !== 'daemon-kill'), rng);
      kind = bag.shift()!;
    }
    const d = durationOf(kind, rng, durationS);
    // a daemon kill needs time for the restart itself (start-up, resume) beyond its down time
    const occupies = d.seconds + (kind === 'daemon-kill' ? 20 : 0);
    if (t + occupies > durationS - settleS) break;
    faults.push({ kind, at: Math.round(t * 10) / 10, ...d });
    t += occupies + MIN_QUIET_S + 12 * rng.uniform();
  }
  return { seed, warmupS, durationS, settleS, faults };
}

function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextU32() % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Quiet seconds kept after a fault was survived before the next one starts:
 * more than the 15 s after a recovery that memory is not sampled
 * (bench/soak.ts), so every stretch between faults leaves quiet samples.
 */
export const MIN_QUIET_S = 25;

/**
 * When a planned fault actually starts (seconds after the origin): at its
 * planned time, or `MIN_QUIET_S` after the previous fault was survived
 * (`prevRecoveredS`, null before the first), whichever is later; null when it
 * would no longer end before the settling time (it is then skipped).
 */
export function actualStart(f: PlannedFault, prevRecoveredS: number | null, plan: SoakPlan): number | null {
  const at = Math.max(f.at, prevRecoveredS === null ? 0 : prevRecoveredS + MIN_QUIET_S);
  return at + f.seconds > plan.durationS - plan.settleS ? null : at;
}

/** One line per fault, for the log of a soak and its replay. */
export function describePlan(plan: SoakPlan): string {
  const lines = [`seed ${plan.seed}: ${plan.durationS} s, warm-up ${plan.warmupS} s, settling ${plan.settleS} s, ${plan.faults.length} faults`];
  for (const f of plan.faults) lines.push(`  t=${f.at.toFixed(1).padStart(7)} s  ${f.kind.padEnd(13)} ${f.seconds.toFixed(1)} s${f.rate !== undefined ? `  ${(f.rate * 100).toFixed(1)}% of frames` : ''}`);
  return lines.join('\n');
}
