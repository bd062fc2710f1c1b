import type { Located } from './errors.js';
import { MAIN_LOOP, poolIothreadName } from '../model/qemu/iothread-mapping.js';
import { atLeast } from '../model/versions.js';
import type { DiskInput, VmSection } from './schema.js';

export type Warn = (path: (string | number)[], reason: string) => void;

/** The newest KubeVirt release whose converter and resource renderer were read (versions.kubevirt). */
export const KUBEVIRT_NEWEST = '1.9';

/** What changed between KubeVirt releases around the supplemental pool (docs/model.md, KubeVirt). */
export interface KubevirtBehaviour {
  /** supplementalPool exists (1.5, kubevirt#13110). */
  supplementalPool: boolean;
  /** The pod's CPU request counts a CPU per pool thread, / cpuAllocationRatio without dedicated CPUs
   *  (1.6, kubevirt#14569 "Fix cpu counting for io threads count"). Before, only the dedicated pod's
   *  limit saw the pool (WithIOThreads), and it replaced the vCPUs' count there. */
  poolInCpuRequest: boolean;
  /** With dedicatedCpuPlacement, each pool IOThread takes a pod CPU of its own after the vCPUs and
   *  before the emulator's (1.9, kubevirt#16996, FormatDomainIOThreadSupplementalPin). Before, IOThread
   *  i was pinned to host CPU (vCPUs with hot-plug) + i (+ 1 with the emulator isolated): a number, not a
   *  CPU of the pod's cpuset (kubevirt#16992). */
  poolOwnCpus: boolean;
  /** maxSockets defaults to sockets x maxHotplugRatio (4): the VM rollout strategy is LiveUpdate by
   *  default (1.6); before, Stage, and no hot-plug sockets unless given. */
  hotplugByDefault: boolean;
  /** The virtio-scsi controller's queues spread over the VM's IOThreads as its policy gives them (1.10,
   *  VEP 342, behind the SCSIMultiIOThread feature gate; kubevirt#18249). Before, one IOThread at most. */
  scsiMultiIothread: boolean;
}

export function kubevirtBehaviour(release: string, featureGates: readonly string[]): KubevirtBehaviour {
  return {
    supplementalPool: atLeast(release, '1.5'),
    poolInCpuRequest: atLeast(release, '1.6'),
    poolOwnCpus: atLeast(release, '1.9'),
    hotplugByDefault: atLeast(release, '1.6'),
    scsiMultiIothread: atLeast(release, '1.10') && featureGates.includes('SCSIMultiIOThread'),
  };
}

/**
 * The VM KubeVirt would build (pkg/virt-launcher/virtwrap/converter, iothreads: HasIOThreads,
 * getIOThreadsCountType, SetIOThreads; the multi-queue settings), as vqsim disks, plus the cores the
 * pod's CPU request buys:
 * - no ioThreadsPolicy and no dedicatedIOThread disk: no IOThreads at all, every disk in QEMU's main loop;
 * - supplementalPool: every virtio disk gets the whole pool, its queues round-robin over it; KubeVirt's
 *   guide asks for blockMultiQueue and io: native, and a disk without them is warned about;
 * - shared (or no policy beside a dedicated disk): one iothread for every disk without
 *   dedicatedIOThread; auto: one per such disk (every bus counts), at most 2 x the VMI's CPU request
 *   (its limit without one, else 1 CPU; 1 with an isolated emulator thread) less the dedicated ones,
 *   at least one, disks round-robin;
 *   dedicatedIOThread: a disk's own iothread;
 * - a scsi disk is a LUN of the VM's virtio-scsi controller (a queue per vCPU): in QEMU's main loop,
 *   unless one of the scsi disks is dedicatedIOThread, when the controller takes the next auto iothread;
 * - a disk on another bus (sata, usb) gets no iothread: QEMU's main loop;
 * - cache: the disk's, else none (SetDriverCacheMode, the volume taken to support O_DIRECT); io: the
 *   disk's, else native with cache none and threads otherwise (SetOptimalIOMode);
 * - blockMultiQueue: queues = vCPUs; without it KubeVirt sets no queues (Convert_v1_Disk_To_api_Disk gets
 *   nil), so QEMU's default holds: a queue per vCPU on 5.2+ machine types (KubeVirt's q35 is the newest),
 *   one before (`multiQueueDefault`); networkInterfaceMultiqueue: NIC queues = vCPUs (at most 256);
 * - CPU request = the VMI's, or (vCPUs + pool threads) / cpuAllocationRatio, e.g. (16 + 4) / 10 = 2
 *   cores (the pool counted since 1.6), which the VM's threads share unless host.cores says otherwise;
 * - cpu.dedicatedCpuPlacement: the pod's exclusive cores instead (podCpus), pinned as dedicatedPins
 *   says, or poolPins with a supplemental pool.
 */
export interface KubevirtTopology {
  disks: DiskInput[];
  cores: number;
  nicQueues?: number;
  /** Thread -> indices into the pod's cores (null: no pins). */
  pins: Record<string, number[]> | null;
  /** Pins to a host CPU by number (KubeVirt before 1.9 pinned the pool so): where the pod's cpuset does
   *  not hold it, libvirt cannot set the affinity and the VM does not start (`why` says so). */
  hostCpuPins: { thread: string; cpu: number; why: string }[];
}

export function kubevirtTopology(s: VmSection, release: string, multiQueueDefault: boolean, fail: Located, warn: Warn): KubevirtTopology {
  const kv = s.kubevirt!;
  const b = kubevirtBehaviour(release, kv.featureGates);
  const vcpus = s.vm.vcpus;
  const d = kv.domain;
  const at = (...p: (string | number)[]) => ['kubevirt', 'domain', ...p];
  const pool = d.ioThreads?.supplementalPoolThreadCount;
  if (d.ioThreadsPolicy === 'supplementalPool' && !b.supplementalPool) {
    throw fail(at('ioThreadsPolicy'), `supplementalPool arrived in KubeVirt 1.5 (versions.kubevirt is ${release})`);
  }
  if (d.ioThreadsPolicy === 'supplementalPool' && pool === undefined) {
    throw fail(at('ioThreads', 'supplementalPoolThreadCount'), 'required with ioThreadsPolicy: supplementalPool');
  }
  if (d.cpu.isolateEmulatorThread && !d.cpu.dedicatedCpuPlacement) {
    throw fail(at('cpu', 'isolateEmulatorThread'), 'only with dedicatedCpuPlacement: true (KubeVirt\'s admission webhook refuses it alone)');
  }
  if (vcpus % d.cpu.sockets !== 0) throw fail(at('cpu', 'sockets'), `${d.cpu.sockets} sockets do not divide vm.vcpus ${vcpus} (sockets x cores x threads)`);
  const names = new Set(d.devices.disks.map((k) => k.name));
  s.disks?.forEach((x, i) => {
    if (!names.has(x.name)) throw fail(['disks', i, 'name'], `no KubeVirt disk named "${x.name}" under kubevirt.domain.devices.disks`);
  });
  const queues = d.devices.blockMultiQueue || multiQueueDefault ? vcpus : 1;
  const dedicated = d.devices.disks.filter((k) => k.dedicatedIOThread).length;
  const hasIOThreads = d.ioThreadsPolicy !== undefined || dedicated > 0;
  // Resource.Quantity.Value() rounds up: "1500m" is 2.
  const cpuRequest = d.resources?.requests?.cpu ?? d.resources?.limits?.cpu;
  // auto with the emulator on a core of its own: one IOThread, beside it (getThreadPoolLimit).
  const isolated = d.cpu.dedicatedCpuPlacement && d.cpu.isolateEmulatorThread;
  const poolLimit = d.ioThreadsPolicy === 'auto' && !isolated ? 2 * Math.ceil(cpuRequest ?? 1) : 1;
  const sharedDisks = d.devices.disks.length - dedicated;
  const autoThreads = sharedDisks + dedicated > poolLimit ? Math.max(1, poolLimit - dedicated) : Math.max(1, sharedDisks);
  let nextAuto = 0;

  const disks = d.devices.disks.map((k, i): DiskInput => {
    const base: DiskInput = { ...s.disk, ...(s.disks?.find((x) => x.name === k.name) ?? {}), name: k.name };
    // SetDriverCacheMode: none where the volume takes O_DIRECT; SetOptimalIOMode: native only with it.
    const cache = k.cache ?? 'none';
    const io = k.io ?? (cache === 'none' ? 'native' : 'threads');
    const out: DiskInput = { ...base, 'num-queues': queues, aio: io, cache, iothreads: undefined, iothread: undefined, 'iothread-vq-mapping': undefined };
    if (k.disk.bus === 'scsi') return { ...out, bus: 'scsi', controller: 'scsi0', 'num-queues': vcpus, handler: 'main-loop' }; // placed below
    if (k.disk.bus !== 'virtio') {
      warn(at('devices', 'disks', i, 'disk', 'bus'), `disk ${k.name} on the ${k.disk.bus} bus gets no iothread: its I/O runs in QEMU's main loop (modelled as virtio-blk there)`);
      return { ...out, handler: 'main-loop' };
    }
    if (!hasIOThreads) return { ...out, handler: 'main-loop' };
    if (d.ioThreadsPolicy === 'supplementalPool') {
      if (queues === 1 && vcpus > 1) warn(at('devices', 'blockMultiQueue'), `disk ${k.name} has one queue without blockMultiQueue on a machine type before 5.2: only one pool iothread serves it`);
      if (io !== 'native') warn(at('devices', 'disks', i, 'io'), `disk ${k.name} uses io: ${io}; the supplementalPool guide asks for io: native`);
      return { ...out, handler: 'pool', iothreads: pool };
    }
    if (k.dedicatedIOThread) return { ...out, handler: 'dedicated' };
    return { ...out, handler: 'shared', iothread: `kubevirt-iothread${(nextAuto++ % autoThreads) + 1}` };
  });
  // With SCSIMultiIOThread (1.10), the controller takes what the policy gives: the shared IOThread, every
  // auto one (at most one per queue), or the whole supplemental pool, its queues spread over them.
  // Before, the SCSI controller (all scsi disks) gets the next auto iothread and a queue per vCPU when
  // one of its disks asks for a dedicated thread; otherwise it runs in the main loop (SetIOThreads).
  if (b.scsiMultiIothread && d.ioThreadsPolicy !== undefined) {
    const controller: Partial<DiskInput> = d.ioThreadsPolicy === 'supplementalPool' ? { handler: 'pool', iothreads: pool }
      : d.ioThreadsPolicy === 'shared' ? { handler: 'shared', iothread: 'kubevirt-iothread1' }
      : { handler: 'pool', 'iothread-vq-mapping': Array.from({ length: Math.min(autoThreads, vcpus) }, (_, k) => ({ iothread: `kubevirt-iothread${k + 1}` })) };
    disks.forEach((x, i) => { if (x.bus === 'scsi') disks[i] = { ...x, ...controller }; });
  } else if (d.devices.disks.some((k) => k.disk.bus === 'scsi' && k.dedicatedIOThread)) {
    const iothread = `kubevirt-iothread${(nextAuto % autoThreads) + 1}`;
    disks.forEach((x, i) => { if (x.bus === 'scsi') disks[i] = { ...x, handler: 'shared', iothread }; });
  }
  const request = d.resources?.requests?.cpu
    ?? (vcpus + (d.ioThreadsPolicy === 'supplementalPool' && b.poolInCpuRequest ? pool! : 0)) / kv.cpuAllocationRatio;
  // converter.CalculateNetworkQueues: the requested vCPUs, capped at MultiQueueMaxQueues (the tap's 256).
  const nicQueues = d.devices.networkInterfaceMultiqueue ? Math.min(vcpus, 256) : undefined;
  if (d.cpu.dedicatedCpuPlacement) {
    const cores = podCpus(s, release)!;
    if (cores < vcpus) {
      throw fail(at('ioThreads', 'supplementalPoolThreadCount'), `KubeVirt ${release} gives this dedicated-CPU pod ${cores} CPUs, the pool's count (WithIOThreads put it in place of the vCPUs' in the pod's limit; kubevirt#14569, 1.6): ${vcpus} vCPUs do not fit and the VM does not start`);
    }
    if (d.ioThreadsPolicy === 'supplementalPool') return { disks, cores, nicQueues, ...poolPins(s, release, pool!, b) };
    // IOThread IDs as SetIOThreads numbers them: the auto ones, then the dedicated disks'.
    const iothreads = !hasIOThreads ? []
      : [...Array.from({ length: autoThreads }, (_, k) => `kubevirt-iothread${k + 1}`),
        ...d.devices.disks.filter((k) => k.dedicatedIOThread && k.disk.bus === 'virtio').map((k) => `${k.name}-iothread`)];
    return { disks, cores, nicQueues, pins: dedicatedPins(vcpus, iothreads, d.cpu.isolateEmulatorThread), hostCpuPins: [] };
  }
  return { disks, cores: Math.max(1, Math.ceil(request - 1e-9)), nicQueues, pins: null, hostCpuPins: [] };
}

/**
 * A dedicated-CPU VM's pins with a supplemental pool (converter vcpu.go AdjustDomainForTopologyAndCPUSet):
 * vCPU i on pod core i. Since 1.9 each pool IOThread on the next pod core (cpuPool.FitThread), then the
 * emulator's. Before, the emulator on the core after the vCPUs and IOThread i on host CPU number
 * (the domain's vCPUs, hot-plug sockets included) + i (+ 1 with the emulator isolated): with
 * maxSockets = 4 x sockets (1.6's default) far past the pod's cores.
 */
function poolPins(s: VmSection, release: string, pool: number, b: KubevirtBehaviour): Pick<KubevirtTopology, 'pins' | 'hostCpuPins'> {
  const vcpus = s.vm.vcpus;
  const c = s.kubevirt!.domain.cpu;
  const pins: Record<string, number[]> = {};
  for (let i = 0; i < vcpus; i++) pins[`vcpu${i}`] = [i];
  if (b.poolOwnCpus) {
    for (let k = 0; k < pool; k++) pins[poolIothreadName(k)] = [vcpus + k];
    if (c.isolateEmulatorThread) pins[MAIN_LOOP] = [vcpus + pool];
    return { pins, hostCpuPins: [] };
  }
  if (c.isolateEmulatorThread) pins[MAIN_LOOP] = [vcpus];
  const domainVcpus = (c.maxSockets ?? (b.hotplugByDefault ? 4 * c.sockets : c.sockets)) * (vcpus / c.sockets);
  const emulator = c.isolateEmulatorThread ? 1 : 0;
  const hostCpuPins = Array.from({ length: pool }, (_, k) => {
    const cpu = domainVcpus + k + 1 + emulator;
    return {
      thread: poolIothreadName(k), cpu,
      why: `KubeVirt ${release} pins pool IOThread ${k + 1} to host CPU ${cpu} (the domain's ${domainVcpus} vCPUs with hot-plug sockets + ${k + 1}${emulator ? ' + 1 for the isolated emulator' : ''}), which is not one of the pod's CPUs: libvirt cannot set its affinity and the VM does not start (kubevirt#16992, fixed in 1.9.0 by kubevirt#16996)`,
    };
  });
  return { pins, hostCpuPins };
}

/** The pod's exclusive cores under dedicatedCpuPlacement (renderresources.go WithCPUPinning): one per
 *  vCPU and per supplemental-pool IOThread, and the emulator's when isolated; KubeVirt 1.5 put the
 *  pool's count in place of the vCPUs' unless the emulator was isolated. null without it (the VM's
 *  threads share cores). */
export function podCpus(s: VmSection, release: string): number | null {
  const d = s.kubevirt?.domain;
  if (!d?.cpu.dedicatedCpuPlacement) return null;
  const pool = d.ioThreadsPolicy === 'supplementalPool' ? d.ioThreads?.supplementalPoolThreadCount ?? 0 : 0;
  const emulator = d.cpu.isolateEmulatorThread ? 1 : 0;
  if (pool > 0 && !emulator && !kubevirtBehaviour(release, []).poolInCpuRequest) return pool;
  return s.vm.vcpus + pool + emulator;
}

/**
 * Where KubeVirt pins a dedicated-CPU VM's threads, as indices into the pod's cores
 * (converter AdjustDomainForTopologyAndCPUSet, FormatDomainIOThreadPin): vCPU i on core i; with
 * isolateEmulatorThread the emulator (QEMU's main loop) on the extra core, and IOThread 1 beside it;
 * else IOThreads on the vCPUs' cores: one each when there are at least as many IOThreads as vCPUs
 * (IOThread t on core t mod vCPUs), else balanced slices (3 over 8: 0-2, 3-5, 6-7). A thread not
 * pinned here (the emulator without isolation, the other IOThreads, vhost workers) runs anywhere in
 * the pod's cpuset (libvirt's qemuProcessSetupPid gives it every CPU; the pod's cgroup bounds it).
 */
export function dedicatedPins(vcpus: number, iothreads: readonly string[], isolate: boolean): Record<string, number[]> {
  const pins: Record<string, number[]> = {};
  for (let i = 0; i < vcpus; i++) pins[`vcpu${i}`] = [i];
  const n = iothreads.length;
  if (isolate) {
    pins[MAIN_LOOP] = [vcpus];
    if (n > 0) pins[iothreads[0]] = [vcpus];
  } else if (n >= vcpus) {
    iothreads.forEach((t, k) => { pins[t] = [(k + 1) % vcpus]; });
  } else {
    let next = 0;
    iothreads.forEach((t, k) => {
      const size = Math.floor(vcpus / n) + (k < vcpus % n ? 1 : 0);
      pins[t] = Array.from({ length: size }, (_, j) => next + j);
      next += size;
    });
  }
  return pins;
}
