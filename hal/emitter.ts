/**
 * A small synchronous typed event emitter for portable code.
 *
 * Node's `events` is not available on Espruino, and Espruino's built-in object emitter
 * is asynchronous and limited to four arguments, so portable code uses this one.
 * Handlers run synchronously in subscription order; one that throws is reported to the
 * `error` sink (when set) and does not stop the others. `on` returns an unsubscribe.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventMap = { [event: string]: any };

export type Listener<T> = (payload: T) => void;

export class Emitter<E extends EventMap> {
  private handlers: { [K in keyof E]?: Listener<E[K]>[] } = {};
  /** Where a throwing listener's error goes; by default it is rethrown after all ran. */
  onListenerError: ((err: unknown, event: string) => void) | undefined = undefined;

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    const list = this.handlers[event] || (this.handlers[event] = []);
    list.push(fn);
    let live = true;
    const handlers = this.handlers;
    return function () {
      if (!live) return;
      live = false;
      const cur = handlers[event];
      if (!cur) return;
      const i = cur.indexOf(fn);
      if (i >= 0) cur.splice(i, 1);
    };
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const list = this.handlers[event];
    if (!list || list.length === 0) return;
    // Copy so that a listener unsubscribing during emit does not skip its neighbour.
    const snapshot = list.slice();
    let firstError: unknown = undefined;
    let failed = false;
    for (let i = 0; i < snapshot.length; i++) {
      try {
        snapshot[i](payload);
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
   * Espruino a call costs microseconds. Read it; subscribe only through `on`.
   */
  listeners<K extends keyof E>(event: K): readonly Listener<E[K]>[] {
    return this.handlers[event] || (this.handlers[event] = []);
  }

  listenerCount<K extends keyof E>(event: K): number {
    const list = this.handlers[event];
    return list ? list.length : 0;
  }
}
