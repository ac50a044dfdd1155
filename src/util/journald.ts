import { fstatSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

/** pino level → syslog priority (journald's PRIORITY): trace/debug 7, info 6, warn 4, error 3, fatal 2. */
export function syslogPriority(pinoLevel: number): number {
  return pinoLevel >= 60 ? 2 : pinoLevel >= 50 ? 3 : pinoLevel >= 40 ? 4 : pinoLevel >= 30 ? 6 : 7;
}

/**
 * Whether file descriptor `fd` is connected to the systemd journal: systemd sets
 * JOURNAL_STREAM=DEV:INODE for a service whose output goes there, and the
 * descriptor must still be that stream (not redirected since).
 */
export function isJournalStream(fd = 2, env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]) && st.ino === BigInt(m[2]);
  } catch {
    return false;
  }
}

/**
 * A log destination for journald: each JSON line is written whole, prefixed
 * with its syslog priority `<N>` (journald's SyslogLevelPrefix, on by default),
 * so `journalctl -p warning` selects by level while the line stays JSON.
 */
export function journaldStream(fd = 2): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 30);
        writeSync(fd, `<${syslogPriority(level)}>${line}\n`);
      }
      cb();
    },
  });
}
