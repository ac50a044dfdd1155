import { HoloringError } from '../errors.ts';
import type { Principal } from './tokens.ts';

/**
 * The bench lock: one operator controls the rig at a time. An operator takes
 * the lock (with a time to live, renewable by taking it again), control
 * commands are accepted only from its holder, and it ends when released or
 * when it expires. Time is injected (`now`, in ms since the epoch).
 */
export interface LockState {
  holder: { tokenId: string; label: string | null };
  acquiredAt: string;
  expiresAt: string;
}

export const LockErrorCodes = {
  /** Another operator holds the lock (HTTP 409). */
  HELD: 'RING_ERR_LOCK_HELD',
  /** Control without holding the lock (HTTP 409). */
  REQUIRED: 'RING_ERR_LOCK_REQUIRED',
} as const;

export const LOCK_DEFAULT_TTL_MS = 15 * 60_000;
export const LOCK_MAX_TTL_MS = 12 * 3600_000;

export class BenchLock {
  private state: { tokenId: string; label: string | null; acquiredAt: number; expiresAt: number } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** The current lock, or null when free (an expired lock is free). */
  current(): LockState | null {
    const s = this.state;
    if (!s) return null;
    if (s.expiresAt <= this.now()) {
      this.state = null;
      return null;
    }
    return { holder: { tokenId: s.tokenId, label: s.label }, acquiredAt: new Date(s.acquiredAt).toISOString(), expiresAt: new Date(s.expiresAt).toISOString() };
  }

  /**
   * Takes (or renews) the lock for `who` for `ttlMs` (default 15 min, at most
   * 12 h). Throws RING_ERR_LOCK_HELD when another token holds it.
   */
  acquire(who: Principal, ttlMs: number = LOCK_DEFAULT_TTL_MS): LockState {
    const cur = this.current();
    if (cur && cur.holder.tokenId !== who.tokenId) {
      throw new HoloringError(LockErrorCodes.HELD, `the bench lock is held by ${cur.holder.label ?? cur.holder.tokenId} until ${cur.expiresAt}`, { lock: cur });
    }
    const t = this.now();
    const ttl = Math.min(Math.max(1000, ttlMs), LOCK_MAX_TTL_MS);
    this.state = { tokenId: who.tokenId, label: who.label, acquiredAt: cur ? Date.parse(cur.acquiredAt) : t, expiresAt: t + ttl };
    return this.current() as LockState;
  }

  /** Releases the lock held by `who`. Throws RING_ERR_LOCK_HELD when another token holds it; a free lock is a no-op. */
  release(who: Principal): void {
    const cur = this.current();
    if (!cur) return;
    if (cur.holder.tokenId !== who.tokenId) {
      throw new HoloringError(LockErrorCodes.HELD, `the bench lock is held by ${cur.holder.label ?? cur.holder.tokenId}, not by you`, { lock: cur });
    }
    this.state = null;
  }

  /** Throws RING_ERR_LOCK_REQUIRED unless `who` holds the lock. */
  assertHeldBy(who: Principal): void {
    const cur = this.current();
    if (!cur || cur.holder.tokenId !== who.tokenId) {
      throw new HoloringError(LockErrorCodes.REQUIRED, cur
        ? `control refused: the bench lock is held by ${cur.holder.label ?? cur.holder.tokenId} until ${cur.expiresAt}`
        : 'control refused: take the bench lock first (POST /api/lock)', { lock: cur });
    }
  }
}
