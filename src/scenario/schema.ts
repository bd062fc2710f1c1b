import { z } from 'zod';
import { COST_NAMES, type CostName } from '../model/costs.js';
import { LIMITS } from './limits.js';
import { DURATION_EXPECTED, parseDuration, parseSize, SIZE_EXPECTED } from './units.js';

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

const distribution = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), value: duration }),
  z.strictObject({ dist: z.literal('exponential'), mean: duration }),
  z.strictObject({ dist: z.literal('uniform'), min: duration, max: duration }),
  z.strictObject({ dist: z.literal('lognormal'), mean: duration, p99: duration }),
  z.strictObject({ dist: z.literal('empirical'), quantiles: z.array(z.tuple([z.number().min(0).max(1), duration])).min(2) }),
]);

/** A device: every field optional over its preset (`preset`, default nvme-tlc). */
const deviceFields = {
  preset: z.string().optional(),
  queue_depth: count.optional(),
  parallelism: count.optional(),
  /** die: each request waits for the unit that holds its data (a random one); any: the first free one. */
  dispatch: z.enum(['die', 'any']).optional(),
  read: distribution.optional(),
  write: distribution.optional(),
  /** 0 = no cap. */
  iops_cap: z.number().min(0).optional(),
  /** MiB/s, 0 = no cap. */
  bw_cap_mib_s: z.number().min(0).optional(),
  /** Largest host I/O (max_sectors_kb): merged requests stop there. */
  max_transfer: size.optional(),
};
export const deviceSchema = z.strictObject(deviceFields);

const diskFields = {
  /** A preset or a name under `devices:`, or an inline device. */
  device: z.union([z.string(), deviceSchema]).optional(),
  'num-queues': QUEUES.optional(),
  'queue-size': queueSize.optional(),
  ring: z.enum(['split', 'packed']).optional(),
  event_idx: z.boolean().optional(),
  aio: z.enum(['native', 'io_uring', 'threads']).optional(),
  /** QEMU virtio-blk request-merging: adjacent requests popped together become one host I/O. */
  'request-merging': z.boolean().optional(),
  handler: z.enum(['main-loop', 'dedicated', 'shared', 'pool']).optional(),
  /** Pool size, with handler: pool. */
  iothreads: count.optional(),
  /** The shared iothread's id, with handler: shared. */
  iothread: z.string().min(1).optional(),
  'iothread-vq-mapping': z.array(z.strictObject({ iothread: z.string().min(1), vqs: z.array(nonNegInt).optional() })).min(1).optional(),
};
const diskDefaults = z.strictObject(diskFields);
const diskEntry = z.strictObject({ name: z.string().min(1), ...diskFields });

const jobFields = {
  /** The disk's name; default the first disk. */
  disk: z.string().optional(),
  rw: z.enum(['read', 'write', 'randread', 'randwrite', 'rw', 'randrw']).optional(),
  rwmixread: z.number().min(0).max(100).optional(),
  bs: size.optional(),
  iodepth: IODEPTH.optional(),
  numjobs: count.optional(),
  rate_iops: z.number().positive().max(LIMITS.rateIops, { message: `at most ${LIMITS.rateIops} per job (ten times the fastest NVMe; each arrival is an event)` }).optional(),
  rate_process: z.enum(['linear', 'poisson']).optional(),
  /** fio: I/Os per io_submit (default 1), and io_getevents' min and max (default 1 and iodepth). */
  iodepth_batch_submit: count.optional(),
  iodepth_batch_complete_min: count.optional(),
  iodepth_batch_complete_max: count.optional(),
  /** fio's thinktime (with a unit: a bare number would be microseconds to fio and is refused here). */
  thinktime: duration.optional(),
};
const jobDefaults = z.strictObject({
  ...jobFields,
  /** A fio job file (relative to the scenario) whose sections are the jobs (src/scenario/fio). */
  fio: z.string().min(1).optional(),
});
const jobEntry = z.strictObject({ name: z.string().min(1), ...jobFields });
export const jobEntrySchema = jobEntry;

const costs = z.strictObject(
  Object.fromEntries(COST_NAMES.map((n) => [n, duration.optional()])) as Record<CostName, z.ZodOptional<typeof duration>>,
);

const role = z.enum(['vcpu', 'iothread', 'main-loop', 'aio-worker']);
/** A Linux cpulist ("0-3,8") or a list of core numbers. */
const cpulist = z.union([z.array(nonNegInt), z.string()]).transform((v, ctx) => {
  if (Array.isArray(v)) return v;
  const out: number[] = [];
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
      ctx.issues.push({ code: 'custom', input: v, message: 'expected a cpulist such as "0-3,8"' });
      return z.NEVER;
    }
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]); c++) out.push(c);
  }
  return out;
});

/** Host CPUs (MODEL.md section 8). KVM module parameters keep their names (halt_poll_ns, ...). */
const host = z.strictObject({
  /** Cores the VMs' threads share; 0 = a core for every thread. */
  cores: nonNegInt.max(LIMITS.hostCores, { message: `at most ${LIMITS.hostCores} (Linux x86 NR_CPUS with MAXSMP)` }).default(0),
  cpusets: z.partialRecord(role, cpulist).default({}),
  /** NUMA nodes the cores are split into, evenly and in order (host form: a VM's numa_node). */
  numa_nodes: count.default(1),
  /** The host's storage devices (host form): every disk that names one shares it. */
  devices: z.record(z.string(), deviceSchema).default({}),
  /** The host's physical NIC (host form): every VM's virtio-net traffic shares its line rate each way
   *  (a bridge or macvtap to one uplink); each VM's peer keeps its round trip and service time. */
  nic: z.strictObject({ line_rate_gbit: z.number().positive() }).optional(),
  sched_slice: duration.default(3e6),
  halt_poll_ns: nonNegInt.default(200_000),
  halt_poll_ns_grow: count.default(2),
  halt_poll_ns_grow_start: nonNegInt.default(10_000),
  /** Default by host kernel: 2 since Linux 6.8, 0 before (versions.host_kernel). */
  halt_poll_ns_shrink: nonNegInt.optional(),
  guest_haltpoll: z.boolean().default(false),
  guest_halt_poll_ns: nonNegInt.default(200_000),
  guest_halt_poll_grow: count.default(2),
  guest_halt_poll_grow_start: nonNegInt.default(50_000),
  guest_halt_poll_shrink: nonNegInt.default(2),
  cstate_exit: duration.default(0),
  cstate_residency: duration.default(0),
  numa_remote: z.array(role).default([]),
  numa_remote_factor: z.number().min(1).default(1.3),
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
  /** spec.configuration.developerConfiguration.cpuAllocationRatio: CPU request = vCPUs / ratio. */
  cpuAllocationRatio: z.number().positive().default(10),
  domain: z.strictObject({
    /** Omitted: no IOThreads unless a disk asks for a dedicated one (KubeVirt's HasIOThreads). */
    ioThreadsPolicy: z.enum(['shared', 'auto', 'supplementalPool']).optional(),
    ioThreads: z.strictObject({ supplementalPoolThreadCount: count.optional() }).optional(),
    /** The VMI's own CPU request and limit: `auto` caps its iothreads at twice the request. */
    resources: z.strictObject({
      requests: z.strictObject({ cpu: cpuQuantity.optional() }).optional(),
      limits: z.strictObject({ cpu: cpuQuantity.optional() }).optional(),
    }).optional(),
    devices: z.strictObject({
      blockMultiQueue: z.boolean().default(false),
      /** virtio-net queues = the VM's vCPUs (capped at 256, the tap's maximum), with mq on. */
      networkInterfaceMultiqueue: z.boolean().default(false),
      disks: z.array(z.strictObject({
        name: z.string().min(1),
        dedicatedIOThread: z.boolean().default(false),
        disk: z.strictObject({ bus: z.enum(['virtio', 'sata', 'scsi', 'usb']).default('virtio') }).default({ bus: 'virtio' }),
        io: z.enum(['native', 'threads']).optional(),
        cache: z.enum(['none', 'writethrough', 'writeback']).optional(),
      })).min(1),
    }),
  }),
});

/** A virtio-net NIC: QEMU's -netdev tap,vhost=,queues=,poll-us= and -device virtio-net-pci,mq=,packed=,vectors=. */
const nic = z.strictObject({
  name: z.string().min(1).default('net0'),
  queues: upTo(LIMITS.nicQueuePairs, 'QEMU virtio-net: 2 x queue pairs + 1 <= VIRTIO_QUEUE_MAX').default(1),
  mq: z.boolean().default(false),
  /** Queue pairs the guest enabled (ethtool -L <nic> combined N); default min(queues, vCPUs). */
  combined_queues: count.optional(),
  'queue-size': queueSize.default(256),
  ring: z.enum(['split', 'packed']).default('split'),
  event_idx: z.boolean().default(true),
  vhost: z.boolean().default(true),
  'poll-us': nonNegInt.default(0),
  zerocopy_tx: z.boolean().default(false),
  /** The guest's virtio_net napi_tx (TX completion interrupts); default by versions.guest_kernel (on since 5.3). */
  napi_tx: z.boolean().optional(),
  /** Default 2 x queues + 2 (QEMU virtio-net-pci with mq). */
  vectors: upTo(LIMITS.msixVectors, 'PCI MSI-X Table Size, 11 bits').optional(),
  /** When the VM's vectors exceed the guest's budget: stop with an error, or warn and take the guest's
   *  fall-back (one vector shared by every queue). */
  msix_overflow: z.enum(['error', 'fallback']).default('error'),
});

/** The network workload, in netperf / iperf3 terms. */
const net = z.strictObject({
  mode: z.enum(['stream', 'rr']).default('stream'),
  direction: z.enum(['tx', 'rx', 'both']).default('tx'),
  flows: count.default(1),
  /** Message size (TSO/GRO buffers up to 64 KiB). */
  msg_size: size.default(65536),
  /** Stream: messages in flight per flow. */
  window: count.default(8),
  /** Messages per second per flow (offered load); omit for a closed loop. */
  rate: z.number().positive().max(LIMITS.rateIops, { message: `at most ${LIMITS.rateIops} messages per second per flow (each is an event)` }).optional(),
});

/** The far end: an external host over a wire, or the host itself. */
const peer = z.strictObject({
  target: z.enum(['external', 'host']).default('external'),
  rtt: duration.optional(),
  line_rate_gbit: z.number().min(0).optional(),
  service: duration.optional(),
});

const variant = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Field path (dots, list indices as numbers) -> value, applied over the base. */
  set: z.record(z.string(), z.unknown()).default({}),
});

/** What describes one VM: at the top level of the single-VM form, in each `vms` entry of the host form. */
const vmFields = {
  vm: z.strictObject({
    vcpus: VCPUS,
    /** MSI-X vectors the guest can spend across its devices (about 200, MODEL.md section 7). */
    msix_budget: count.default(200),
    /** Vectors the VM's other devices use (besides a simulated NIC). */
    other_msix_vectors: nonNegInt.default(0),
  }),
  iothread: z.strictObject({
    'poll-max-ns': nonNegInt.default(32768),
    'poll-grow': nonNegInt.default(0),
    'poll-shrink': nonNegInt.default(0),
    /** 0 = the engine's default (32 for aio=native since QEMU 6.1). */
    'aio-max-batch': nonNegInt.default(0),
    /** How iothreads wait for fds: io_uring (fdmon-io_uring, QEMU >= 5.0 built with liburing) or
     *  poll (ppoll, upgraded to epoll at 64 fds). Default by versions.qemu. */
    fdmon: z.enum(['io_uring', 'poll']).optional(),
  }).default({ 'poll-max-ns': 32768, 'poll-grow': 0, 'poll-shrink': 0, 'aio-max-batch': 0 }),
  devices: z.record(z.string(), deviceSchema).default({}),
  disk: diskDefaults.default({}),
  disks: z.array(diskEntry).min(1).optional(),
  job: jobDefaults.default({}),
  jobs: z.array(jobEntry).min(1).optional(),
  nic: nic.optional(),
  net: net.optional(),
  peer: peer.optional(),
  kubevirt: kubevirt.optional(),
};
const vmSection = z.strictObject(vmFields);
/** The keys of one VM's fields: at the top level only in the single-VM form. */
export const VM_KEYS = Object.keys(vmFields);

/** A `vms` entry of the host form: a VM as the single-VM form's top level, stamped `count` times. */
const vmEntry = z.strictObject({
  /** Default vm<i>; with count > 1 the VMs are <name>-0, <name>-1, ... */
  name: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, { message: 'letters, digits, "_", "." and "-" only' }).optional(),
  /** 0 leaves the entry out (a variant or sweep point without it). */
  count: nonNegInt.max(LIMITS.vmsPerHost, { message: `at most ${LIMITS.vmsPerHost} (vqsim's bound on VMs per host)` }).default(1),
  /** The host cores its threads may run on (libvirt <vcpupin>/<emulatorpin>, a pod's cpuset). */
  cpuset: cpulist.optional(),
  /** The NUMA node whose cores it runs on (host.numa_nodes). */
  numa_node: nonNegInt.optional(),
  ...vmFields,
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  seed: z.number().int().min(0).default(1),
  /** Measured simulated time, after warmup (fio's runtime). */
  duration: duration.default(1e9),
  /** Simulated time before measuring starts (fio's ramp_time). */
  warmup: duration.default(100e6),
  /** Set every overhead cost to 0: only device service times remain (a plain queueing network). */
  zero_overheads: z.boolean().default(false),
  /** Every CPU cost and wake-up exactly its mean (no jitter): for analytic comparisons. */
  exact_costs: z.boolean().default(false),
  /** Coefficients of variation of CPU work and of wake-ups (default in src/model/costs.ts). */
  jitter: z.strictObject({ cpu_cv: z.number().min(0).max(3).optional(), wakeup_cv: z.number().min(0).max(3).optional() }).default({}),
  /** The releases the VMs run on: they select mechanisms and defaults (docs/model.md, versions). */
  versions: z.strictObject({ qemu: version.optional(), host_kernel: version.optional(), guest_kernel: version.optional() }).default({}),
  /** The single-VM form: the VM's fields at the top level (vm: is then required). */
  ...vmFields,
  vm: vmFields.vm.optional(),
  costs: costs.default({}),
  host: host.optional(),
  /** The host form: the host's VMs. */
  vms: z.array(vmEntry).min(1).optional(),
  variants: z.array(variant).optional(),
  /** Axes for `vqsim sweep`: field path -> values; --set on the command line adds to or replaces them. */
  sweep: z.strictObject({
    axes: z.record(z.string(), z.array(z.unknown()).min(1)),
    replications: count.optional(),
  }).optional(),
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
  return z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
}
