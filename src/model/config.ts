import type { DistSpec } from '../engine/distribution.js';
import type { PollParams } from './adaptive-polling.js';
import type { Costs, JitterParams } from './costs.js';
import type { HaltPollParams } from './halt-polling.js';
import type { HostParams } from './host-cpu.js';
import type { Behaviour } from './versions.js';

/** What the model is built from: a resolved scenario point, every default filled in. Times in ns. */
export interface ModelConfig {
  kind: 'blk';
  seed: number;
  variant: string;
  /** Names the point in the random streams (variant and sweep values), so each point draws its own. */
  pointKey: string;
  replication: number;
  durationNs: number;
  warmupNs: number;
  vcpus: number;
  costs: Readonly<Costs>;
  /** Spread of CPU costs and wake-ups; zero for exact constants. */
  jitter: JitterParams;
  /** The releases whose mechanisms apply. */
  behaviour: Behaviour;
  iothread: PollParams & { aioMaxBatch: number; fdmon: 'io_uring' | 'poll' };
  /** How a halted vCPU polls before it sleeps (KVM halt polling, guest haltpoll, or not at all). */
  haltPoll: HaltPollParams;
  /** Host cores and scheduling; null = every thread on a core of its own, no C-states. */
  host: HostConfig | null;
  disks: DiskConfig[];
  jobs: JobConfig[];
}

export interface HostConfig extends HostParams {
  /** Thread roles that run on the NUMA node away from the VM's memory and device. */
  numaRemote: string[];
  /** Factor on those threads' CPU costs. */
  numaRemoteFactor: number;
}

export type Ring = 'split' | 'packed';
export type AioKind = 'native' | 'io_uring' | 'threads';
export const MAIN_LOOP = 'main-loop';

export interface DiskConfig {
  name: string;
  device: DeviceConfig;
  numQueues: number;
  queueSize: number;
  ring: Ring;
  eventIdx: boolean;
  aio: AioKind;
  /** QEMU virtio-blk request-merging (default on). */
  requestMerging: boolean;
  /** Per virtqueue: the AioContext that runs its handler (an iothread id, or MAIN_LOOP). */
  vqContexts: string[];
}

export interface DeviceConfig {
  name: string;
  queueDepth: number;
  parallelism: number;
  read: DistSpec;
  write: DistSpec;
  iopsCap: number;
  /** Bytes per second; 0 = none. */
  bwCap: number;
  /** Largest host I/O, bytes (the host queue's max_sectors_kb, QEMU's blk_get_max_transfer). */
  maxTransfer: number;
}

export type ReadWrite = 'read' | 'write' | 'randread' | 'randwrite' | 'rw' | 'randrw';

export interface JobConfig {
  name: string;
  disk: number;
  rw: ReadWrite;
  rwmixread: number;
  bs: number;
  iodepth: number;
  numjobs: number;
  /** Per job clone, as fio's rate_iops; 0 = closed loop. */
  rateIops: number;
  rateProcess: 'linear' | 'poisson';
  /** fio's thinktime: a closed-loop job waits this long after reaping before it issues again. */
  thinktimeNs: number;
  /** fio iodepth_batch_submit: I/Os per io_submit call. */
  batchSubmit: number;
  /** fio iodepth_batch_complete_min / _max: io_getevents waits for at least min, takes at most max. */
  batchCompleteMin: number;
  batchCompleteMax: number;
}
