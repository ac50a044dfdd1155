import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCause } from '../../src/storage/fileOps.ts';
import { LineAppender } from '../../src/storage/lineAppender.ts';
import { fakeDisk } from './fakeDisk.ts';

const dir = mkdtempSync(join(tmpdir(), 'holoring-append-'));

describe('line appender on a disk that fills up', () => {
  it('never leaves a partial line, keeps refused lines in memory up to the bound, and resumes when space returns', () => {
    const disk = fakeDisk(100);
    let t = 0;
    const errors: string[] = [];
    const recovered: number[] = [];
    const path = join(dir, 'full.jsonl');
    const a = new LineAppender(path, { fs: disk.ops, now: () => t, retryMs: 1000, maxPendingBytes: 40, onError: (e) => errors.push(e.cause), onRecover: (r) => recovered.push(r.written) });
    const line = (i: number) => `{"i":${i},"pad":"xxxxxxxxxx"}`; // 26 bytes + newline
    const results = [0, 1, 2, 3, 4, 5].map((i) => a.append(line(i), i));
    // 3 lines fit (81 bytes), the 4th is cut at 100 and cut back; one more waits (27 ≤ 40), the rest are refused
    expect(results).toEqual(['written', 'written', 'written', 'pending', 'refused', 'refused']);
    expect(readFileSync(path, 'utf8')).toBe([0, 1, 2].map((i) => line(i) + '\n').join(''));
    expect(a.stats()).toMatchObject({ lines: 3, bytes: 81, pendingLines: 1, error: { cause: 'disk full' } });
    expect(errors).toEqual(['disk full']);
    // still full: a retry changes nothing
    t = 1000;
    expect(a.retry()).toBe(false);
    disk.grow(1000);
    t = 2000;
    expect(a.append(line(6), 6)).toBe('written');
    expect(recovered).toEqual([1]);
    expect(readFileSync(path, 'utf8')).toBe([0, 1, 2, 3, 6].map((i) => line(i) + '\n').join(''));
    expect(a.stats().error).toBeNull();
    expect(a.close().unwritten).toEqual([]);
  });

  it('reports the lines still waiting at close', () => {
    const disk = fakeDisk(10);
    const a = new LineAppender(join(dir, 'stuck.jsonl'), { fs: disk.ops });
    expect(a.append('0123456789abcdef', 'a')).toBe('pending');
    expect(a.close().unwritten).toEqual(['a']);
  });

  it('names the cause of a failed write', () => {
    expect(writeCause({ code: 'ENOSPC' })).toBe('disk full');
    expect(writeCause({ code: 'EROFS' })).toBe('read-only file system');
    expect(writeCause({ code: 'EDQUOT' })).toBe('quota exceeded');
    expect(writeCause(new Error('x'))).toBe('write failed');
  });
});
