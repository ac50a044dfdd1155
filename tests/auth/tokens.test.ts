import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchLock } from '../../src/auth/benchLock.ts';
import { TokenEntrySchema, bearerToken, createToken, isLoopbackHost, parseDuration, roleAllows, verifyToken } from '../../src/auth/tokens.ts';
import { runCli } from '../support/cli.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('tokens', () => {
  it('verifies a created token and stores only a salted hash', () => {
    const { token, entry } = createToken({ role: 'operator', label: 'bench' });
    expect(TokenEntrySchema.parse(entry)).toEqual(entry);
    // the secret is base64url and may itself contain '_'
    const secret = token.slice(`hr_${entry.id}_`.length);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(entry)).not.toContain(secret);
    expect(verifyToken([entry], token)).toEqual({ tokenId: entry.id, role: 'operator', label: 'bench' });
  });

  it('refuses a missing, malformed, unknown or altered token with its code', () => {
    const a = createToken({ role: 'viewer' });
    const b = createToken({ role: 'viewer' });
    expect(codeOf(() => verifyToken([a.entry], undefined))).toBe('RING_ERR_AUTH_MISSING');
    expect(codeOf(() => verifyToken([a.entry], 'hello'))).toBe('RING_ERR_AUTH_INVALID');
    expect(codeOf(() => verifyToken([a.entry], b.token))).toBe('RING_ERR_AUTH_INVALID');
    const last = a.token.at(-1) === 'A' ? 'B' : 'A';
    expect(codeOf(() => verifyToken([a.entry], a.token.slice(0, -1) + last))).toBe('RING_ERR_AUTH_INVALID');
    // the same secret under another entry's id does not pass
    const swapped = `hr_${b.entry.id}_${a.token.slice(`hr_${a.entry.id}_`.length)}`;
    expect(codeOf(() => verifyToken([a.entry, b.entry], swapped))).toBe('RING_ERR_AUTH_INVALID');
  });

  it('refuses an expired token', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { token, entry } = createToken({ role: 'viewer', expiresInMs: 60_000, now });
    expect(verifyToken([entry], token, new Date(now.getTime() + 59_000)).role).toBe('viewer');
    expect(codeOf(() => verifyToken([entry], token, new Date(now.getTime() + 60_000)))).toBe('RING_ERR_AUTH_EXPIRED');
  });

  it('reads bearer headers, durations, roles and loopback hosts', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(parseDuration('30d')).toBe(30 * 86400e3);
    expect(parseDuration('90m')).toBe(90 * 60e3);
    expect(codeOf(() => parseDuration('soon'))).toBe('RING_ERR_ARG_INVALID');
    expect(codeOf(() => parseDuration('0h'))).toBe('RING_ERR_ARG_INVALID');
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('viewer', 'viewer')).toBe(true);
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.4', 'example.org', '128.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('bench lock', () => {
  const alice = { tokenId: 'aaaaaaaa', role: 'operator' as const, label: 'alice' };
  const bob = { tokenId: 'bbbbbbbb', role: 'operator' as const, label: 'bob' };

  it('gives the rig to one operator at a time until released or expired', () => {
    let t = 1_000_000;
    const lock = new BenchLock(() => t);
    expect(lock.current()).toBeNull();
    expect(codeOf(() => lock.assertHeldBy(alice))).toBe('RING_ERR_LOCK_REQUIRED');
    lock.acquire(alice, 60_000);
    expect(lock.current()?.holder.label).toBe('alice');
    lock.assertHeldBy(alice);
    expect(codeOf(() => lock.acquire(bob))).toBe('RING_ERR_LOCK_HELD');
    expect(codeOf(() => lock.assertHeldBy(bob))).toBe('RING_ERR_LOCK_REQUIRED');
    expect(codeOf(() => lock.release(bob))).toBe('RING_ERR_LOCK_HELD');
    t += 30_000;
    lock.acquire(alice, 60_000); // renewal extends
    t += 45_000;
    lock.assertHeldBy(alice);
    t += 20_000;
    expect(lock.current()).toBeNull();
    lock.acquire(bob);
    lock.release(bob);
    expect(lock.current()).toBeNull();
  });
});

describe('holoring token create', () => {
  it('prints the token once and adds its hash to the configuration file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holoring-token-'));
    const cfg = join(dir, 'holoring.json');
    writeFileSync(cfg, JSON.stringify({ physics: { delta: 1.6 } }));
    const r = runCli(['token', 'create', '--role', 'viewer', '--expires', '30d', '--label', 'home', '--config', cfg]);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^hr_[0-9a-f]{8}_/);
    const written = JSON.parse(readFileSync(cfg, 'utf8')) as { physics: unknown; server: { auth: { tokens: unknown[] } } };
    expect(written.physics).toEqual({ delta: 1.6 });
    const entries = written.server.auth.tokens.map((e) => TokenEntrySchema.parse(e));
    expect(entries).toHaveLength(1);
    expect(readFileSync(cfg, 'utf8')).not.toContain(token.slice('hr_'.length + 9));
    expect(verifyToken(entries, token)).toMatchObject({ role: 'viewer', label: 'home' });
    expect(Date.parse(entries[0].expires!) - Date.parse(entries[0].created)).toBe(30 * 86400e3);
    expect(statSync(cfg).mode & 0o077).toBe(0);
  });

  it('refuses a bad role or duration with exit 2 and names the flag', () => {
    const r = runCli(['token', 'create', '--role', 'admin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RING_ERR_ARG_INVALID: --role/);
    const d = runCli(['token', 'create', '--role', 'viewer', '--expires', 'tomorrow']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--expires/);
  });
});
