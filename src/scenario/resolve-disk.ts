import { Distribution, type DistSpec } from '../engine/distribution.js';
import { atLeast, type Behaviour, type Versions } from '../model/versions.js';
import type { DiskConfig, HostDeviceConfig } from '../model/config.js';
import type { DiskBackendKind } from '../model/blk/setup.js';
import { CACHE_DIRECT } from '../model/storage/cache-modes.js';
import type { DeviceConfig } from '../model/storage/device.js';
import { DEVICE_PRESETS } from '../model/storage/presets.js';
import type { Handler } from '../model/qemu/iothread-mapping.js';
import type { AioKind } from '../model/qemu/aio/engine.js';
import { aioEngine, aioEngineNames } from '../model/qemu/aio/registry.js';
import type { Located } from './errors.js';
import type { Warn } from './kubevirt.js';
import type { DeviceInput, DiskInput, JobInput } from './schema.js';

/* A disk's fields -> the model's: who serves it, its aio engine and handler, its device, the guest's
   scheduler, with the rules that tie them to each other and to the releases. */

/** Where a VM's errors and warnings point: its fields' paths in the file (`vms.<i>` in the host form). */
export interface VmContext {
  fail: Located;
  warn: Warn;
  /** The host's storage devices so far: a VM's private devices are added, shared ones named. */
  devices: HostDeviceConfig[];
  shared: Map<string, number>;
  behaviour: Behaviour;
  versions: Versions & { kubevirt: string };
  zeroOverheads: boolean;
  /** The measured window and the warmup before it, ns. */
  durationNs: number;
  warmupNs: number;
}

/** The guest's I/O scheduler: elevator_get_default's mq-deadline for a request queue with one hardware
 *  queue (virtio-blk and virtio-scsi map at most one per vCPU), where the guest kernel has it. */
export function schedulerOf(d: DiskInput, hwQueues: number, at: (key: string) => (string | number)[], x: VmContext): DiskConfig['scheduler'] {
  if (d.scheduler === 'mq-deadline' && !x.behaviour.mqDeadlineDefault) {
    throw x.fail(at('scheduler'), `mq-deadline needs guest Linux 4.11 or later (versions.guest_kernel is ${x.versions.guest_kernel})`);
  }
  // BFQ came to blk-mq in Linux 4.12 ("block, bfq: introduce the BFQ-v0 I/O scheduler as an extra scheduler").
  if (d.scheduler === 'bfq' && !atLeast(x.versions.guest_kernel, '4.12')) {
    throw x.fail(at('scheduler'), `bfq needs guest Linux 4.12 or later (versions.guest_kernel is ${x.versions.guest_kernel})`);
  }
  return d.scheduler ?? (x.behaviour.mqDeadlineDefault && hwQueues === 1 ? 'mq-deadline' : 'none');
}

/** fio fsync: refused on a job that never writes (it would never fsync). */
export function fsyncOf(j: JobInput, at: (k: string) => (string | number)[], fail: Located): number {
  if (!j.fsync) return 0;
  const rw = j.rw ?? 'randread';
  if (rw === 'read' || rw === 'randread') throw fail(at('fsync'), `fsync follows writes; this job (rw ${rw}) does none: give rw write, randwrite, rw or randrw, or drop fsync`);
  return j.fsync;
}

/** The disk's aio engine: native unless given, or threads (QEMU's default) where the host page cache is
 *  used: QEMU refuses aio=native without cache.direct=on. */
export function aioOf(d: DiskInput, at: (k: string) => (string | number)[], fail: Located): AioKind {
  const direct = CACHE_DIRECT[d.cache ?? 'none'];
  if (d.aio !== undefined && aioEngine(d.aio).needsDirect && !direct) {
    const others = aioEngineNames().filter((n) => !aioEngine(n).needsDirect).join(' or ');
    throw fail(at('aio'), `aio=${d.aio} requires cache.direct=on (QEMU refuses it): with cache ${d.cache}, give aio ${others}, or cache none or directsync`);
  }
  return d.aio ?? (direct ? 'native' : 'threads');
}

/** QEMU's fields that have no meaning for a disk served outside QEMU. */
const QEMU_ONLY = ['handler', 'iothreads', 'iothread', 'iothread-vq-mapping', 'aio', 'request-merging', 'cache'] as const;

/** Who serves the disk, with the fields and releases that go with it. */
export function backendOf(d: DiskInput, at: (k: string) => (string | number)[], x: VmContext): DiskBackendKind {
  const { fail } = x;
  const backend = d.backend ?? 'qemu';
  if (backend === 'vhost' && d.bus !== 'scsi') throw fail(at('backend'), 'vhost is vhost-scsi-pci: it needs bus: scsi');
  if (backend === 'vhost-user' && d.bus === 'scsi') throw fail(at('backend'), 'vhost-user is vhost-user-blk-pci here: it needs bus: virtio');
  if (backend !== 'qemu') {
    const given = QEMU_ONLY.find((k) => d[k] !== undefined);
    if (given) throw fail(at(given), `applies to disks QEMU serves (backend: qemu); this disk's backend is ${backend}`);
  }
  if (d.worker_per_virtqueue !== undefined) {
    if (backend !== 'vhost') throw fail(at('worker_per_virtqueue'), 'applies only to backend: vhost (vhost-scsi)');
    if (d.worker_per_virtqueue && !atLeast(x.versions.qemu, '9.0')) {
      throw fail(at('worker_per_virtqueue'), `needs QEMU 9.0 or later (versions.qemu is ${x.versions.qemu})`);
    }
    if (d.worker_per_virtqueue && !atLeast(x.versions.host_kernel, '6.4')) {
      throw fail(at('worker_per_virtqueue'), `needs a host kernel with VHOST_NEW_WORKER, Linux 6.4 or later (versions.host_kernel is ${x.versions.host_kernel})`);
    }
  }
  return backend;
}

export function handlerOf(d: DiskInput, at: (k: string) => (string | number)[], fail: Located): Handler {
  const kind = d.handler ?? 'dedicated';
  if (d.iothreads !== undefined && kind !== 'pool') throw fail(at('iothreads'), `applies only to handler: pool (this disk's handler is ${kind})`);
  if (d.iothread !== undefined && kind !== 'shared') throw fail(at('iothread'), `applies only to handler: shared (this disk's handler is ${kind})`);
  const mapping = d['iothread-vq-mapping'];
  if (mapping !== undefined) {
    if (kind !== 'pool') throw fail(at('iothread-vq-mapping'), `applies only to handler: pool (this disk's handler is ${kind})`);
    if (d.iothreads !== undefined) throw fail(at('iothreads'), 'give either iothreads or iothread-vq-mapping, not both');
    return { kind: 'mapping', entries: mapping };
  }
  switch (kind) {
    case 'main-loop': return { kind };
    case 'dedicated': return { kind };
    case 'shared': return { kind, iothread: d.iothread ?? 'iothread0' };
    case 'pool': return { kind, iothreads: d.iothreads ?? 1 };
  }
}

export function resolveDevice(
  spec: string | DeviceInput,
  custom: Record<string, DeviceInput>,
  path: (string | number)[],
  fail: Located,
): DeviceConfig {
  const known = () => [...Object.keys(DEVICE_PRESETS), ...Object.keys(custom)].join(', ');
  let name: string;
  let input: DeviceInput;
  let inputPath = path;
  if (typeof spec === 'string') {
    if (DEVICE_PRESETS[spec]) return { name: spec, ...DEVICE_PRESETS[spec] };
    if (!custom[spec]) throw fail(path, `no device named "${spec}" (known: ${known()})`);
    name = spec;
    input = custom[spec];
    inputPath = ['devices', spec];
  } else {
    name = spec.preset ?? 'inline';
    input = spec;
  }
  const presetName = input.preset ?? 'nvme-tlc';
  const preset = DEVICE_PRESETS[presetName];
  if (!preset) throw fail([...inputPath, 'preset'], `no device preset named "${presetName}" (presets: ${Object.keys(DEVICE_PRESETS).join(', ')})`);
  const dist = (key: 'read' | 'write', d: DistSpec | undefined): DistSpec => {
    if (!d) return preset[key];
    checkDistribution(d, [...inputPath, key], fail);
    return d;
  };
  return {
    name,
    queueDepth: input.queue_depth ?? preset.queueDepth,
    parallelism: input.parallelism ?? preset.parallelism,
    dispatch: input.dispatch ?? preset.dispatch,
    read: dist('read', input.read),
    write: dist('write', input.write),
    iopsCap: input.iops_cap ?? preset.iopsCap,
    bwCap: input.bw_cap_mib_s !== undefined ? input.bw_cap_mib_s * 1024 * 1024 : preset.bwCap,
    writeIopsCap: input.write_iops_cap ?? preset.writeIopsCap,
    writeBwCap: input.write_bw_cap_mib_s !== undefined ? input.write_bw_cap_mib_s * 1024 * 1024 : preset.writeBwCap,
    maxTransfer: input.max_transfer ?? preset.maxTransfer,
    driver: input.driver ?? preset.driver,
  };
}

function checkDistribution(d: DistSpec, path: (string | number)[], fail: Located): void {
  if (d.dist === 'uniform' && d.max < d.min) throw fail([...path, 'max'], 'must be at least min');
  if (d.dist === 'empirical') {
    const q = d.quantiles;
    const sorted = q.every((row, i) => i === 0 || (row[0] > q[i - 1][0] && row[1] >= q[i - 1][1]));
    if (!sorted || q[0][0] !== 0 || q[q.length - 1][0] !== 1) {
      throw fail([...path, 'quantiles'], 'expected [probability, value] rows from 0 to 1, both increasing');
    }
  }
  try {
    new Distribution(d);
  } catch (e) {
    throw fail(path, (e as Error).message);
  }
}
