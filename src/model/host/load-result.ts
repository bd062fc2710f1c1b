import type { Histogram } from '../../engine/histogram.js';
import type { ThreadUse } from './cpu-account.js';

/** What every device type's load measured over the window, whatever the device: the base of its
 *  result. Times in ns. */
export interface LoadResult {
  variant: string;
  windowNs: number;
  /** The load's latency: fio's lat per I/O, or a transaction's (rr). */
  latency: Histogram;
  /** The VM's threads. */
  threads: ThreadUse[];
  /** Guest notifications to the device, and the device's interrupts to the guest. */
  kicks: number;
  irqs: number;
  /** Polling windows of the device's servers, and those that found work. */
  pollWindows: number;
  pollHits: number;
  /** Time-average of the load's operations in flight (Little's L). */
  meanOutstanding: number;
  /** Engine events processed over the whole run, warmup included. */
  events: number;
}
