import type { Histogram } from '../../engine/histogram.js';
import type { ResultFrame } from '../host/device-side.js';
import type { LoadResult } from '../host/load-result.js';
import type { AioContext } from '../qemu/aio-context.js';
import type { FioJobStats } from './fio-stats.js';
import type { Job } from './guest.js';
import type { BlkLoad } from './load.js';

/** One fio job clone (a thread of numjobs) over the window: what fio reports for it without
 *  group_reporting, and its time-averaged I/Os in flight. Times in ns. */
export interface CloneResult {
  job: string;
  clone: number;
  /** Its vCPU's name in the VM. */
  vcpu: string;
  iodepth: number;
  /** I/Os and fsyncs reaped, and the sum of their latencies (fio's lat) and of their squares. */
  completions: number;
  latSumNs: number;
  latSqSumNs: number;
  /** Time-average of its I/Os in flight (issued, not yet reaped) over its window. */
  meanInFlight: number;
  /** Its own window: from its ramp's end to its runtime's (the run's window unless it has phases). */
  windowNs: number;
}

/** What one VM's fio measured over the window (after warmup), with the host figures it ran under.
 *  Times in ns. */
export interface RunResult extends LoadResult {
  replication: number;
  /** I/Os reaped by fio in the window, and how many were reads. */
  ios: number;
  reads: number;
  bytes: number;
  /** fio's fsyncs (not among the ios) and their latency. */
  syncs: number;
  syncLatency: Histogram;
  /** fio's report of each job of the VM (its clones pooled), in the order of the VM's jobs. */
  jobs: readonly FioJobStats[];
  /** Per job, each clone's own report where fio reports them apart (group_reporting off), else null. */
  jobClones: readonly (readonly FioJobStats[] | null)[];
  /** Each clone of each job, in the order of the VM's jobs. */
  clones: CloneResult[];
  /** Per disk: mean fraction of the device's channels busy. */
  deviceUtil: number[];
  /** Per host core (when the VM shares a set of cores): the share of the window it ran a thread. */
  coreUtil: number[];
  /** Time threads spent waiting for a core, and how many times they took one. */
  runqWaitNs: number;
  coreAcquisitions: number;
}

/** A VM's fio result: its load, its job clones (vCPUs named from `firstVcpu`), the AioContexts that
 *  served it, its disks' device utilizations. */
export function fioResult(load: BlkLoad, jobs: readonly Job[], ctxs: readonly AioContext[], deviceUtil: number[], firstVcpu: number, f: ResultFrame): RunResult {
  const T = f.windowNs;
  return {
    variant: f.variant, replication: f.replication, windowNs: T,
    ios: load.ios, reads: load.reads, bytes: load.bytes, latency: load.latency(), syncs: load.syncs, syncLatency: load.syncLatency(), jobs: load.jobs, jobClones: load.clones, threads: f.threads,
    clones: jobs.map((j) => {
      const whole = j.measureNs <= f.endNs - T && j.stopNs >= f.endNs;
      const window = whole ? T : Math.min(j.stopNs, f.endNs) - Math.max(j.measureNs, f.endNs - T);
      return {
        job: j.name, clone: j.clone, vcpu: `vcpu${j.vcpu - firstVcpu}`, iodepth: j.iodepth,
        completions: j.completions, latSumNs: j.latSumNs, latSqSumNs: j.latSqSumNs, meanInFlight: j.inFlight.area / window, windowNs: window,
      };
    }),
    kicks: f.kicks, irqs: load.irqs,
    pollWindows: ctxs.reduce((s, x) => s + x.pollWindows, 0),
    pollHits: ctxs.reduce((s, x) => s + x.pollHits, 0),
    deviceUtil,
    meanOutstanding: load.inFlight.area / T,
    ...f.host,
  };
}
