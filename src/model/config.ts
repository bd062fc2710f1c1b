import type { PollParams } from './qemu/adaptive-polling.js';
import type { AioKind } from './qemu/aio/engine.js';
import type { DiskBus } from './qemu/disk-emulation.js';
import type { DiskBackendKind, GuestScheduler } from './blk/setup.js';
import type { Costs, JitterParams } from './costs.js';
import type { HaltPollParams } from './host/halt-polling.js';
import type { HostParams } from './host/host-cpu.js';
import type { Behaviour } from './versions.js';
import type { NetConfig } from './net/config.js';
import type { DeviceConfig } from './storage/device.js';
import type { CacheMode, PageCacheParams } from './storage/cache-modes.js';

/** What every VM of a run shares: the point, its timing, the costs and the releases. Times in ns. */
export interface RunConfig {
  seed: number;
  variant: string;
  /** Names the point in the random streams (variant and sweep values), so each point draws its own. */
  pointKey: string;
  replication: number;
  durationNs: number;
  warmupNs: number;
  costs: Readonly<Costs>;
  /** Spread of CPU costs and wake-ups; zero for exact constants. */
  jitter: JitterParams;
  /** The releases whose mechanisms apply. */
  behaviour: Behaviour;
}

/** What the model is built from: a resolved scenario point, every default filled in. */
export interface ModelConfig extends RunConfig {
  /** 'vm': the single-VM form of a scenario (its outputs as they always were); 'host': a host with a
   *  list of VMs. */
  form: 'vm' | 'host';
  /** Host cores and scheduling; null = every thread on a core of its own, no C-states. */
  cpu: HostParams | null;
  /** The host's storage devices; disks of several VMs may share one. */
  devices: HostDeviceConfig[];
  /** The host's physical NIC, when every VM's virtio-net traffic goes out through it (null: each VM's
   *  NIC has a wire of its own to its peer). */
  uplink: { lineRateBps: number } | null;
  /** The host's page cache, for disks whose cache mode is not none. */
  pageCache: PageCacheParams;
  /** The host's vhost-user target (SPDK): its reactors, and the cores they run on (null: any). */
  vhostUser: { reactors: number; cpuset: number[] | null } | null;
  vms: VmConfig[];
}

export interface HostDeviceConfig extends DeviceConfig {
  /** Its random stream's name. */
  stream: string;
}

/** One VM: its vCPUs, QEMU's iothreads, its disks and fio jobs, its NIC and network load. */
export interface VmConfig {
  /** Its name in outputs ('' in the single-VM form), and the `vms` entry it was stamped from. */
  name: string;
  group: string;
  /** Prefix of its random streams' names ('' in the single-VM form, so those streams stay as they were). */
  streams: string;
  vcpus: number;
  /** How a halted vCPU polls before it sleeps (KVM halt polling, guest haltpoll, or not at all). */
  haltPoll: HaltPollParams;
  /** Per thread role: the host cores it may run on (absent: every core). */
  cpusets: Record<string, number[]>;
  /** Per thread name (vcpu0, pool1, main-loop, ...): the host cores it is pinned to, over its role's. */
  pins: Record<string, number[]>;
  /** Thread roles that run on the NUMA node away from the VM's memory and device, and the factor on
   *  their CPU costs. */
  numaRemote: string[];
  numaRemoteFactor: number;
  iothread: PollParams & { aioMaxBatch: number; fdmon: 'io_uring' | 'poll' };
  disks: DiskConfig[];
  jobs: JobConfig[];
  /** Its virtio-net NIC and the load on it, if it has one. */
  net: NetConfig | null;
}

export type Ring = 'split' | 'packed';


export interface DiskConfig {
  name: string;
  device: DeviceConfig;
  /** The host device (index) that backs it. */
  deviceIndex: number;
  numQueues: number;
  queueSize: number;
  ring: Ring;
  eventIdx: boolean;
  aio: AioKind;
  /** The guest's I/O scheduler for the disk's request queue. */
  scheduler: GuestScheduler;
  /** QEMU virtio-blk request-merging (default on). */
  requestMerging: boolean;
  /** virtio: a virtio-blk device; scsi: a LUN on a virtio-scsi controller. */
  bus: DiskBus;
  /** A virtio-scsi controller's name: its LUNs share its virtqueues; null, a controller of its own. */
  controller: string | null;
  /** Per virtqueue: the AioContext that runs its handler (an iothread id, or MAIN_LOOP); none when the
   *  disk is served outside QEMU. */
  vqContexts: string[];
  /** QEMU, a vhost-scsi kernel worker (bus scsi) or a vhost-user target (bus virtio). */
  backend: DiskBackendKind;
  /** vhost-scsi: a vhost worker per virtqueue rather than one for the device. */
  workerPerVirtqueue: boolean;
  /** QEMU -drive cache= (none: O_DIRECT, today's path). */
  cache: CacheMode;
  /** A SCSI LUN's queue depth in the guest (virtio_scsi: the controller's cmd_per_lun, at most its
   *  queue-size): commands the guest's SCSI midlayer lets reach the driver at once; 0 for virtio-blk. */
  lunQueueDepth: number;
}

export type ReadWrite = 'read' | 'write' | 'randread' | 'randwrite' | 'rw' | 'randrw';

export interface JobConfig {
  name: string;
  disk: number;
  rw: ReadWrite;
  rwmixread: number;
  bs: number;
  /** fio bssplit: block sizes (bytes) with their shares (summing to 1); empty: every I/O is bs. */
  bssplit: { bytes: number; share: number }[];
  iodepth: number;
  numjobs: number;
  /** Per job clone, as fio's rate_iops; 0 = closed loop. */
  rateIops: number;
  rateProcess: 'linear' | 'poisson';
  /** fio's thinktime: a closed-loop job waits this long after reaping before it issues again. */
  thinktimeNs: number;
  /** fio size: the bytes the job reads and writes over (its working set); 0 = the whole disk, larger
   *  than any page cache. */
  sizeBytes: number;
  /** fio fsync: an fsync after every this many writes (0: never). */
  fsync: number;
  /** fio iodepth_batch_submit: I/Os per io_submit call. */
  batchSubmit: number;
  /** fio iodepth_batch_complete_min / _max: io_getevents waits for at least min, takes at most max. */
  batchCompleteMin: number;
  batchCompleteMax: number;
  /** fio new_group (or stonewall): the job starts a new reporting group. */
  newGroup: boolean;
  /** When it starts issuing, its statistics start (its ramp's end) and it stops issuing, ns, in a run
   *  whose jobs have fio's phases; null: the job runs the whole run, whatever its window. */
  phase: { startNs: number; measureNs: number; stopNs: number } | null;
  /** The options its fio job file gave it, as written (fio JSON's "global options" and "job options"). */
  fioOptions: { global: Record<string, string>; job: Record<string, string> } | null;
  /** How fio reports it: its clones pooled (vqsim's default), each clone apart (fio without
   *  group_reporting), or its whole group pooled (group_reporting). */
  reportAs: 'job' | 'clone' | 'group';
}
