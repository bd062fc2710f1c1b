import { Histogram } from '../../engine/histogram.js';
import { InFlight } from '../../engine/in-flight.js';
import type { FioJobStats } from './fio-stats.js';

/** What fio measures in one VM: per job its latencies and counts (fio's own report), the VM's totals,
 *  and, for Little's law, how many I/Os are in flight over time (fio's view: from io_submit to
 *  io_getevents). */
export class BlkLoad {
  ios = 0;
  reads = 0;
  /** fsyncs reaped (not among the ios). */
  syncs = 0;
  bytes = 0;
  /** Interrupts the VM's disks sent (irqfd writes). */
  irqs = 0;
  issuedTotal = 0;
  reapedTotal = 0;
  readonly inFlight = new InFlight();

  /** One per job of the VM (its clones share it). */
  constructor(readonly jobs: readonly FioJobStats[]) {}

  /** The measurement window starts. */
  reset(now: number): void {
    for (const j of this.jobs) j.reset(now);
    this.ios = this.reads = this.syncs = this.bytes = this.irqs = 0;
    this.inFlight.reset(now);
  }

  /** fio's lat of every I/O of the VM, both directions of every job. */
  latency(): Histogram {
    const h = new Histogram();
    for (const j of this.jobs) for (const d of j.dirs) h.add(d.lat);
    return h;
  }

  /** fio's sync latency of every job of the VM. */
  syncLatency(): Histogram {
    const h = new Histogram();
    for (const j of this.jobs) h.add(j.sync);
    return h;
  }
}
