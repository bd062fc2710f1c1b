import type { EventReceiver } from '../world.js';
import type { CpuAccount, ThreadUse } from './cpu-account.js';
import type { HostThread } from './host-cpu.js';
import type { GuestDriver } from './vcpu.js';

/** What a side's result of one VM is built with: the window, the VM's threads and kicks to this side's
 *  devices, and the host figures the VM ran under. */
export interface ResultFrame {
  variant: string;
  replication: number;
  windowNs: number;
  /** The end of the window. */
  endNs: number;
  threads: ThreadUse[];
  /** Guest notifications of the VM's vCPUs to this side's devices. */
  kicks: number;
  host: { coreUtil: number[]; runqWaitNs: number; coreAcquisitions: number; events: number };
}

/**
 * A device type's side of a host (virtio-blk and the storage types beside it; virtio-net), as the host
 * builds and runs it: its guest driver on the vCPUs, its threads to place and account, its events, its
 * load's start and statistics, its invariants.
 */
export interface DeviceSide extends EventReceiver {
  readonly guest: GuestDriver;
  /** Threads it may run at most (those it spawns later included), for sizing the host's tables. */
  readonly maxThreads: number;
  /** Threads of the host's own (not a VM's: a vhost-user target's reactors), placed before the VMs',
   *  with the random streams' prefix and the cpusets they take. */
  hostThreads(): { threads: HostThread[]; streams: string; cpusets: Record<string, number[]> };
  /** VM v's threads as built, in the order they take cores. */
  threadsOf(v: number): HostThread[];
  /** VM v's threads at the end of the run, those spawned on the way included. */
  accountsOf(v: number): CpuAccount[];
  start(): void;
  resetStats(now: number): void;
  /** The window ends at `end`: time-averages are closed. */
  close(end: number): void;
  /** The side's laws broken over a window of `windowNs`. */
  violations(windowNs: number): string[];
}
