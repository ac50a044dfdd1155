/** What `f` throws (its code, message and context, for assertions); throws itself when `f` returns. */
export function thrown(f: () => unknown): { code?: string; message?: string; context?: Record<string, unknown> } {
  try {
    f();
  } catch (e) {
    return e as { code?: string; message?: string; context?: Record<string, unknown> };
  }
  throw new Error('expected a throw');
}
