/** Small bounded helpers of the soak (the processes themselves come from tests/support/childDaemon.ts and tests/drivers/emulateProcess.ts). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** GET a JSON document of the daemon's API, or null when it does not answer within `timeoutMs`. */
export async function getJson<T>(url: string, timeoutMs = 3000): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as T) : null;
  } catch {
    return null;
  }
}

/** Polls `probe` every `everyMs` until it returns a value other than null/false, at most `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | null | false>, timeoutMs: number, everyMs = 500): Promise<T | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== false) return v;
    if (Date.now() >= until) return null;
    await sleep(everyMs);
  }
}
