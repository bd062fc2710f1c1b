import type { Located } from './errors.js';
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
 *   (its limit without one, else 1 CPU) less the dedicated ones, at least one, disks round-robin;
 *   dedicatedIOThread: a disk's own iothread;
 * - a scsi disk is a LUN of the VM's virtio-scsi controller (a queue per vCPU): in QEMU's main loop,
 *   unless one of the scsi disks is dedicatedIOThread, when the controller takes the next auto iothread;
 * - a disk on another bus (sata, usb) gets no iothread: QEMU's main loop;
 * - cache: the disk's, else none (SetDriverCacheMode, the volume taken to support O_DIRECT); io: the
 *   disk's, else native with cache none and threads otherwise (SetOptimalIOMode);
 * - blockMultiQueue: queues = vCPUs, else 1; networkInterfaceMultiqueue: NIC queues = vCPUs (at most 256);
 * - CPU request = the VMI's, or (vCPUs + pool threads) / cpuAllocationRatio, e.g. (16 + 4) / 10 = 2
 *   cores, which the VM's threads share unless host.cores says otherwise.
 */
export function kubevirtTopology(s: VmSection, fail: Located, warn: Warn): { disks: DiskInput[]; cores: number; nicQueues?: number } {
  const kv = s.kubevirt!;
  const vcpus = s.vm.vcpus;
  const d = kv.domain;
  const at = (...p: (string | number)[]) => ['kubevirt', 'domain', ...p];
  const pool = d.ioThreads?.supplementalPoolThreadCount;
  if (d.ioThreadsPolicy === 'supplementalPool' && pool === undefined) {
    throw fail(at('ioThreads', 'supplementalPoolThreadCount'), 'required with ioThreadsPolicy: supplementalPool');
  }
  const names = new Set(d.devices.disks.map((k) => k.name));
  s.disks?.forEach((x, i) => {
    if (!names.has(x.name)) throw fail(['disks', i, 'name'], `no KubeVirt disk named "${x.name}" under kubevirt.domain.devices.disks`);
  });
  const queues = d.devices.blockMultiQueue ? vcpus : 1;
  const dedicated = d.devices.disks.filter((k) => k.dedicatedIOThread).length;
  const hasIOThreads = d.ioThreadsPolicy !== undefined || dedicated > 0;
  // Resource.Quantity.Value() rounds up: "1500m" is 2.
  const cpuRequest = d.resources?.requests?.cpu ?? d.resources?.limits?.cpu;
  const poolLimit = d.ioThreadsPolicy === 'auto' ? 2 * Math.ceil(cpuRequest ?? 1) : 1;
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
      if (!d.devices.blockMultiQueue) warn(at('devices', 'blockMultiQueue'), `disk ${k.name} has one queue without blockMultiQueue: only one pool iothread serves it`);
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
  return { disks, cores: Math.max(1, Math.ceil(request - 1e-9)), nicQueues };
}
