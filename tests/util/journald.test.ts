import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { isJournalStream, journaldStream } from '../../src/util/journald.ts';

describe('logs for journald', () => {
  it('each JSON line goes out whole, prefixed with its syslog priority', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'holoring-jd-')), 'out');
    const fd = openSync(file, 'w');
    const log = createLogger({ level: 'debug', destination: journaldStream(fd) });
    log.debug('d');
    log.info({ n: 1 }, 'i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    await new Promise((r) => setImmediate(r));
    closeSync(fd);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>', '<2>']);
    expect(lines.map((l) => JSON.parse(l.slice(3)).msg)).toEqual(['d', 'i', 'w', 'e', 'f']);
  });

  it('recognises the journal from JOURNAL_STREAM=DEV:INODE of the descriptor', () => {
    const fd = openSync(join(mkdtempSync(join(tmpdir(), 'holoring-jd-')), 'out'), 'w');
    const st = fstatSync(fd);
    expect(isJournalStream(fd, { JOURNAL_STREAM: `${st.dev}:${st.ino}` })).toBe(true);
    expect(isJournalStream(fd, { JOURNAL_STREAM: `${st.dev}:${st.ino + 1}` })).toBe(false);
    expect(isJournalStream(fd, {})).toBe(false);
    closeSync(fd);
  });
});
