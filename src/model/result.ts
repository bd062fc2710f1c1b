import type { Histogram } from '../engine/histogram.js';
import type { FioJobStats } from './blk/fio-stats.js';
import type { ThreadUse } from './host/cpu-account.js';
import type { LoadResult } from './host/load-result.js';
import type { NetResult } from './net/result.js';

/** One fio job clone (a thread of numjobs) over the window: what fio reports for it without
 *  group_reporting, and its time-averaged I/Os in flight. Times in ns. */
export interface CloneResult {
  job: string;
  clone: number;
  /** Its vCPU's name in the VM. */
  vcpu: string;
  iodepth: number;
  /** I/Os and fsyncs reaped, and the sum of their latencies (fio's lat). */
  completions: number;
  latSumNs: number;
  /** Time-average of its I/Os in flight (issued, not yet reaped). */
  meanInFlight: number;
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

/** What one VM measured: its disks' load and its NIC's, each if it has them, and its threads. */
export interface VmResult {
  name: string;
  /** The `vms` entry it was stamped from. */
  group: string;
  blk: RunResult | null;
  net: NetResult | null;
  threads: ThreadUse[];
}

/** What one run of a host measured over its window. */
export interface HostResult {
  variant: string;
  replication: number;
  windowNs: number;
  vms: VmResult[];
  /** Every thread of every VM. */
  threads: ThreadUse[];
  /** Per host core (when the VMs share a set of cores): the share of the window it ran a thread. */
  coreUtil: number[];
  runqWaitNs: number;
  coreAcquisitions: number;
  /** Per host storage device: mean fraction of its channels busy. */
  devices: { name: string; util: number }[];
  events: number;
}
