import { Histogram } from '../../engine/histogram.js';
import { InFlight } from '../../engine/in-flight.js';

/** What netperf / iperf3 measure in one VM, and, for Little's law, its messages in flight over time. */
export class NetLoad {
  readonly latency = new Histogram();
  bytes = 0;
  transactions = 0;
  irqs = 0;
  /** Messages from their writing to their reading. */
  readonly inFlight = new InFlight();

  reset(now: number): void {
    this.latency.reset();
    this.bytes = this.transactions = this.irqs = 0;
    this.inFlight.reset(now);
  }
}
