import type { Histogram } from '../stats/histogram.js';

/** What one run measured over its window (after warmup). Times in ns. */
export interface RunResult {
  variant: string;
  replication: number;
  windowNs: number;
  /** I/Os reaped by fio in the window, and how many were reads. */
  ios: number;
  reads: number;
  bytes: number;
  latency: Histogram;
  threads: ThreadUse[];
  kicks: number;
  irqs: number;
  pollWindows: number;
  pollHits: number;
  /** Per disk: mean fraction of the device's channels busy. */
  deviceUtil: number[];
  /** Time-average of I/Os in flight, fio's view (Little's L). */
  meanOutstanding: number;
  /** Per host core (when the VM shares a set of cores): the share of the window it ran a thread. */
  coreUtil: number[];
  /** Time threads spent waiting for a core, and how many times they took one. */
  runqWaitNs: number;
  coreAcquisitions: number;
  /** Engine events processed over the whole run, warmup included. */
  events: number;
}

export interface ThreadUse {
  name: string;
  role: string;
  busyNs: number;
  pollNs: number;
}
