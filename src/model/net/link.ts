import type { Simulation } from '../../engine/simulation.js';
import { Ev } from '../events.js';

/** One direction of a wire: packets are serialized at the line rate in FIFO order, then arrive after
 *  their propagation delay (half the round trip to their peer). Nothing observes a packet between its
 *  send and its arrival, so the wire keeps only when it is next free: a packet's arrival is known, and
 *  scheduled, when it is sent. */
export class Link {
  /** When the last packet sent has left the wire (its last bit on it). */
  private freeAt = 0;

  constructor(
    readonly index: number,
    private readonly sim: Simulation,
    private readonly bitsPerSecond: number,
    private readonly delayOf: (p: number) => number,
    private readonly bytesOf: (p: number) => number,
  ) {}

  /** Sends p `afterNs` from now: false when the wire has a line rate, whose order of packets needs the
   *  send made then (the caller schedules it); without one the packet only travels, and its arrival is
   *  scheduled now. */
  sendAfter(p: number, afterNs: number): boolean {
    if (this.bitsPerSecond !== 0) return false;
    this.sim.at(this.sim.now + afterNs + this.delayOf(p), Ev.Arrive, this.index, p);
    return true;
  }

  send(p: number): void {
    if (this.bitsPerSecond === 0) {
      this.sim.after(this.delayOf(p), Ev.Arrive, this.index, p);
      return;
    }
    const start = Math.max(this.sim.now, this.freeAt);
    this.freeAt = start + (this.bytesOf(p) * 8e9) / this.bitsPerSecond;
    this.sim.at(this.freeAt + this.delayOf(p), Ev.Arrive, this.index, p);
  }
}
