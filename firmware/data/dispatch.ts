/**
 * The one dispatcher of a pure machine (STYLE §7): callbacks only post events; the queue
 * is drained in order, each event stepping the machine and running its effects, so no
 * transition ever happens inside another one and the order is deterministic.
 */
export class Dispatcher<S, E, F> {
  private queue: E[] = [];
  private draining = false;

  constructor(
    /** The current state (read it, never write it from outside). */
    public state: S,
    private readonly step: (s: S, e: E) => { state: S; effects: F[] },
    private readonly apply: (effect: F) => void,
    private readonly changed: (s: S) => void,
  ) {}

  post(event: E): void {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const r = this.step(this.state, this.queue.shift()!);
        const moved = r.state !== this.state;
        this.state = r.state;
        if (moved) this.changed(this.state);
        for (let i = 0; i < r.effects.length; i++) this.apply(r.effects[i]);
      }
    } finally {
      this.draining = false;
    }
  }
}
