import type { Costs } from '../costs.js';
import type { AioKind } from '../qemu/aio/engine.js';
import type { DiskBus } from '../qemu/disk-emulation.js';
import type { DeviceConfig } from '../storage/device.js';
import type { CacheMode, PageCacheParams } from '../storage/cache-modes.js';
import type { Behaviour } from '../versions.js';

/** Who serves a disk's virtqueues: QEMU, a kernel vhost worker (vhost-scsi), a vhost-user target. */
export type DiskBackendKind = 'qemu' | 'vhost' | 'vhost-user';

/** The guest's I/O scheduler on a disk's request queue (/sys/block/<dev>/queue/scheduler). */
export type GuestScheduler = 'none' | 'mq-deadline' | 'bfq';

/** What the virtio-blk side of a host is built from (the model's config, narrowed). */
export interface BlkSetup {
  seed: number;
  /** The run's window: its statistics start after warmupNs and end durationNs later. */
  warmupNs: number;
  durationNs: number;
  pointKey: string;
  replication: number;
  costs: Readonly<Costs>;
  behaviour: Behaviour;
  devices: readonly (DeviceConfig & { stream: string })[];
  vms: readonly BlkVmSetup[];
  /** The vhost-user target's reactors, when a disk has backend vhost-user. */
  vhostUser: { reactors: number; cpuset: number[] | null } | null;
  pageCache: PageCacheParams;
}

export interface BlkVmSetup {
  streams: string;
  vcpus: number;
  iothread: { pollMaxNs: number; pollGrow: number; pollShrink: number; aioMaxBatch: number; fdmon: 'io_uring' | 'poll' };
  disks: readonly {
    name: string; deviceIndex: number; numQueues: number; queueSize: number; ring: 'split' | 'packed';
    eventIdx: boolean; aio: AioKind; scheduler: GuestScheduler; requestMerging: boolean; vqContexts: readonly string[];
    bus: DiskBus; controller: string | null; backend: DiskBackendKind; workerPerVirtqueue: boolean; cache: CacheMode;
    lunQueueDepth: number;
  }[];
  jobs: readonly {
    name: string; disk: number; rw: string; rwmixread: number; bs: number; bssplit: readonly { bytes: number; share: number }[];
    iodepth: number; numjobs: number;
    rateIops: number; rateProcess: 'linear' | 'poisson'; thinktimeNs: number;
    batchSubmit: number; batchCompleteMin: number; batchCompleteMax: number; sizeBytes: number; fsync: number;
    /** 'clone': fio reports each clone apart, so each keeps its own statistics. */
    reportAs: 'job' | 'clone' | 'group';
    /** When it starts issuing, its statistics start, and it stops (fio's phases), ns; null: the whole run. */
    phase: { startNs: number; measureNs: number; stopNs: number } | null;
  }[];
}
