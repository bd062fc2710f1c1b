import { EventQueue } from './event-queue.js';

/** What the loop hands each event to: one object, so the call site stays monomorphic. */
export interface Dispatcher {
  dispatch(kind: number, a: number, b: number): void;
}

/** The simulated clock (ns) and its event queue. */
export class Simulation {
  readonly queue = new EventQueue(4096);
  now = 0;
  events = 0;

  /** Schedules an event `delay` ns from now. */
  after(delay: number, kind: number, a: number, b: number): void {
    this.queue.push(this.now + delay, kind, a, b);
  }

  at(time: number, kind: number, a: number, b: number): void {
    if (time < this.now) throw new Error(`event scheduled in the past: ${time} < ${this.now}`);
    this.queue.push(time, kind, a, b);
  }

  /** Runs events with time <= until; the clock ends at `until`. Time never goes back. */
  runUntil(until: number, target: Dispatcher): void {
    const q = this.queue;
    let events = 0;
    while (q.popUntil(until)) {
      const t = q.topTime;
      if (t < this.now) throw new Error(`time went back: ${t} < ${this.now}`);
      this.now = t;
      events++;
      target.dispatch(q.topKind, q.topA, q.topB);
    }
    this.events += events;
    this.now = until;
  }
}
