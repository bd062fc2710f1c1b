import { z } from 'zod';
import { COST_NAMES, COST_TABLE, DEFAULT_COSTS, type CostName } from '../model/costs.js';
import { SCHED_DEFAULTS } from '../model/host/host-cpu.js';
import { CSTATE_TABLES, DEFAULT_CSTATES, type CStateTable } from '../model/host/cstates.js';
import { THREAD_ROLES } from '../model/host/roles.js';
import { aioEngineNames, isAioEngine } from '../model/qemu/aio/registry.js';
import { LIMITS } from './limits.js';
import { blockSizeProblem, DURATION_EXPECTED, parseDuration, parseSize, SIZE_EXPECTED } from './units.js';

/**
 * The one schema of a scenario file. Keys follow the spelling of the system they come from: fio's for
 * jobs (rw, bs, iodepth, numjobs, rwmixread, rate_iops), QEMU's for QEMU properties (poll-max-ns,
 * num-queues, queue-size, iothread-vq-mapping, aio), vqsim's own in snake_case. Unknown keys are errors.
 */

/** A number, or a string with units read by `parse`; `expected` says what was wanted. */
function withUnits(parse: (v: unknown) => number | undefined, expected: string) {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = parse(v);
    if (n === undefined) {
      ctx.issues.push({ code: 'custom', input: v, message: `expected ${expected}` });
      return z.NEVER;
    }
    return n;
  });
}

const duration = withUnits(parseDuration, DURATION_EXPECTED);
/** A cost or latency of the model: under a second (a step of the I/O path taking a day is a typo). */
const cost = duration.refine((ns) => ns <= 1e9, { message: 'at most 1s: no step of this path takes longer' });
const size = withUnits(parseSize, SIZE_EXPECTED);

const count = z.number().int().min(1);
/** A count with the limit of the real system, named with its source in the error. */
const upTo = (max: number, source: string) => count.max(max, { message: `at most ${max} (${source})` });
const VCPUS = upTo(LIMITS.vcpus, 'KVM_MAX_VCPUS on x86, arch/x86/include/asm/kvm_host.h, since Linux 5.15');
const QUEUES = upTo(LIMITS.numQueues, 'QEMU VIRTIO_QUEUE_MAX, include/hw/virtio/virtio.h');
const IODEPTH = upTo(LIMITS.iodepth, 'Linux fs.aio-max-nr default: fio\'s io_setup fails beyond it');
const queueSize = upTo(LIMITS.queueSize, 'QEMU VIRTQUEUE_MAX_SIZE, include/hw/virtio/virtio.h')
  .refine((n) => (n & (n - 1)) === 0, { message: 'must be a power of 2 (QEMU: "queue-size property must be a power of 2")' });
/** A release such as "9.2" or "6.8.0". */
const version = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const text = String(v);
  if (!/^\d+(\.\d+){0,2}$/.test(text)) {
    ctx.issues.push({ code: 'custom', input: v, message: 'expected a release such as "9.2" or "6.8"' });
    return z.NEVER;
  }
  return text;
});
const nonNegInt = z.number().int().min(0);

const FAMILY = 'The distribution\'s family.';
const distribution = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant').describe(FAMILY), value: duration.describe('Every draw.') }),
  z.strictObject({ dist: z.literal('exponential').describe(FAMILY), mean: duration.describe('The mean.') }),
  z.strictObject({ dist: z.literal('uniform').describe(FAMILY), min: duration.describe('The least draw.'), max: duration.describe('The greatest draw.') }),
  z.strictObject({ dist: z.literal('lognormal').describe(FAMILY), mean: duration.describe('The mean.'), p99: duration.describe('The 99th percentile.') }),
  z.strictObject({
    dist: z.literal('empirical').describe(FAMILY),
    quantiles: z.array(z.tuple([z.number().min(0).max(1), duration])).min(2).describe('[quantile, value] pairs, interpolated between.'),
  }),
]);

/** A device: every field optional over its preset (`preset`, default nvme-tlc). */
const deviceFields = {
  preset: z.string().optional().describe('A preset (nvme-tlc, nvme-gen3, nvme-gen4, optane, null_blk) that the other fields override.'),
  queue_depth: upTo(65536, 'NVMe: a queue holds at most 65536 entries, CAP.MQES being 16 bits').optional().describe('Hardware queue depth: requests the device accepts at once; more wait in the host (blk-mq tags).'),
  parallelism: upTo(4096, 'units of one drive: the largest SSDs have about a thousand flash dies').optional().describe('Units (flash dies, or null_blk\'s servers) that each serve one request at a time.'),
  dispatch: z.enum(['die', 'any']).optional().describe('die: each request waits for the unit that holds its data (a random one); any: the first free one.'),
  read: distribution.optional().describe('Service time of a 4 KiB read.'),
  write: distribution.optional().describe('Service time of a 4 KiB write.'),
  iops_cap: z.number().min(0).optional().describe('0 = no cap.'),
  bw_cap_mib_s: z.number().min(0).optional().describe('MiB/s, 0 = no cap.'),
  write_iops_cap: z.number().min(0).optional().describe('Writes alone, besides iops_cap: what the media sustains (a NAND drive\'s datasheet random-write IOPS, measured preconditioned: give it to model a drive full of data). 0 = no cap.'),
  write_bw_cap_mib_s: z.number().min(0).optional().describe('Writes alone, besides bw_cap_mib_s: the rate the drive\'s write cache drains to flash (its datasheet sequential write). MiB/s, 0 = no cap.'),
  max_transfer: size.optional().describe('Largest host I/O (max_sectors_kb): merged requests stop there.'),
  driver: z.enum(['nvme', 'null_blk']).optional().describe('The host\'s driver of it: nvme (a drive: its command and completion interrupt cost the submitting CPU, a kernel vhost-scsi worker\'s; QEMU\'s fitted costs already hold them) or null_blk (neither).'),
};
export const deviceSchema = z.strictObject(deviceFields);

/** An aio engine's name, checked against the registry when the scenario is read (an engine registered
 *  after this module loaded is accepted too); the JSON Schema lists the names then registered. */
const aioName = z.string().superRefine((v, ctx) => {
  if (!isAioEngine(v)) ctx.addIssue({ code: 'custom', message: `expected one of ${aioEngineNames().map((n) => JSON.stringify(n)).join(', ')}` });
});

const diskFields = {
  device: z.union([z.string(), deviceSchema]).optional().describe('A preset or a name under `devices:`, or an inline device.'),
  'num-queues': QUEUES.optional().describe('QEMU virtio-blk-pci num-queues: the disk\'s virtqueues (default one per vCPU since QEMU 5.2, 1 before).'),
  'queue-size': queueSize.optional().describe('QEMU queue-size: descriptors per virtqueue (a power of 2; default 256 since QEMU 5.0, 128 before; vhost-scsi and vhost-user-blk 128).'),
  ring: z.enum(['split', 'packed']).optional().describe('Virtqueue layout: split, or packed (virtio 1.1, packed=on).'),
  event_idx: z.boolean().optional().describe('VIRTIO_RING_F_EVENT_IDX: notification suppression by ring index (on unless off).'),
  aio: aioName.optional().describe('QEMU aio=: the host aio engine: native (Linux AIO), io_uring, threads (QEMU\'s thread pool), or another registered in src/model/qemu/aio/registry.ts.'),
  bus: z.enum(['virtio', 'scsi']).optional().describe('The disk\'s bus, as libvirt\'s <target bus>: virtio (virtio-blk, the default) or scsi (a LUN on a virtio-scsi controller).'),
  controller: z.string().min(1).optional().describe('With bus: scsi, the virtio-scsi controller the LUN sits on: LUNs naming the same one share its virtqueues (their queue and iothread settings must agree). Default: a controller of its own.'),
  backend: z.enum(['qemu', 'vhost', 'vhost-user']).optional().describe('Who serves the disk\'s virtqueues: qemu (virtio-blk-pci or virtio-scsi-pci, the default), vhost (vhost-scsi-pci: the Linux kernel\'s vhost-scsi with LIO, bus scsi) or vhost-user (vhost-user-blk-pci: a polling user-space target such as SPDK, host.vhost_user, bus virtio).'),
  cache: z.enum(['none', 'directsync', 'writethrough', 'writeback', 'unsafe']).optional().describe('QEMU -drive cache= (libvirt <driver cache>): none (O_DIRECT, the default), directsync (O_DIRECT, each write flushed), writethrough (host page cache, each write flushed), writeback (host page cache), unsafe (writeback, guest flushes ignored). The page cache modes need aio io_uring or threads (the default with them).'),
  cmd_per_lun: upTo(4294967295, 'QEMU\'s cmd_per_lun is a uint32 property').optional().describe('QEMU virtio-scsi-pci / vhost-scsi-pci cmd_per_lun (bus scsi): the guest lets at most this many commands per LUN reach the driver (capped by queue-size; default 128). A LUN\'s I/Os beyond it wait in the guest, and each completion then runs the queues they wait in through kblockd.'),
  worker_per_virtqueue: z.boolean().optional().describe('vhost-scsi-pci worker_per_virtqueue: a vhost worker thread per virtqueue instead of one per device (QEMU 9.0, Linux 6.4).'),
  scheduler: z.enum(['none', 'mq-deadline', 'bfq']).optional().describe('The guest\'s I/O scheduler for the disk (/sys/block/vda/queue/scheduler). Default as the guest kernel picks: mq-deadline when it sees one hardware queue (min of num-queues and vCPUs; Linux 4.11 on), else none. Fedora, RHEL and CentOS guests set bfq on sd* disks (virtio-scsi and vhost-scsi LUNs) by udev (60-block-scheduler.rules): say bfq for those (Linux 4.12 on).'),
  'request-merging': z.boolean().optional().describe('QEMU virtio-blk request-merging: adjacent requests popped together become one host I/O.'),
  handler: z.enum(['main-loop', 'dedicated', 'shared', 'pool']).optional().describe('Who runs the disk\'s virtqueues: QEMU\'s main loop, an iothread of its own, a shared named one, or a pool (iothread-vq-mapping round-robin).'),
  iothreads: upTo(LIMITS.numQueues, 'an iothread per virtqueue at most (VIRTIO_QUEUE_MAX): more would serve none').optional().describe('Pool size, with handler: pool.'),
  iothread: z.string().min(1).optional().describe('The shared iothread\'s id, with handler: shared.'),
  'iothread-vq-mapping': z.array(z.strictObject({
    iothread: z.string().min(1).describe('The iothread\'s name.'),
    vqs: z.array(nonNegInt).optional().describe('Its virtqueues, 0-based; all entries list them or none does (round-robin).'),
  })).min(1).optional().describe('QEMU iothread-vq-mapping (with handler: pool): the iothreads and the virtqueues each serves.'),
};
const diskDefaults = z.strictObject(diskFields);
const diskEntry = z.strictObject({ name: z.string().min(1).describe('The disk\'s name (jobs name it in disk:).'), ...diskFields });

const jobFields = {
  disk: z.string().optional().describe('The disk\'s name; default the first disk.'),
  rw: z.enum(['read', 'write', 'randread', 'randwrite', 'rw', 'randrw']).optional().describe('fio rw: the I/O pattern.'),
  rwmixread: z.number().min(0).max(100).optional().describe('fio rwmixread: percent of reads in rw / randrw.'),
  bs: size.superRefine((b, ctx) => {
    const problem = blockSizeProblem(b);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
    .optional().describe('fio bs: the block size, a multiple of 512 bytes.'),
  bssplit: z.string().optional().describe('fio bssplit: block sizes with their shares of the I/Os, e.g. "4k/70:64k/30"; a size without a share takes an equal part of the rest. Replaces bs.'),
  iodepth: IODEPTH.optional().describe('fio iodepth: I/Os in flight per job clone.'),
  numjobs: upTo(4096, 'fio REAL_MAX_JOBS').optional().describe('fio numjobs: clones of the job, spread over the vCPUs.'),
  rate_iops: z.number().positive().max(LIMITS.rateIops, { message: `at most ${LIMITS.rateIops} per job (ten times the fastest NVMe; each arrival is an event)` })
    .optional().describe('fio rate_iops: I/Os per second per clone, an open loop; omit for a closed loop.'),
  rate_process: z.enum(['linear', 'poisson']).optional().describe('fio rate_process: evenly spaced (linear) or Poisson arrivals at rate_iops.'),
  iodepth_batch_submit: upTo(LIMITS.iodepth, 'as iodepth').optional().describe('fio: I/Os per io_submit (default 1), and io_getevents\' min and max (default 1 and iodepth).'),
  iodepth_batch_complete_min: upTo(LIMITS.iodepth, 'as iodepth').optional().describe('fio iodepth_batch_complete_min: io_getevents waits for this many completions (default 1).'),
  iodepth_batch_complete_max: upTo(LIMITS.iodepth, 'as iodepth').optional().describe('fio iodepth_batch_complete_max: io_getevents takes at most this many (default iodepth).'),
  fsync: z.number().int().min(0).optional().describe('fio fsync: an fsync after every this many writes, an I/O of its own in the job\'s iodepth (a flush the guest sends where it sees a write cache: cache none, writeback or unsafe). 0 or omitted: never.'),
  size: size.optional().describe('fio size: the bytes the job reads and writes over, its working set in the host page cache; omitted, the whole disk (larger than any cache).'),
  thinktime: duration.optional().describe('fio\'s thinktime (with a unit: a bare number would be microseconds to fio and is refused here).'),
  startdelay: duration.optional().describe('fio startdelay: the job starts this long after its phase does (the run\'s start, or its stonewall\'s).'),
  runtime: duration.optional().describe('fio runtime of this job: it issues for this long after its ramp (default the scenario\'s duration). Runs are time-based.'),
  ramp_time: duration.optional().describe('fio ramp_time of this job: it runs this long before its statistics start (default the scenario\'s warmup).'),
  stonewall: z.boolean().optional().describe('fio stonewall: the job waits for every job before it to end, and the jobs after it start with it; it starts a new reporting group.'),
  wait_for: z.string().min(1).optional().describe('fio wait_for: the job starts when the named job (before it) ends.'),
  fio_options: z.strictObject({
    global: z.record(z.string(), z.string()).describe('Its [global] options in effect, as written.'),
    job: z.record(z.string(), z.string()).describe('Its own options, as written.'),
  }).optional().describe('The options a fio job file gave the job, as written (set by job.fio and vqsim fio; fio JSON echoes them as "global options" and "job options"). Reporting only.'),
  new_group: z.boolean().optional().describe('fio new_group: the job starts a new reporting group (fio\'s groupid); without it every job of the VM is in group 0. Reporting only.'),
  group_reporting: z.boolean().optional().describe('fio group_reporting, as its fio JSON and normal output report the job: true, its whole group as one entry (the group\'s jobs and clones pooled); false, each clone apart (fio without group_reporting); omitted, one entry per job, its clones pooled (vqsim\'s default). Reporting only.'),
};
const jobDefaults = z.strictObject({
  ...jobFields,
  fio: z.string().min(1).optional().describe('A fio job file (relative to the scenario) whose sections are the jobs (src/scenario/fio).'),
});
const jobEntry = z.strictObject({ name: z.string().min(1).describe('The job\'s name (fio\'s section).'), ...jobFields });
export const jobEntrySchema = jobEntry;

const costs = z.strictObject(
  Object.fromEntries(COST_NAMES.map((n) => {
    const e = COST_TABLE[n];
    return [n, cost.optional().describe(`${e.kind === 'estimate' ? 'An estimated' : `A ${e.kind}`} cost, default ${DEFAULT_COSTS[n]} ns (range ${e.range[0]}-${e.range[1]} ns); its source in src/model/costs.ts.`)];
  })) as Record<CostName, z.ZodOptional<typeof cost>>,
);

const role = z.enum(THREAD_ROLES);
/** A host core's number: below Linux x86 NR_CPUS with CONFIG_MAXSMP. */
const CORE_MAX = LIMITS.hostCores - 1;
const coreNumber = nonNegInt.max(CORE_MAX, { message: `a core number is at most ${CORE_MAX} (Linux NR_CPUS)` });
/** A Linux cpulist ("0-3,8") or a list of core numbers. */
const cpulist = z.union([z.array(coreNumber), z.string()]).transform((v, ctx) => {
  if (Array.isArray(v)) return v;
  const out: number[] = [];
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      ctx.issues.push({ code: 'custom', input: v, message: 'expected a cpulist such as "0-3,8"' });
      return z.NEVER;
    }
    if (Number(m[2] ?? m[1]) > CORE_MAX) {
      ctx.issues.push({ code: 'custom', input: v, message: `a core number is at most ${CORE_MAX} (Linux NR_CPUS)` });
      return z.NEVER;
    }
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) out.push(c);
  }
  return out;
});

/** Host CPUs (MODEL.md section 8). KVM module parameters keep their names (halt_poll_ns, ...). */
const host = z.strictObject({
  cores: nonNegInt.max(LIMITS.hostCores, { message: `at most ${LIMITS.hostCores} (Linux x86 NR_CPUS with MAXSMP)` }).default(0).describe('Cores the VMs\' threads share; 0 = a core for every thread.'),
  cpusets: z.partialRecord(role, cpulist).default({}).describe(`Per thread role (${THREAD_ROLES.join(', ')}: threads.csv\'s role column): the host cores it may run on, a cpulist ("0-3,8") or a list. reactor: the vhost-user target\'s (as host.vhost_user.cpuset).`),
  pins: z.record(z.string(), cpulist).default({}).describe('Per thread of the VM (threads.csv\'s thread column: vcpu0, iothread1, pool0, main-loop), the host cores it is pinned to, over its role\'s cpuset: libvirt\'s per-vCPU <vcpupin> and per-IOThread <iothreadpin>. Single-VM form.'),
  numa_nodes: upTo(1024, 'Linux MAX_NUMNODES, NODES_SHIFT 10').default(1).describe('NUMA nodes the cores are split into, evenly and in order (host form: a VM\'s numa_node).'),
  devices: z.record(z.string(), deviceSchema).default({}).describe('The host\'s storage devices (host form): every disk that names one shares it.'),
  /** The host's physical NIC (host form): every VM's virtio-net traffic shares its line rate each way
   *  (a bridge or macvtap to one uplink); each VM's peer keeps its round trip and service time. */
  nic: z.strictObject({ line_rate_gbit: z.number().positive().describe('Its line rate each way, Gbit/s.') }).optional().describe('The host\'s physical NIC (host form): every VM\'s virtio-net traffic shares its line rate each way.'),
  page_cache: z.strictObject({
    size: size.default(16 * 2 ** 30).describe('Memory the host\'s page cache may hold (free and file-backed), for disks with a page cache mode.'),
    dirty_ratio: z.number().gt(0).max(100).default(20).describe('vm.dirty_ratio: % of it that dirty and writeback data may reach before writers wait.'),
    dirty_background_ratio: z.number().min(0).max(100).default(10).describe('vm.dirty_background_ratio: % at which background writeback starts (at or above dirty_ratio: half of it, as Linux takes it).'),
    read_ahead_kb: count.default(128).describe('The backing device\'s read_ahead_kb: a sequential reader\'s window.'),
  }).optional().describe('The host\'s page cache (Linux vm.dirty_* and read-ahead), for disks with cache writethrough, writeback or unsafe. Default: 16 GiB, 20 %, 10 %, 128 KiB.'),
  vhost_user: z.strictObject({
    reactors: count.max(LIMITS.hostCores).default(1).describe('Reactor threads of the target (SPDK -m cpumask): each busy-polls a core; controllers are placed on them in turn.'),
    cpuset: cpulist.optional().describe('The host cores the reactors run on (SPDK\'s cpumask), a cpulist or a list.'),
  }).optional().describe('The host\'s vhost-user target (SPDK vhost), for disks with backend: vhost-user. Default: one reactor.'),
  sched_slice: duration.default(SCHED_DEFAULTS.sliceNs).describe('A thread that has run this long yields to a waiter for its core at its next step: EEVDF\'s base_slice, CFS\'s min_granularity (0.75 ms scaled by 1 + log2 of up to 8 CPUs, kernel/sched/fair.c).'),
  sched_wakeup_granularity: duration.default(SCHED_DEFAULTS.wakeupGranNs).describe('CFS (host kernels before 6.6): a woken thread preempts the running one when it trails it in vruntime by more than this (sysctl_sched_wakeup_granularity, 1 ms scaled as sched_slice).'),
  sched_latency: duration.default(SCHED_DEFAULTS.latencyNs).describe('CFS: the period runnable threads share (sysctl_sched_latency, 6 ms scaled as sched_slice); a waking sleeper is placed at most half of it behind.'),
  halt_poll_ns: nonNegInt.optional().describe('KVM halt_poll_ns: the longest a halted vCPU polls before it sleeps. Default by host kernel: 200000 (x86), 0 before Linux 4.0 (no halt polling).'),
  halt_poll_ns_grow: count.default(2).describe('KVM halt_poll_ns_grow: the factor the window grows by.'),
  halt_poll_ns_grow_start: nonNegInt.default(10_000).describe('KVM halt_poll_ns_grow_start: the first window.'),
  halt_poll_ns_shrink: nonNegInt.optional().describe('Default by host kernel: 2 since Linux 6.11, 0 before (versions.host_kernel).'),
  guest_haltpoll: z.boolean().optional().describe('The guest\'s cpuidle-haltpoll driver: the guest polls, and KVM\'s halt polling is off. Default: off, but on for a KubeVirt VM with dedicatedCpuPlacement (its hint-dedicated loads the driver) on guest Linux 5.4 or later.'),
  guest_halt_poll_ns: nonNegInt.default(200_000).describe('cpuidle-haltpoll guest_halt_poll_ns: its longest window.'),
  guest_halt_poll_grow: count.default(2).describe('cpuidle-haltpoll guest_halt_poll_grow.'),
  guest_halt_poll_grow_start: nonNegInt.default(50_000).describe('cpuidle-haltpoll guest_halt_poll_grow_start.'),
  guest_halt_poll_shrink: nonNegInt.default(2).describe('cpuidle-haltpoll guest_halt_poll_shrink.'),
  cstates: z.union([
    z.enum(Object.keys(CSTATE_TABLES) as [CStateTable, ...CStateTable[]]),
    z.array(z.strictObject({
      exit: cost.describe('Its exit latency (cpuidle exit_latency).'),
      residency: cost.describe('The idle time it pays off after (cpuidle target_residency).'),
    })).refine((l) => l.every((s, i) => i === 0 || s.residency >= l[i - 1].residency), { message: 'list the states shallowest first (target residency ascending), as cpuidle does' }),
  ], { error: `expected one of ${Object.keys(CSTATE_TABLES).join(', ')}, or a list of { exit, residency }` }).default(DEFAULT_CSTATES).describe('The idle states of the host\'s cores (intel_idle\'s tables: hsx, skx, icx, spr; none for idle=poll or a latency-tuned host), or a list of {exit, residency}: a thread woken onto a core idle for t pays the exit latency of the deepest state whose residency t reached.'),
  numa_remote: z.array(role).default([]).describe('Thread roles that run on the NUMA node away from the VM\'s memory and device.'),
  numa_remote_factor: z.number().min(1).max(10, { message: 'at most 10 (remote memory costs 1.2 to 3 times local: Linux numactl --hardware distances 10-32)' }).default(1.3).describe('The factor on those roles\' CPU costs.'),
  cpu_speed: z.number().min(0.25, { message: 'at least 0.25 (a host four times slower than the reference is outside what the costs were measured on)' }).max(4, { message: 'at most 4 (four times the reference machine)' }).optional()
    .describe('The host\'s CPU speed relative to the calibration\'s reference machine (P10\'s host, docs/calibration.md): every CPU cost, the defaults and costs: alike, is divided by it; 1.25 = a host that does the same work in 80 % of the time. Default 1. `vqsim calibrate --against` fits it from your own fio run.'),
});

/** A Kubernetes CPU quantity: cores ("2", 2, "0.5") or millicores ("1500m"). */
const cpuQuantity = z.union([z.number().positive(), z.string()]).transform((v, ctx) => {
  const m = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(String(v));
  const cores = m ? Number(m[1]) / (m[2] ? 1000 : 1) : NaN;
  if (!(cores > 0)) {
    ctx.issues.push({ code: 'custom', input: v, message: 'expected a CPU quantity such as 2, "0.5" or "1500m"' });
    return z.NEVER;
  }
  return cores;
});

/** KubeVirt's own field names (VirtualMachineInstance spec.domain, and the KubeVirt CR's ratio). */
const kubevirt = z.strictObject({
  cpuAllocationRatio: z.number().positive().default(10).describe('spec.configuration.developerConfiguration.cpuAllocationRatio: CPU request = vCPUs / ratio.'),
  featureGates: z.array(z.string().min(1)).default([]).describe('spec.configuration.developerConfiguration.featureGates the model reads: SCSIMultiIOThread (KubeVirt 1.10, VEP 342: the virtio-scsi controller\'s queues over the VM\'s IOThreads).'),
  domain: z.strictObject({
    ioThreadsPolicy: z.enum(['shared', 'auto', 'supplementalPool']).optional().describe('Omitted: no IOThreads unless a disk asks for a dedicated one (KubeVirt\'s HasIOThreads).'),
    cpu: z.strictObject({
      dedicatedCpuPlacement: z.boolean().default(false).describe('A pCPU of its own for each vCPU (the CPU manager\'s exclusive cores), IOThreads pinned among them, hint-dedicated to the guest.'),
      isolateEmulatorThread: z.boolean().default(false).describe('With dedicatedCpuPlacement: one more pCPU for QEMU\'s emulator thread, which IOThread 1 shares.'),
      sockets: count.default(1).describe('spec.domain.cpu.sockets (vm.vcpus = sockets x cores x threads): with maxSockets, the vCPUs the domain is sized for.'),
      maxSockets: count.optional().describe('spec.domain.cpu.maxSockets: sockets the guest can hot-plug up to. Default: sockets x 4 (maxHotplugRatio) since KubeVirt 1.6, whose VM rollout strategy is LiveUpdate; sockets before.'),
    }).default({ dedicatedCpuPlacement: false, isolateEmulatorThread: false, sockets: 1 }).describe('spec.domain.cpu: dedicated CPU placement (vCPUs come from vm.vcpus).'),
    ioThreads: z.strictObject({ supplementalPoolThreadCount: upTo(LIMITS.numQueues, 'an iothread per virtqueue at most (VIRTIO_QUEUE_MAX)').optional().describe('The pool\'s iothreads (ioThreadsPolicy: supplementalPool).') }).optional().describe('spec.domain.ioThreads: supplementalPoolThreadCount, the pool\'s iothreads.'),
    resources: z.strictObject({
      requests: z.strictObject({ cpu: cpuQuantity.optional().describe('Cores ("2") or millicores ("1500m").') }).optional().describe('spec.domain.resources.requests.cpu: cores or millicores.'),
      limits: z.strictObject({ cpu: cpuQuantity.optional().describe('Cores ("2") or millicores ("1500m").') }).optional().describe('spec.domain.resources.limits.cpu: cores or millicores.'),
    }).optional().describe('The VMI\'s own CPU request and limit: auto caps its iothreads at twice the request.'),
    devices: z.strictObject({
      blockMultiQueue: z.boolean().default(false).describe('virtio-blk queues = the VM\'s vCPUs. Without it KubeVirt sets none: QEMU\'s default, also one per vCPU on 5.2+ machine types (versions.machine), else 1.'),
      networkInterfaceMultiqueue: z.boolean().default(false).describe('virtio-net queues = the VM\'s vCPUs (capped at 256, the tap\'s maximum), with mq on.'),
      disks: z.array(z.strictObject({
        name: z.string().min(1).describe('The disk\'s name (vqsim fields by this name from disks:).'),
        dedicatedIOThread: z.boolean().default(false).describe('An iothread of the disk\'s own.'),
        disk: z.strictObject({ bus: z.enum(['virtio', 'sata', 'scsi', 'usb']).default('virtio').describe('The disk\'s bus.') }).default({ bus: 'virtio' }).describe('disk.bus: virtio disks get iothreads; others run in QEMU\'s main loop.'),
        io: z.enum(['native', 'threads']).optional().describe('The disk\'s aio (KubeVirt\'s SetOptimalIOMode: native with cache none, else QEMU\'s default, threads).'),
        cache: z.enum(['none', 'writethrough', 'writeback']).optional().describe('The cache mode (KubeVirt\'s default: none, where the volume supports O_DIRECT, as vqsim takes it to).'),
      })).min(1).describe('spec.domain.devices.disks: the VM\'s disks.'),
    }).describe('spec.domain.devices.'),
  }).describe('VirtualMachineInstance spec.domain: the fields vqsim reads.'),
});

/** A virtio-net NIC: QEMU's -netdev tap,vhost=,queues=,poll-us= and -device virtio-net-pci,mq=,packed=,vectors=. */
const nic = z.strictObject({
  name: z.string().min(1).default('net0').describe('The NIC\'s name.'),
  queues: upTo(LIMITS.nicQueuePairs, 'QEMU virtio-net: 2 x queue pairs + 1 <= VIRTIO_QUEUE_MAX').default(1).describe('Host queue pairs (-netdev tap,queues=N).'),
  mq: z.boolean().default(false).describe('virtio-net-pci mq=on: the guest may use more than one queue pair.'),
  combined_queues: upTo(LIMITS.nicQueuePairs, 'as queues').optional().describe('Queue pairs the guest enabled (ethtool -L <nic> combined N); default min(queues, vCPUs).'),
  'queue-size': queueSize.default(256).describe('Descriptors per virtqueue.'),
  ring: z.enum(['split', 'packed']).default('split').describe('Virtqueue layout: split, or packed (packed=on).'),
  event_idx: z.boolean().default(true).describe('VIRTIO_RING_F_EVENT_IDX.'),
  vhost: z.boolean().default(true).describe('Data plane in vhost-net workers (one per queue pair); false: QEMU\'s main loop.'),
  'poll-us': nonNegInt.default(0).describe('vhost busy polling (-netdev tap,poll-us=N), microseconds.'),
  zerocopy_tx: z.boolean().default(false).describe('vhost-net experimental_zcopytx.'),
  napi_tx: z.boolean().optional().describe('The guest\'s virtio_net napi_tx (TX completion interrupts); default by versions.guest_kernel (on since 5.3).'),
  vectors: upTo(LIMITS.msixVectors, 'PCI MSI-X Table Size, 11 bits').optional().describe('Default 2 x queues + 2 (QEMU virtio-net-pci with mq).'),
  /** When the VM's vectors exceed the guest's budget: stop with an error, or warn and take the guest's
   *  fall-back (one vector shared by every queue). */
  msix_overflow: z.enum(['error', 'fallback']).default('error').describe('When the VM\'s vectors exceed the guest\'s budget: stop with an error, or warn and take the guest\'s fall-back (one vector for every queue).'),
});

/** The network workload, in netperf / iperf3 terms. */
const net = z.strictObject({
  mode: z.enum(['stream', 'rr']).default('stream').describe('stream (TCP_STREAM, iperf3) or rr (TCP_RR, request/response).'),
  direction: z.enum(['tx', 'rx', 'both']).default('tx').describe('tx: the guest sends; rx: it receives; both: half the flows each way.'),
  flows: upTo(65536, 'connections of one address pair: the ports').default(1).describe('Connections.'),
  protocol: z.enum(['tcp', 'udp']).default('tcp').describe('tcp: every stream message is acknowledged by a packet back through the virtio path; udp: no return packets (iperf3 -u, testpmd).'),
  msg_size: size.default(65536).describe('Message size (TSO/GRO buffers up to 64 KiB).'),
  window: upTo(65536, 'a TCP window of 64 K messages is past any socket buffer').default(8).describe('Stream: messages in flight per flow (a TCP stream\'s send window is window x msg_size bytes).'),
  rate: z.number().positive().max(LIMITS.rateIops, { message: `at most ${LIMITS.rateIops} messages per second per flow (each is an event)` }).optional().describe('Messages per second per flow (offered load); omit for a closed loop.'),
});

/** The far end: an external host over a wire, or the host itself. */
const peer = z.strictObject({
  target: z.enum(['external', 'host']).default('external').describe('external: a host behind a wire; host: the hypervisor itself.'),
  rtt: duration.optional().describe('Round trip of the wire beyond the host.'),
  line_rate_gbit: z.number().refine((v) => v > 0, { message: 'a line rate of 0 carries nothing: give the link\'s Gbit/s, or target: host (the host\'s own stack: the wire adds only its delay)' })
    .optional().describe('The link\'s line rate, Gbit/s (target: host has none: the wire adds only its delay).'),
  service: duration.optional().describe('The peer\'s time to serve a request (rr) before it responds.'),
});

const variant = z.strictObject({
  name: z.string().min(1).describe('The variant\'s name (its rows in the outputs).'),
  description: z.string().optional().describe('What the variant shows.'),
  set: z.record(z.string(), z.unknown()).default({}).describe('Field path (dots, list indices as numbers) -> value, applied over the base.'),
});

/** What describes one VM: at the top level of the single-VM form, in each `vms` entry of the host form. */
const vmFields = {
  vm: z.strictObject({
    vcpus: VCPUS.describe('vCPUs (-smp).'),
    msix_budget: count.default(200).describe('MSI-X vectors the guest can spend across its devices (about 200, MODEL.md section 7).'),
    other_msix_vectors: nonNegInt.default(0).describe('Vectors the VM\'s other devices use (besides a simulated NIC).'),
  }).describe('The VM: its vCPUs and MSI-X budget.'),
  iothread: z.strictObject({
    'poll-max-ns': nonNegInt.optional().describe('Adaptive polling: the longest window, ns (0 = no polling; default 32768 from QEMU 2.9, which added polling; none before).'),
    'poll-grow': nonNegInt.default(0).describe('The factor the window grows by (0 = QEMU\'s default, 2).'),
    'poll-shrink': nonNegInt.default(0).describe('The divisor the window shrinks by (0 = back to 0).'),
    'aio-max-batch': nonNegInt.default(0).describe('0 = the engine\'s default (32 for aio=native since QEMU 6.1).'),
    fdmon: z.enum(['io_uring', 'poll']).optional().describe('How iothreads wait for fds: io_uring (fdmon-io_uring, QEMU >= 5.0 with liburing) or poll (ppoll, epoll from 64 fds). Default by versions.qemu.'),
  }).default({ 'poll-grow': 0, 'poll-shrink': 0, 'aio-max-batch': 0 })
    .describe('QEMU iothread properties (-object iothread,...) of every iothread of the VM.'),
  devices: z.record(z.string(), deviceSchema).default({}).describe('Named devices for the VM\'s disks (the host form has host.devices).'),
  disk: diskDefaults.default({}).describe('Defaults for every disk (and the one disk vda without disks:).'),
  disks: z.array(diskEntry).min(1).optional().describe('The VM\'s disks, each over disk:.'),
  job: jobDefaults.default({}).describe('Defaults for every fio job (and the one job without jobs:), or fio: a job file.'),
  jobs: z.array(jobEntry).min(1).optional().describe('fio jobs, each over job:.'),
  nic: nic.optional().describe('A virtio-net NIC.'),
  net: net.optional().describe('The network workload on the NIC.'),
  peer: peer.optional().describe('The far end of the network.'),
  kubevirt: kubevirt.optional().describe('Derive the topology as KubeVirt does, in its field names.'),
};
const vmSection = z.strictObject(vmFields);
/** The keys of one VM's fields: at the top level only in the single-VM form. */
export const VM_KEYS = Object.keys(vmFields);

/** A `vms` entry of the host form: a VM as the single-VM form's top level, stamped `count` times. */
const vmEntry = z.strictObject({
  name: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, { message: 'letters, digits, "_", "." and "-" only' }).optional().describe('Default vm<i>; with count > 1 the VMs are <name>-0, <name>-1, ...'),
  count: nonNegInt.max(LIMITS.vmsPerHost, { message: `at most ${LIMITS.vmsPerHost} (vqsim's bound on VMs per host)` }).default(1).describe('0 leaves the entry out (a variant or sweep point without it).'),
  cpuset: cpulist.optional().describe('The host cores its threads may run on (libvirt <vcpupin>/<emulatorpin>, a pod\'s cpuset).'),
  numa_node: nonNegInt.optional().describe('The NUMA node whose cores it runs on (host.numa_nodes).'),
  ...vmFields,
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).optional().describe('The scenario\'s name (default: the file\'s); results go to results/<name>/.'),
  description: z.string().optional().describe('What the scenario shows.'),
  seed: z.number().int().min(0).default(1).describe('The seed of every random stream.'),
  duration: duration.refine((ns) => ns >= 1000, { message: 'at least 1us: no I/O completes in less (a guest submission alone takes that)' }).default(1e9).describe('Measured simulated time, after warmup (fio\'s runtime).'),
  warmup: duration.default(100e6).describe('Simulated time before measuring starts (fio\'s ramp_time).'),
  zero_overheads: z.boolean().default(false).describe('Set every overhead cost to 0: only device service times remain (a plain queueing network).'),
  exact_costs: z.boolean().default(false).describe('Every CPU cost and wake-up exactly its mean (no jitter): for analytic comparisons.'),
  jitter: z.strictObject({
    cpu_cv: z.number().min(0).max(3).optional().describe('Coefficient of variation of every CPU step\'s cost.'),
    wakeup_cv: z.number().min(0).max(3).optional().describe('Coefficient of variation of every wake-up\'s latency.'),
  }).default({}).describe('Coefficients of variation of CPU work and of wake-ups (default in src/model/costs.ts).'),
  versions: z.strictObject({
    qemu: version.optional().describe('QEMU release, e.g. "9.2".'),
    machine: version.optional().describe('The machine type\'s release (pc-q35-X.Y), at most qemu\'s: older machine types keep their device defaults (virtio-blk num-queues, queue-size). Default: qemu\'s.'),
    host_kernel: version.optional().describe('The host\'s Linux release (KVM, vhost).'),
    guest_kernel: version.optional().describe('The guest\'s Linux release (virtio drivers).'),
    kubevirt: version.optional().describe('KubeVirt release, for a kubevirt: section (its pod sizing and IOThread pinning, docs/model.md). Default 1.9.'),
  }).default({}).describe('The releases the VMs run on: they select mechanisms and defaults (docs/model.md, versions).'),
  /** The single-VM form: the VM's fields at the top level (vm: is then required). */
  ...vmFields,
  vm: vmFields.vm.optional().describe('The VM (the single-VM form; then required).'),
  costs: costs.default({}).describe('Override any cost or latency by name, with a unit (defaults and sources: docs/model.md).'),
  host: host.optional().describe('The host: its cores and scheduling, and in the host form its devices and NIC.'),
  vms: z.array(vmEntry).min(1).optional().describe('The host form: the host\'s VMs.'),
  variants: z.array(variant).optional().describe('Variants: each a name and fields set over the base.'),
  sweep: z.strictObject({
    axes: z.record(z.string(), z.array(z.unknown()).min(1)).describe('Field path -> the values it takes.'),
    replications: upTo(LIMITS.replications, 'a 95 % CI narrows as 1/sqrt(n): 1000 replications put it within 3 % of one').optional().describe('Replications per point.'),
  }).optional().describe('Axes for vqsim sweep: field path -> values; --set on the command line adds to or replaces them.'),
});

export type Scenario = z.output<typeof scenarioSchema>;
/** One VM's fields, as the single-VM form's top level or a `vms` entry holds them. */
export type VmSection = z.output<typeof vmSection>;
export type VmEntry = z.output<typeof vmEntry>;
export type DiskInput = z.output<typeof diskEntry>;
export type JobInput = z.output<typeof jobEntry>;
/** A `jobs:` entry as a file writes it (units as strings). */
export type JobEntryInput = z.input<typeof jobEntry>;
export type DeviceInput = z.output<typeof deviceSchema>;

/** The schema as JSON Schema (2020-12) for editors. */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(scenarioSchema, {
    io: 'input', unrepresentable: 'any',
    override: (x) => {
      if (x.zodSchema !== aioName) return;
      x.jsonSchema.enum = aioEngineNames();
    },
  });
}
