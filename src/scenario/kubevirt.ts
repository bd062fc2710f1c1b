import type { Located } from './errors.js';
import { MAIN_LOOP, poolIothreadName } from '../model/qemu/iothread-mapping.js';
import type { DiskInput, VmSection } from './schema.js';

export type Warn = (path: (string | number)[], reason: string) => void;

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
 *   cores, which the VM's threads share unless host.cores says otherwise;
 * - cpu.dedicatedCpuPlacement: the pod's exclusive cores instead, pinned as dedicatedPins says.
 */
export function kubevirtTopology(s: VmSection, multiQueueDefault: boolean, fail: Located, warn: Warn): { disks: DiskInput[]; cores: number; nicQueues?: number; pins: Record<string, number[]> | null } {
  const kv = s.kubevirt!;
  const vcpus = s.vm.vcpus;
  const d = kv.domain;
  const at = (...p: (string | number)[]) => ['kubevirt', 'domain', ...p];
  const pool = d.ioThreads?.supplementalPoolThreadCount;
  if (d.ioThreadsPolicy === 'supplementalPool' && pool === undefined) {
    throw fail(at('ioThreads', 'supplementalPoolThreadCount'), 'required with ioThreadsPolicy: supplementalPool');
  }
  if (d.cpu.isolateEmulatorThread && !d.cpu.dedicatedCpuPlacement) {
    throw fail(at('cpu', 'isolateEmulatorThread'), 'only with dedicatedCpuPlacement: true (KubeVirt\'s admission webhook refuses it alone)');
  }
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
  // The SCSI controller (all scsi disks) gets the next auto iothread and a queue per vCPU when one of
  // its disks asks for a dedicated thread; otherwise it runs in the main loop (SetIOThreads).
  if (d.devices.disks.some((k) => k.disk.bus === 'scsi' && k.dedicatedIOThread)) {
    const iothread = `kubevirt-iothread${(nextAuto % autoThreads) + 1}`;
    disks.forEach((x, i) => { if (x.bus === 'scsi') disks[i] = { ...x, handler: 'shared', iothread }; });
  }
  const request = d.resources?.requests?.cpu
    ?? (vcpus + (d.ioThreadsPolicy === 'supplementalPool' ? pool! : 0)) / kv.cpuAllocationRatio;
  // converter.CalculateNetworkQueues: the requested vCPUs, capped at MultiQueueMaxQueues (the tap's 256).
  const nicQueues = d.devices.networkInterfaceMultiqueue ? Math.min(vcpus, 256) : undefined;
  if (d.cpu.dedicatedCpuPlacement) {
    // IOThread IDs as SetIOThreads numbers them: the pool's, or the auto ones, then the dedicated disks'.
    const iothreads = d.ioThreadsPolicy === 'supplementalPool'
      ? Array.from({ length: pool! }, (_, k) => poolIothreadName(k))
      : !hasIOThreads ? []
      : [...Array.from({ length: autoThreads }, (_, k) => `kubevirt-iothread${k + 1}`),
        ...d.devices.disks.filter((k) => k.dedicatedIOThread && k.disk.bus === 'virtio').map((k) => `${k.name}-iothread`)];
    return { disks, cores: podCpus(s)!, nicQueues, pins: dedicatedPins(vcpus, iothreads, d.cpu.isolateEmulatorThread) };
  }
  return { disks, cores: Math.max(1, Math.ceil(request - 1e-9)), nicQueues, pins: null };
}

/** The pod's exclusive cores under dedicatedCpuPlacement: one per vCPU, and the emulator's when isolated;
 *  null without it (the VM's threads share cores). */
export function podCpus(s: VmSection): number | null {
  const c = s.kubevirt?.domain.cpu;
  return c?.dedicatedCpuPlacement ? s.vm.vcpus + (c.isolateEmulatorThread ? 1 : 0) : null;
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
