import type { DeviceCounters } from '../contracts/device.ts';

/**
 * The device's frame account as one line for the exit summary, e.g.
 * `frames: 1200 received, 14 missing (rejected 9, reconnect 5), 0 duplicates; seq 0…1213; 3 gaps, 1 reconnect(s), 0 restart(s)`.
 * Without an account (simulated device) only the frame count.
 */
export function formatAccount(c: DeviceCounters): string {
  const a = c.account;
  if (!a) return `frames: ${c.frames} received`;
  const missing = Object.values(a.missing).reduce<number>((s, n) => s + (n ?? 0), 0);
  const causes = Object.entries(a.missing).map(([k, n]) => `${k} ${n}`).join(', ');
  const seq = a.firstSeq === null ? 'no frame' : `seq ${a.firstSeq}…${a.lastSeq}`;
  const rejects = Object.entries(c.rejects).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  return `frames: ${a.received} received, ${missing} missing${causes ? ` (${causes})` : ''}, ${a.duplicates} duplicates; ${seq}; `
    + `${c.gaps} gap(s), ${c.reconnects} reconnect(s), ${a.restarts} restart(s)${rejects ? `; rejected input: ${rejects}` : ''}`;
}
