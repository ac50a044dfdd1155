import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.ts';
import { resolveDataDir } from '../../src/storage/layout.ts';

describe('storage configuration', () => {
  it('has documented defaults, and the rig defaults to the host name', () => {
    const c = parseConfig({});
    expect(c.storage).toEqual({ enabled: true, syncMs: 1000, segmentBytes: 256 * 1024 * 1024, maxBufferBytes: 64 * 1024 * 1024, retryMs: 1000, maxBytes: null, fitHistoryHours: 24 });
    expect(c.rig).toBe(hostname());
  });

  it('refuses the old journal.* keys, naming the new ones', () => {
    expect(() => parseConfig({ journal: { dir: 'runs', enabled: false } }, 'rig.json')).toThrow(/rig\.json: the journal\.\* keys are now storage\.\* — rename journal\.dir → storage\.dir, journal\.enabled → storage\.enabled/);
    expect(() => parseConfig({ journal: {} })).toThrow(expect.objectContaining({ code: 'RING_ERR_CONFIG_INVALID' }));
  });

  it('finds the data directory: flag, then config, then HOLORING_DATA_DIR, then ./holoring-data', () => {
    expect(resolveDataDir('a', 'b', { HOLORING_DATA_DIR: 'c' })).toBe('a');
    expect(resolveDataDir(undefined, 'b', { HOLORING_DATA_DIR: 'c' })).toBe('b');
    expect(resolveDataDir(undefined, undefined, { HOLORING_DATA_DIR: 'c' })).toBe('c');
    expect(resolveDataDir(undefined, undefined, {})).toBe('./holoring-data');
  });
});
