import { Observable } from 'rxjs';

/** Values emitted between two returns to the event loop, by default. */
export const DEFAULT_SLICE = 256;

export interface SlicedOptions {
  /** Values per slice (default DEFAULT_SLICE). */
  slice?: number;
  /** Runs `fn` on a later turn of the event loop (default setImmediate: timers, sockets and HTTP are served in between). */
  defer?: (fn: () => void) => void;
  /** After each slice, with the values emitted so far. */
  onSlice?: (emitted: number) => void;
}

/**
 * The values of a (long, synchronous) iterable as an Observable that emits
 * them `slice` at a time and hands the event loop back between slices, so a
 * source that would block for seconds (a journal replay) lets the process
 * serve its clients meanwhile. The first slice is emitted on a later turn too.
 * Unsubscribing stops the iteration (the iterator's `return` is called). An
 * error thrown by the iterable is the Observable's error.
 */
export function sliced<T>(source: Iterable<T>, opts: SlicedOptions = {}): Observable<T> {
  const slice = Math.max(1, Math.floor(opts.slice ?? DEFAULT_SLICE));
  const defer = opts.defer ?? ((fn: () => void) => void setImmediate(fn));
  return new Observable<T>((sub) => {
    const it = source[Symbol.iterator]();
    let emitted = 0;
    let open = true;
    const step = (): void => {
      if (!open) return;
      try {
        for (let n = 0; n < slice; n++) {
          const r = it.next();
          if (r.done) {
            open = false;
            opts.onSlice?.(emitted);
            sub.complete();
            return;
          }
          emitted++;
          sub.next(r.value);
          if (!open) return;
        }
      } catch (e) {
        open = false;
        sub.error(e);
        return;
      }
      opts.onSlice?.(emitted);
      defer(step);
    };
    defer(step);
    return () => {
      if (!open) return;
      open = false;
      it.return?.();
    };
  });
}
