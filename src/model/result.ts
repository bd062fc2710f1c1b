import type { RunResult } from './blk/result.js';
import type { ThreadUse } from './host/cpu-account.js';
import type { NetResult } from './net/result.js';

export type { RunResult } from './blk/result.js';

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
