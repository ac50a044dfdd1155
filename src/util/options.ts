/** The entries of `opts` whose value is not undefined, so that spreading them over defaults keeps a default wherever an option was given as undefined. */
export function definedOnly<T extends object>(opts: T): Partial<T> {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as Partial<T>;
}
