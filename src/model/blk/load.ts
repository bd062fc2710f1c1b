import { Histogram } from '../../stats/histogram.js';

/** What fio measures in one VM: its I/Os' latencies and counts, and, for Little's law, how many are in
 *  flight over time (fio's view: from io_submit to io_getevents). */
export class BlkLoad {
  readonly latency = new Histogram();
  ios = 0;
  reads = 0;
  bytes = 0;
  /** Interrupts the VM's disks sent (irqfd writes). */
  irqs = 0;
  issuedTotal = 0;
  reapedTotal = 0;
  outstanding = 0;
  maxOutstanding = 0;
  outstandingArea = 0;
  private lastChange = 0;

  track(delta: number, now: number): void {
    this.outstandingArea += this.outstanding * (now - this.lastChange);
    this.lastChange = now;
    this.outstanding += delta;
    if (this.outstanding > this.maxOutstanding) this.maxOutstanding = this.outstanding;
  }

  /** The measurement window starts. */
  reset(now: number): void {
    this.latency.reset();
    this.ios = this.reads = this.bytes = this.irqs = 0;
    this.track(0, now);
    this.outstandingArea = 0;
  }
}
