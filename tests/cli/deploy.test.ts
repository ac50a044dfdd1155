import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const unit = readFileSync(new URL('../../deploy/holoring.service', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The [Section] key=value pairs of a systemd unit (comments left out). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1];
    else {
      const [k, ...v] = line.split('=');
      ((out[section] ??= {})[k] ??= []).push(v.join('='));
    }
  }
  return out;
}

describe('the systemd unit', () => {
  it('waits for the network, runs the bin directly with the serial group, stops within its timeout; the README shows it as shipped', () => {
    const u = parseUnit(unit);
    expect(u.Unit.Wants).toEqual(['network-online.target']);
    expect(u.Unit.After).toEqual(['network-online.target']);
    expect(u.Service.Group).toEqual(['dialout']);
    expect(u.Service.ExecStart[0]).toMatch(/bin\/holoring\.mjs start /);
    expect(Number(u.Service.TimeoutStopSec[0])).toBeGreaterThan(15);
    expect(readme).toContain('```ini\n' + unit + '```');
    expect(unit).toMatch(/must be writable by User/);
  });
});
