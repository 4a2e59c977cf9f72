/**
 * A small synchronous typed event emitter for portable code.
 *
 * Node's `events` is not available on Espruino, and Espruino's built-in object emitter
 * is asynchronous and limited to four arguments, so portable code uses this one.
 * Handlers run synchronously in subscription order; one that throws is reported to the
 * `error` sink (when set) and does not stop the others. `on` returns an unsubscribe.
 *
 * Each listener gets the event's name as its second argument, so one function can be
 * subscribed to several events and tell them apart (on Espruino a function made per
 * event costs about six heap blocks; a subscription of a function that already exists
 * costs one or two).
 *
 * Heap (the watch holds some twenty emitters and a hundred subscriptions): an emitter
 * has no listener table until the first subscription, and an event with one listener
 * holds the function itself, not an array of one.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventMap = { [event: string]: any };

export type Listener<T> = (payload: T, event: string) => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (payload: any, event: any) => void;
type Table = { [event: string]: AnyFn | AnyFn[] | undefined };

/**
 * The unsubscribe `on` returns, made here so that it keeps only these three alive (a
 * closure made inside `on` would keep all of on's locals); harmless when called twice.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function unsubscriber(em: Emitter<any>, k: string, fn: AnyFn): () => void {
  let live = true;
  return function () {
    if (!live) return;
    live = false;
    em.remove(k, fn);
  };
}

export class Emitter<E extends EventMap> {
  /** Listeners by event: one function, or an array once there are more (or `listeners()` was asked). Created on first use. */
  private h: { [K in keyof E]?: AnyFn | AnyFn[] } | undefined;
  /** Where a throwing listener's error goes; by default it is rethrown after all ran. Not set: undefined. */
  onListenerError: ((err: unknown, event: string) => void) | undefined;

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    const h = (this.h || (this.h = {})) as Table;
    const k = event as string;
    const cur = h[k];
    if (cur === undefined) h[k] = fn;
    else if (typeof cur === "function") h[k] = [cur, fn];
    else cur.push(fn);
    return unsubscriber(this, k, fn);
  }

  /** Removes one subscription of `fn` (the unsubscribe `on` returns calls this once; subscribers use that). */
  remove(k: string, fn: AnyFn): void {
    const h = this.h as Table | undefined;
    const cur = h ? h[k] : undefined;
    if (cur === undefined) return;
    if (typeof cur === "function") {
      if (cur === fn) delete h![k];
      return;
    }
    const i = cur.indexOf(fn);
    if (i >= 0) cur.splice(i, 1);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const cur = this.h ? (this.h as Table)[event as string] : undefined;
    if (cur === undefined) return;
    if (typeof cur === "function") {
      if (!this.onListenerError) {
        cur(payload, event);
        return;
      }
      try {
        cur(payload, event);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
      return;
    }
    if (cur.length === 0) return;
    // Copy so that a listener unsubscribing during emit does not skip its neighbour.
    const snapshot = cur.slice();
    let firstError: unknown = undefined;
    let failed = false;
    for (let i = 0; i < snapshot.length; i++) {
      try {
        snapshot[i](payload, event);
      } catch (err) {
        if (this.onListenerError) this.onListenerError(err, String(event));
        else if (!failed) {
          failed = true;
          firstError = err;
        }
      }
    }
    if (failed) throw firstError;
  }

  /**
   * The live list of `event`'s listeners (created empty if none yet), for a hot path
   * that skips building a payload, or the emit call itself, while nobody listens: on
   * Espruino a call costs microseconds. Read it; subscribe only through `on`. Once asked
   * for, the event keeps its array (later subscriptions go into it).
   */
  listeners<K extends keyof E>(event: K): readonly Listener<E[K]>[] {
    const h = (this.h || (this.h = {})) as Table;
    const k = event as string;
    const cur = h[k];
    if (cur === undefined) return (h[k] = []);
    if (typeof cur === "function") return (h[k] = [cur]);
    return cur;
  }

  listenerCount<K extends keyof E>(event: K): number {
    const cur = this.h ? (this.h as Table)[event as string] : undefined;
    if (cur === undefined) return 0;
    return typeof cur === "function" ? 1 : cur.length;
  }
}
