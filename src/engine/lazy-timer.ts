import type { Simulation } from './simulation.js';

/**
 * A deadline that moves often, as one event kind of one owner: the event queue has no cancel, so a
 * deadline that is replaced before it is due would leave a stale event behind for every change. This
 * schedules an event only when none is pending at or before the new deadline; an early one that fires
 * tells its owner, which looks at its own state and arms again for the deadline that now holds. A
 * thread whose short waits each set a long timeout then costs about one event per timeout length
 * instead of one per wait, with every deadline still met at its exact time.
 */
export class LazyTimer {
  /** Times of this timer's events still in the queue, earliest first (a handful at most). */
  private readonly pending: number[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly kind: number,
    private readonly a: number,
  ) {}

  /** An event will fire at `time` or earlier. */
  arm(time: number): void {
    const p = this.pending;
    if (p.length > 0 && p[0] <= time) return;
    p.unshift(time);
    this.sim.at(time, this.kind, this.a, 0);
  }

  /** The owner's handler, first thing: one of this timer's events has fired (the earliest). */
  fired(): void {
    this.pending.shift();
  }
}
