import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig, parseConfig, readConfigFile } from '../../src/config/schema.ts';

describe('daemon configuration', () => {
  it('fills every default and freezes the result', () => {
    const c = parseConfig({});
    expect(c.device.spec).toBe('emulator');
    expect(c.physics).toEqual({ delta: 1.5, deltaStart: 1.5, gamma: 0.25, kMax: 12 });
    expect(c.sweep).toMatchObject({ start: 0.25, stop: 12, step: 0.25 });
    expect(c.model.layers).toBe(400);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.sweep)).toBe(true);
    expect(() => {
      (c.sweep as { start: number }).start = 3;
    }).toThrow();
  });

  it('refuses bad values naming every path', () => {
    try {
      parseConfig({ sweep: { stop: -1, bogus: 1 }, device: { speed: 0 }, model: { layers: 100 }, physics: { delta: 'auto', deltaStart: 50.5 } }, 'my.json');
      throw new Error('accepted');
    } catch (e) {
      const err = e as { code: string; message: string; context: { problems: string[] } };
      expect(err.code).toBe('RING_ERR_CONFIG_INVALID');
      expect(err.message).toMatch(/^my\.json/);
      const paths = err.context.problems.join('\n');
      expect(paths).toMatch(/sweep\.stop/);
      expect(paths).toMatch(/bogus/);
      expect(paths).toMatch(/device\.speed/);
      expect(paths).toMatch(/model\.layers/);
      expect(paths).toMatch(/physics\.deltaStart.*must be < 5: a Δ fit searches 1 < Δ < 5/);
    }
  });

  it('reads JSON files and merges command-line overrides over them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ device: { spec: 'sim:4', rate: 50 }, sweep: { stop: 6 } }));
    const merged = mergeConfig(readConfigFile(file) as Record<string, unknown>, { device: { rate: 80 }, sweeps: 2 });
    const c = parseConfig(merged);
    expect(c.device).toMatchObject({ spec: 'sim:4', rate: 80 });
    expect(c.sweep.stop).toBe(6);
    expect(c.sweeps).toBe(2);
    writeFileSync(file, '{ not json');
    expect(() => readConfigFile(file)).toThrow(expect.objectContaining({ code: 'RING_ERR_CONFIG_INVALID' }));
    expect(() => readConfigFile(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'RING_ERR_FILE_NOT_FOUND', message: expect.stringMatching(/no configuration at .*missing\.json: the file does not exist/) }));
  });
});
