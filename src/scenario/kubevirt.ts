import type { Located } from './errors.js';
import type { DiskInput, VmSection } from './schema.js';

export type Warn = (path: (string | number)[], reason: string) => void;

/**
 * The VM KubeVirt would build (pkg/virt-launcher/virtwrap/converter: assignDiskIOThread and the
 * block multi-queue setting), as vqsim disks, plus the cores the pod's CPU request buys:
 * - supplementalPool: every virtio disk gets the whole pool, its queues round-robin over it; KubeVirt's
 *   guide asks for blockMultiQueue and io: native, and a disk without them is warned about;
 * - shared: one iothread for every virtio disk without dedicatedIOThread; auto: min(disks, 2 x vCPUs)
 *   iothreads, disks round-robin; dedicatedIOThread: a disk's own iothread;
 * - a disk not on the virtio bus gets no iothread: QEMU's main loop;
 * - blockMultiQueue: queues = vCPUs, else 1;
 * - CPU request = (vCPUs + pool threads) / cpuAllocationRatio, e.g. (16 + 4) / 10 = 2 cores, which the
 *   VM's threads share unless host.cores says otherwise.
 */
export function kubevirtTopology(s: VmSection, fail: Located, warn: Warn): { disks: DiskInput[]; cores: number } {
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
  const shared = d.devices.disks.filter((k) => k.disk.bus === 'virtio' && !k.dedicatedIOThread).length;
  const autoThreads = Math.max(1, Math.min(shared, 2 * vcpus));
  let nextAuto = 0;

  const disks = d.devices.disks.map((k, i): DiskInput => {
    const base: DiskInput = { ...s.disk, ...(s.disks?.find((x) => x.name === k.name) ?? {}), name: k.name };
    const io = k.io ?? 'native';
    const out: DiskInput = { ...base, 'num-queues': queues, aio: io, iothreads: undefined, iothread: undefined, 'iothread-vq-mapping': undefined };
    if (k.disk.bus !== 'virtio') {
      warn(at('devices', 'disks', i, 'disk', 'bus'), `disk ${k.name} on the ${k.disk.bus} bus gets no iothread: its I/O runs in QEMU's main loop (modelled as virtio-blk there)`);
      return { ...out, handler: 'main-loop' };
    }
    if (d.ioThreadsPolicy === 'supplementalPool') {
      if (!d.devices.blockMultiQueue) warn(at('devices', 'blockMultiQueue'), `disk ${k.name} has one queue without blockMultiQueue: only one pool iothread serves it`);
      if (io !== 'native') warn(at('devices', 'disks', i, 'io'), `disk ${k.name} uses io: ${io}; the supplementalPool guide asks for io: native`);
      return { ...out, handler: 'pool', iothreads: pool };
    }
    if (k.dedicatedIOThread) return { ...out, handler: 'dedicated' };
    if (d.ioThreadsPolicy === 'shared') return { ...out, handler: 'shared', iothread: 'kubevirt-iothread1' };
    return { ...out, handler: 'shared', iothread: `kubevirt-iothread${(nextAuto++ % autoThreads) + 1}` };
  });
  const request = (vcpus + (d.ioThreadsPolicy === 'supplementalPool' ? pool! : 0)) / kv.cpuAllocationRatio;
  return { disks, cores: Math.max(1, Math.ceil(request - 1e-9)) };
}
