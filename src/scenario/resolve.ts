import { Distribution } from '../engine/distribution.js';
import { DEFAULT_JITTER, resolveCosts, type Costs } from '../model/costs.js';
import { atLeast, behaviourOf, NEWEST, type Behaviour, type Versions } from '../model/versions.js';
import type { DiskConfig, HostDeviceConfig, JobConfig, ModelConfig, RunConfig, VmConfig } from '../model/config.js';
import type { PageCacheParams } from '../model/storage/cache-modes.js';
import { hasPhases, jobTimings, withJobPhases } from './phases.js';
import { mapVirtqueues } from '../model/qemu/iothread-mapping.js';
import { ScenarioError, type Located } from './errors.js';
import { KUBEVIRT_NEWEST, kubevirtTopology, podCpus, type KubevirtTopology, type Warn } from './kubevirt.js';
import type { DiskInput, JobInput, Scenario, VmSection } from './schema.js';
import { LIMITS } from './limits.js';
import { resolveNic } from './resolve-net.js';
import { aioOf, backendOf, fsyncOf, handlerOf, resolveDevice, schedulerOf, type VmContext } from './resolve-disk.js';
import { cpuOf, pinned, placementOf, threadPins, vhostUserOf } from './resolve-placement.js';
import { GUEST_HALTPOLL, KVM_HALT_POLL, type HaltPollParams } from '../model/host/halt-polling.js';
import { parseBssplit } from './bssplit.js';

const DEFAULT_DISK = 'vda';
/** vhost-scsi's virtqueue_size and vhost-user-blk's queue-size defaults (hw/scsi/vhost-scsi.c,
 *  hw/block/vhost-user-blk.c); QEMU's own devices take the release's (Behaviour.emulatedQueueSize). */
const VHOST_QUEUE_SIZE = 128;
/** virtio-scsi-pci's and vhost-scsi-pci's cmd_per_lun default (hw/scsi/virtio-scsi.c, vhost-scsi.c). */
const DEFAULT_CMD_PER_LUN = 128;
/** QEMU's iothread poll-max-ns default (iothread.c, 32 us). */
const DEFAULT_POLL_MAX_NS = 32768;

/**
 * A validated scenario (one variant) -> the model's input, with every default filled in and the
 * cross-field rules checked (devices exist, handlers' options fit, jobs name real disks, cpusets lie
 * within the host's cores). The single-VM form is a host with one VM whose names and random streams
 * are those the single-VM form always had.
 */
export function resolveScenario(s: Scenario, point: Point, fail: Located, warn: Warn, overrides: RunOverrides = {}): ModelConfig {
  return withJobPhases(resolveHost(s, point, fail, warn, overrides));
}

function resolveHost(
  s: Scenario,
  point: Point,
  fail: Located,
  warn: Warn,
  overrides: RunOverrides,
): ModelConfig {
  if (s.warmup + s.duration <= 0 || s.duration <= 0) throw fail(['duration'], 'must be longer than 0');
  const v = versionsOf(s);
  if (v.machine !== undefined && !atLeast(v.qemu, v.machine)) {
    throw fail(['versions', 'machine'], `QEMU ${v.qemu} has no machine type of ${v.machine}: at most versions.qemu`);
  }
  const run = resolveRun(s, point, overrides);
  // A KubeVirt VM with dedicated CPUs tells its guest so (hint-dedicated): its haltpoll driver loads.
  const haltPoll = (dedicated: boolean) => haltPollOf(s, run.behaviour, fail, dedicated);
  const devices: HostDeviceConfig[] = [];
  const shared = new Map<string, number>();
  const ctx = (prefix: (string | number)[]): VmContext => ({
    fail: (path, reason) => fail([...prefix, ...path], reason),
    warn: (path, reason) => warn([...prefix, ...path], reason),
    devices, shared, behaviour: run.behaviour, versions: versionsOf(s), zeroOverheads: s.zero_overheads, durationNs: s.duration, warmupNs: s.warmup,
  });
  if (!s.vms) {
    if (!s.vm) throw fail(['vm'], 'required: expected object (or, for a host with several VMs, vms:)');
    const section = s as VmSection;
    const { vm, kubevirtCores, pins, hostCpuPins } = resolveVm(section, { name: '', group: '', streams: '' }, ctx([]), haltPoll);
    const pod = podCpus(section, v.kubevirt);
    if (pod !== null && s.host?.cores && s.host.cores < pod) {
      throw fail(['host', 'cores'], `the VM's dedicatedCpuPlacement takes ${pod} cores (a core per vCPU${pod > vm.vcpus ? ' and the emulator\'s' : ''}): at least that many`);
    }
    const cpu = cpuOf(s, kubevirtCores, run.behaviour);
    if (s.host?.nic) throw fail(['host', 'nic'], 'the host\'s NIC is for the host form (vms:); a single VM\'s wire is its peer.line_rate_gbit');
    const podCores = pod === null ? null : Array.from({ length: pod }, (_, i) => i);
    const ownPins = threadPins(s, vm, cpu, fail, warn);
    if (Object.keys(ownPins).length > 0 && pins !== null) throw fail(['host', 'pins'], 'KubeVirt pins a dedicatedCpuPlacement VM\'s threads itself: leave host.pins out');
    return { ...run, form: 'vm', cpu, devices, uplink: null, pageCache: pageCacheOf(s), vhostUser: vhostUserOf(s, cpu, [vm], fail), vms: [{ ...vm, ...placementOf(s, cpu, null, fail, [], podCores, new Set()), pins: { ...pinned(pins, hostCpuPins, podCores, (why) => fail(POOL_SIZE, why)), ...ownPins } }] };
  }
  const cpu = cpuOf(s, undefined, run.behaviour);
  if (Object.keys(s.host?.pins ?? {}).length > 0) throw fail(['host', 'pins'], 'per-thread pins are for the single-VM form (a thread name is a VM\'s): give a vms entry a cpuset, or host.cpusets per role');
  // The CPU manager's static policy: each dedicated-CPU VM takes cores of its own, in order; the other
  // VMs share the rest.
  const podCoresOf: (number[] | null)[][] = [];
  let nextCore = 0;
  s.vms.forEach((entry, i) => {
    const pod = podCpus(entry, v.kubevirt);
    podCoresOf.push(Array.from({ length: entry.count }, () => {
      if (pod === null) return null;
      const cores = cpu?.cores ?? 0;
      if (nextCore + pod > cores) {
        throw fail(['vms', i, 'kubevirt', 'domain', 'cpu', 'dedicatedCpuPlacement'], `the dedicated-CPU VMs need ${nextCore + pod} or more cores (this one ${pod}): host.cores is ${cores}`);
      }
      nextCore += pod;
      return Array.from({ length: pod }, (_, k) => nextCore - pod + k);
    }));
  });
  const taken = new Set(Array.from({ length: nextCore }, (_, k) => k));
  for (const [name, input] of Object.entries(s.host?.devices ?? {})) {
    shared.set(name, devices.length);
    devices.push({ ...resolveDevice(input, {}, ['host', 'devices', name], fail), name, stream: `device:${name}` });
  }
  const names = new Set<string>();
  const vms = s.vms.flatMap((entry, i) => {
    const group = entry.name ?? `vm${i}`;
    return Array.from({ length: entry.count }, (_, k) => {
      const name = entry.count > 1 ? `${group}-${k}` : group;
      if (names.has(name)) throw fail(['vms', i, 'name'], `VM name "${name}" is used twice`);
      names.add(name);
      const { vm, pins, hostCpuPins } = resolveVm(entry, { name, group, streams: `${name}/` }, ctx(['vms', i]), haltPoll);
      const podCores = podCoresOf[i][k];
      return { ...vm, ...placementOf(s, cpu, entry, fail, ['vms', i], podCores, taken), pins: pinned(pins, hostCpuPins, podCores, (why) => fail(['vms', i, ...POOL_SIZE], why)) };
    });
  });
  if (vms.length === 0) throw fail(['vms'], 'no VM to run: every entry has count 0');
  if (vms.length > LIMITS.vmsPerHost) throw fail(['vms'], `${vms.length} VMs: at most ${LIMITS.vmsPerHost} on one host (vqsim's bound)`);
  const uplink = s.host?.nic ? { lineRateBps: s.host.nic.line_rate_gbit * 1e9 } : null;
  if (uplink) {
    s.vms.forEach((e, i) => {
      if (e.peer?.line_rate_gbit !== undefined) throw fail(['vms', i, 'peer', 'line_rate_gbit'], 'the VMs share the host\'s NIC (host.nic.line_rate_gbit)');
    });
  }
  return { ...run, form: 'host', cpu, devices, uplink, pageCache: pageCacheOf(s), vhostUser: vhostUserOf(s, cpu, vms, fail), vms };
}

/** The host's page cache: the scenario's, else 16 GiB with Linux's default dirty ratios and read-ahead. */
/** Whether a job issues writes: what a device's write caps pace. */
function doesWrite(j: Pick<JobConfig, 'rw' | 'rwmixread'>): boolean {
  return j.rw.includes('write') || (j.rw.endsWith('rw') && j.rwmixread < 100);
}

function pageCacheOf(s: Scenario): PageCacheParams {
  const p = s.host?.page_cache ?? { size: 16 * 2 ** 30, dirty_ratio: 20, dirty_background_ratio: 10, read_ahead_kb: 128 };
  return { sizeBytes: p.size, dirtyRatio: p.dirty_ratio, dirtyBackgroundRatio: p.dirty_background_ratio, readAheadBytes: p.read_ahead_kb * 1024 };
}

/** One VM's disks, jobs and NIC. */
function resolveVm(
  s: VmSection,
  names: { name: string; group: string; streams: string },
  x: VmContext,
  haltPoll: (dedicated: boolean) => HaltPollParams,
): { vm: Omit<VmConfig, 'cpusets' | 'numaRemote' | 'numaRemoteFactor' | 'pins'>; kubevirtCores?: number; pins: Record<string, number[]> | null; hostCpuPins: KubevirtTopology['hostCpuPins'] } {
  const { fail } = x;
  const vcpus = s.vm.vcpus;
  if (vcpus > 288 && !atLeast(x.versions.host_kernel, '5.15')) {
    throw fail(['vm', 'vcpus'], `at most 288 with a host kernel before 5.15 (KVM_MAX_VCPUS; versions.host_kernel is ${x.versions.host_kernel})`);
  }
  const kv = s.kubevirt ? kubevirtTopology(s, x.versions.kubevirt, x.behaviour.multiQueueDefault, fail, x.warn) : null;
  // A VM with a NIC and nothing about disks or jobs has no disk; otherwise, without disks:, one disk "vda".
  const noDisk = s.nic !== undefined && !s.disks && !s.jobs && !kv && Object.keys(s.disk).length === 0 && Object.keys(s.job).length === 0;
  const diskInputs: { input: DiskInput; at: (key: string) => (string | number)[] }[] = kv
    ? kv.disks.map((d, i) => ({ input: d, at: (k) => ['kubevirt', 'domain', 'devices', 'disks', i, k] }))
    : s.disks
      ? s.disks.map((d, i) => ({ input: { ...s.disk, ...d }, at: (k) => (k in d ? ['disks', i, k] : ['disk', k]) }))
      : noDisk ? [] : [{ input: { name: DEFAULT_DISK, ...s.disk }, at: (k) => ['disk', k] }];

  const diskNames = new Set<string>();
  const disks: DiskConfig[] = diskInputs.map(({ input: d, at }) => {
    if (diskNames.has(d.name)) throw fail(at('name'), `disk name "${d.name}" is used twice`);
    diskNames.add(d.name);
    if (d.controller !== undefined && d.bus !== 'scsi') throw fail(at('controller'), 'a controller holds LUNs of bus: scsi only');
    const numQueues = d['num-queues'] ?? (x.behaviour.multiQueueDefault ? vcpus : 1);
    // virtio-scsi took iothread-vq-mapping in QEMU 10.0; before, a controller has one AioContext.
    if (d.bus === 'scsi' && (d.handler === 'pool' || d['iothread-vq-mapping']) && !atLeast(x.versions.qemu, '10.0')) {
      throw fail(at('handler'), `a virtio-scsi controller spreads its queues over iothreads (iothread-vq-mapping) only since QEMU 10.0 (versions.qemu is ${x.versions.qemu}): give handler dedicated, shared or main-loop`);
    }
    if (d.cmd_per_lun !== undefined && d.bus !== 'scsi') throw fail(at('cmd_per_lun'), 'is a virtio-scsi controller\'s property: it applies only with bus: scsi');
    const backend = backendOf(d, at, x);
    let vqContexts: string[] = [];
    try {
      if (backend === 'qemu') vqContexts = mapVirtqueues(d.name, numQueues, handlerOf(d, at, fail));
    } catch (e) {
      if (e instanceof ScenarioError) throw e;
      throw fail(at('iothread-vq-mapping'), (e as Error).message);
    }
    const spec = d.device ?? 'nvme-tlc';
    let deviceIndex = typeof spec === 'string' ? x.shared.get(spec) : undefined;
    if (deviceIndex === undefined) {
      deviceIndex = x.devices.length;
      x.devices.push({ ...resolveDevice(spec, s.devices, at('device'), fail), stream: `${names.streams}device:${d.name}` });
    }
    const queueSize = d['queue-size'] ?? (backend === 'qemu' ? x.behaviour.emulatedQueueSize : VHOST_QUEUE_SIZE);
    return {
      name: d.name,
      device: x.devices[deviceIndex],
      deviceIndex,
      numQueues,
      queueSize,
      ring: d.ring ?? 'split',
      eventIdx: d.event_idx ?? true,
      aio: aioOf(d, at, fail),
      scheduler: schedulerOf(d, Math.min(numQueues, vcpus), at, x),
      requestMerging: d['request-merging'] ?? true,
      bus: d.bus ?? 'virtio',
      controller: d.controller ?? null,
      vqContexts,
      backend,
      workerPerVirtqueue: d.worker_per_virtqueue ?? false,
      cache: d.cache ?? 'none',
      // virtscsi_probe: the LUN's depth is cmd_per_lun, capped by can_queue (the ring's size).
      lunQueueDepth: d.bus === 'scsi' ? Math.min(d.cmd_per_lun ?? DEFAULT_CMD_PER_LUN, queueSize) : 0,
    };
  });

  // LUNs of one virtio-scsi controller share its queues: they must describe them alike.
  const controllerOf = new Map<string, number>();
  disks.forEach((d, i) => {
    if (d.controller === null) return;
    const first = controllerOf.get(d.controller);
    if (first === undefined) {
      controllerOf.set(d.controller, i);
      return;
    }
    const a = diskInputs[first].input, b = diskInputs[i].input;
    const keys = ['backend', 'worker_per_virtqueue', 'num-queues', 'queue-size', 'cmd_per_lun', 'ring', 'event_idx', 'aio', 'handler', 'iothreads', 'iothread', 'iothread-vq-mapping'] as const;
    const differs = keys.find((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (differs) throw fail(diskInputs[i].at(differs), `LUNs of controller ${d.controller} share its queues: ${differs} must be as on ${a.name}`);
  });

  const jobInputs: { input: JobInput; at: (key: string) => (string | number)[] }[] = s.jobs
    ? s.jobs.map((j, i) => ({ input: { ...s.job, ...j }, at: (k) => (k in j ? ['jobs', i, k] : ['job', k]) }))
    : noDisk ? [] : [{ input: { name: 'job', ...s.job }, at: (k) => ['job', k] }];
  if (jobInputs.length > 0 && disks.length === 0) throw fail(['jobs'], 'fio jobs need a disk (disks:)');
  // A NIC carries traffic only with a net: load (its MSI-X vectors are checked either way). KubeVirt's
  // networkInterfaceMultiqueue sets its queues as it sets the disks'.
  const nic = s.nic ? resolveNic(kv?.nicQueues ? { ...s, nic: { ...s.nic, queues: kv.nicQueues, mq: true } } : s, fail, x.warn, x.behaviour) : null;
  if (nic !== null && s.net === undefined && jobInputs.length === 0) throw fail(['nic'], 'a NIC carries no traffic without a net: load, and this VM has no disk job either: give net: (e.g. { mode: stream })');
  const net = s.net === undefined ? null : nic;
  const timings = jobTimings(jobInputs.map(({ input }) => input), x.warmupNs, x.durationNs, (i, key, reason) => fail(jobInputs[i].at(key), reason));
  const jobs: JobConfig[] = jobInputs.map(({ input: j, at }, i) => {
    const disk = j.disk === undefined ? 0 : disks.findIndex((d) => d.name === j.disk);
    if (disk < 0) throw fail(at('disk'), `no disk named "${j.disk}" (disks: ${disks.map((d) => d.name).join(', ')})`);
    return {
      name: j.name,
      disk,
      rw: j.rw ?? 'randread',
      rwmixread: j.rwmixread ?? 50,
      bs: j.bs ?? 4096,
      bssplit: j.bssplit === undefined ? [] : parseBssplit(j.bssplit, (reason) => fail(at('bssplit'), reason)),
      iodepth: j.iodepth ?? 1,
      numjobs: j.numjobs ?? 1,
      rateIops: j.rate_iops ?? 0,
      rateProcess: j.rate_process ?? 'linear',
      sizeBytes: j.size ?? 0,
      fsync: fsyncOf(j, at, fail),
      thinktimeNs: j.thinktime ?? 0,
      batchSubmit: Math.min(j.iodepth_batch_submit ?? 1, j.iodepth ?? 1),
      batchCompleteMin: Math.min(j.iodepth_batch_complete_min ?? 1, j.iodepth ?? 1),
      batchCompleteMax: j.iodepth_batch_complete_max ?? j.iodepth ?? 1,
      newGroup: (j.new_group ?? false) || (j.stonewall ?? false),
      fioOptions: j.fio_options ?? null,
      reportAs: j.group_reporting === undefined ? 'job' : j.group_reporting ? 'group' : 'clone',
      phase: timings[i],
    };
  });

  // What can be known before running to give a window with nothing in it.
  jobs.forEach((j, i) => {
    const at = (k: string) => (s.jobs ? ['jobs', i, k] : ['job', k]);
    const runtime = j.phase!.stopNs - j.phase!.measureNs;
    const window = `the ${runtime / 1e6} ms window (${hasPhases(jobInputs[i].input) ? 'its runtime' : 'duration'})`;
    if (j.rateIops > 0 && j.rateIops * (runtime / 1e9) < 1) throw fail(at('rate_iops'), `${j.rateIops} I/Os per second is less than one I/O in ${window}`);
    const dev = disks[j.disk].device;
    for (const [field, cap] of [['iops_cap', dev.iopsCap], ['write_iops_cap', doesWrite(j) ? dev.writeIopsCap : 0]] as const) {
      if (cap > 0 && cap * (runtime / 1e9) < 1) throw fail(at('disk'), `its device's ${field} ${cap} is less than one I/O in ${window}`);
    }
    if (j.thinktimeNs >= j.phase!.stopNs - j.phase!.startNs) throw fail(at('thinktime'), `a thinktime past the whole run (the job's ramp and runtime): each clone issues its iodepth once`);
  });
  if (x.zeroOverheads) {
    // Nothing would take time: a closed loop would complete I/Os forever at one instant.
    jobs.forEach((j, i) => {
      const dev = disks[j.disk].device;
      const writeCapped = doesWrite(j) && (dev.writeIopsCap > 0 || dev.writeBwCap > 0);
      const still = j.rateIops === 0 && j.thinktimeNs === 0 && dev.iopsCap === 0 && dev.bwCap === 0 && !writeCapped
        && new Distribution(dev.read).mean === 0 && new Distribution(dev.write).mean === 0;
      if (still) throw fail(s.jobs ? ['jobs', i] : ['job'], `with zero_overheads and a device that takes no time (${dev.name}), a closed-loop job never lets simulated time advance: give the device a service time or a cap, or the job a rate_iops or a thinktime`);
    });
  }
  const pollMax = s.iothread['poll-max-ns'];
  if (pollMax !== undefined && pollMax > 0 && !x.behaviour.aioPolling) {
    throw fail(['iothread', 'poll-max-ns'], `AioContext polling exists only since QEMU 2.9 (versions.qemu is ${x.versions.qemu}): leave it out or give 0`);
  }
  return {
    vm: {
      ...names,
      vcpus,
      haltPoll: haltPoll(podCpus(s, x.versions.kubevirt) !== null),
      iothread: {
        pollMaxNs: pollMax ?? (x.behaviour.aioPolling ? DEFAULT_POLL_MAX_NS : 0),
        pollGrow: s.iothread['poll-grow'],
        pollShrink: s.iothread['poll-shrink'],
        aioMaxBatch: s.iothread['aio-max-batch'],
        fdmon: s.iothread.fdmon ?? (x.behaviour.fdmonIoUring ? 'io_uring' : 'poll'),
      },
      disks,
      jobs,
      net,
    },
    kubevirtCores: kv?.cores,
    pins: kv?.pins ?? null,
    hostCpuPins: kv?.hostCpuPins ?? [],
  };
}

const POOL_SIZE = ['kubevirt', 'domain', 'ioThreads', 'supplementalPoolThreadCount'];

export type Point = { seed: number; variant: string; pointKey: string; replication: number };

/** What a run may replace of the scenario: cost defaults (the scenario's own overrides still win) and
 *  the host's speed (how `vqsim calibrate` tries its values, and `vqsim check` proves it catches drift). */
export interface RunOverrides { defaultCosts?: Partial<Costs>; cpuSpeed?: number }

/** What every VM of a run shares: the point, its timing, the costs and the releases. */
function resolveRun(s: Scenario, point: Point, o: RunOverrides): RunConfig {
  const exact = s.exact_costs || s.zero_overheads;
  return {
    seed: point.seed,
    variant: point.variant,
    pointKey: point.pointKey,
    replication: point.replication,
    durationNs: s.duration,
    warmupNs: s.warmup,
    costs: resolveCosts({ ...o.defaultCosts, ...(s.costs as Partial<Costs>) }, s.zero_overheads, o.cpuSpeed ?? s.host?.cpu_speed ?? 1),
    jitter: exact ? { cpu_cv: 0, wakeup_cv: 0 } : { ...DEFAULT_JITTER, ...s.jitter },
    behaviour: behaviourOf(versionsOf(s)),
  };
}

export function versionsOf(s: Scenario): Versions & { kubevirt: string } {
  return { ...NEWEST, kubevirt: KUBEVIRT_NEWEST, ...s.versions };
}

/**
 * KVM's halt polling by default; the guest haltpoll driver turns it off and polls in the guest. The
 * driver loads only when the host hints that the vCPU has a pCPU of its own (cpuidle-haltpoll's
 * haltpoll_want: KVM_HINTS_REALTIME, which libvirt's hint-dedicated sets), so `hinted` VMs get it
 * unless host.guest_haltpoll says no.
 */
function haltPollOf(s: Scenario, b: Behaviour, fail: Located, hinted: boolean): HaltPollParams {
  const h = s.host;
  const kvm = { ...KVM_HALT_POLL, maxNs: b.kvmHaltPoll ? KVM_HALT_POLL.maxNs : 0, shrink: b.haltPollShrink, adaptive: b.kvmHaltPollAdaptive };
  if (h?.guest_haltpoll ?? (hinted && b.guestHaltpoll)) {
    if (!b.guestHaltpoll) throw fail(['host', 'guest_haltpoll'], `cpuidle-haltpoll needs guest Linux 5.4 or later (versions.guest_kernel is ${versionsOf(s).guest_kernel})`);
    const g = GUEST_HALTPOLL;
    return { ...g, maxNs: h?.guest_halt_poll_ns ?? g.maxNs, grow: h?.guest_halt_poll_grow ?? g.grow, growStart: h?.guest_halt_poll_grow_start ?? g.growStart, shrink: h?.guest_halt_poll_shrink ?? g.shrink };
  }
  if (!h) return kvm;
  if (h.halt_poll_ns && !b.kvmHaltPoll) throw fail(['host', 'halt_poll_ns'], `KVM halt polling needs host Linux 4.0 or later (versions.host_kernel is ${versionsOf(s).host_kernel})`);
  return { ...kvm, maxNs: h.halt_poll_ns ?? kvm.maxNs, grow: h.halt_poll_ns_grow, growStart: h.halt_poll_ns_grow_start, shrink: h.halt_poll_ns_shrink ?? b.haltPollShrink };
}

