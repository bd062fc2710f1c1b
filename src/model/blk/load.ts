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

  /**
   * One per job of the VM, its clones sharing it, or, for a job whose clones fio reports apart
   * (`clones[j]`, group_reporting off), one per clone, pooled into the job's at the window's end.
   */
  constructor(readonly jobs: readonly FioJobStats[], readonly clones: readonly (readonly FioJobStats[] | null)[], phased: boolean) {
    this.all = phased ? new Histogram() : null;
    this.allSync = phased ? new Histogram() : null;
  }

  /** With fio's phases, each job's statistics cover its own window, not the VM's: the lat of every I/O
   *  (and fsync) the VM reaped in the run's window, for its own figures and Little's law. */
  readonly all: Histogram | null;
  readonly allSync: Histogram | null;

  /** The measurement window starts. */
  reset(now: number): void {
    for (const j of this.jobs) j.reset(now);
    for (const c of this.clones) for (const j of c ?? []) j.reset(now);
    this.all?.reset();
    this.allSync?.reset();
    this.ios = this.reads = this.syncs = this.bytes = this.irqs = 0;
    this.inFlight.reset(now);
  }

  /** The window ends at `now`: every job's last sampling intervals, and the clones reported apart
   *  pooled into their job. */
  finish(now: number): void {
    this.jobs.forEach((j, i) => {
      const clones = this.clones[i];
      if (clones === null) return j.finish(now);
      for (const c of clones) {
        c.finish(now);
        j.add(c);
      }
    });
  }

  /** fio's lat of every I/O of the VM, both directions of every job. */
  latency(): Histogram {
    if (this.all) return this.all;
    const h = new Histogram();
    for (const j of this.jobs) for (const d of j.dirs) h.add(d.lat);
    return h;
  }

  /** fio's sync latency of every job of the VM. */
  syncLatency(): Histogram {
    if (this.allSync) return this.allSync;
    const h = new Histogram();
    for (const j of this.jobs) h.add(j.sync);
    return h;
  }
}
