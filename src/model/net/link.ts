import { IntFifo } from '../../engine/int-fifo.js';
import type { Simulation } from '../../engine/simulation.js';
import { Ev } from '../events.js';

/** One direction of a wire: packets are serialized at the line rate in FIFO order, then arrive after
 *  their propagation delay (half the round trip to their peer). */
export class Link {
  private readonly queue = new IntFifo(64);
  private busy = false;
  bytes = 0;

  constructor(
    readonly index: number,
    private readonly sim: Simulation,
    private readonly bitsPerSecond: number,
    private readonly delayOf: (p: number) => number,
    private readonly bytesOf: (p: number) => number,
  ) {}

  send(p: number): void {
    if (this.bitsPerSecond === 0) {
      this.sim.after(this.delayOf(p), Ev.Arrive, this.index, p);
      return;
    }
    if (this.busy) this.queue.push(p);
    else this.start(p);
  }

  private start(p: number): void {
    this.busy = true;
    this.sim.after((this.bytesOf(p) * 8e9) / this.bitsPerSecond, Ev.LinkDone, this.index, p);
  }

  onDone(p: number): void {
    this.bytes += this.bytesOf(p);
    this.sim.after(this.delayOf(p), Ev.Arrive, this.index, p);
    this.busy = false;
    if (this.queue.size > 0) this.start(this.queue.shift());
  }
}
