import { Histogram } from '../../stats/histogram.js';
import { InFlight } from '../../stats/in-flight.js';

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
  readonly inFlight = new InFlight();

  /** The measurement window starts. */
  reset(now: number): void {
    this.latency.reset();
    this.ios = this.reads = this.bytes = this.irqs = 0;
    this.inFlight.reset(now);
  }
}
