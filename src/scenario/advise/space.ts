import type { ModelConfig, VmConfig } from '../../model/config.js';
import { MAIN_LOOP } from '../../model/qemu/iothread-mapping.js';

/** Where the VM came from: its settings are named in that tool's terms. */
export type Platform = 'scenario' | 'libvirt' | 'kubevirt' | 'qemu';

/** What advise varies for a VM's disks. threads: 0 = QEMU's main loop, 1 = one iothread for every disk,
 *  k > 1 = a pool of k iothreads with the queues spread over it (iothread-vq-mapping). */
export interface Setting {
  threads: number;
  queues: number;
  aio: string;
}

export interface Candidate {
  /** Its variant name in the sweep advise runs. */
  name: string;
  setting: Setting;
  /** The scenario fields it sets over the VM as given. */
  set: Record<string, unknown>;
}

/** What the VM is, as resolved (the importers' and KubeVirt's defaults applied). */
export interface VmFacts {
  vcpus: number;
  /** The host cores the VM's threads share (null: a core each). */
  cores: number | null;
  /** controller: a scsi LUN's virtio-scsi controller (its queues and iothreads are the controller's). */
  disks: { name: string; queues: number; aio: string; cache: string; contexts: string[]; controller: string | null }[];
}

export function vmFacts(c: ModelConfig): VmFacts {
  const vm: VmConfig = c.vms[0];
  return {
    vcpus: vm.vcpus,
    cores: c.cpu?.cores ?? null,
    disks: vm.disks.map((d) => ({
      name: d.name, queues: d.numQueues, aio: d.aio, cache: d.cache, contexts: d.vqContexts, controller: d.bus === 'scsi' ? d.controller ?? `${d.name}-scsi` : null,
    })),
  };
}

/** The current setting, read from the resolved disks: how many iothreads serve them, their first
 *  disk's queues and engine. */
export function currentSetting(f: VmFacts): Setting {
  const threads = new Set(f.disks.flatMap((d) => d.contexts).filter((c) => c !== MAIN_LOOP)).size;
  return { threads, queues: f.disks[0].queues, aio: f.disks[0].aio };
}

/** Pool sizes worth a point: every size to 8, then powers of two and the bound (the knee of a pool is
 *  found to a thread where pools are small, to a doubling where they are large). */
export function poolSizes(max: number): number[] {
  const out: number[] = [];
  for (let k = 2; k <= max; k = k < 8 ? k + 1 : k * 2) out.push(k);
  if (max >= 2 && out[out.length - 1] !== max) out.push(max);
  return out;
}

export function settingLabel(s: Setting): string {
  const who = s.threads === 0 ? 'main loop' : s.threads === 1 ? '1 iothread' : `pool of ${s.threads}`;
  return `${who}, ${s.queues} queue${s.queues === 1 ? '' : 's'}, aio ${s.aio}`;
}

/** Smaller first: fewer I/O threads, then fewer queues; the engine as listed. */
export function compareSettings(a: Setting, b: Setting, engines: string[]): number {
  return a.threads - b.threads || a.queues - b.queues || engines.indexOf(a.aio) - engines.indexOf(b.aio);
}

export interface SpaceOptions {
  platform: Platform;
  /** The largest pool tried (default: the vCPUs, and the host's cores where they are shared). */
  maxIothreads?: number;
}

/**
 * The settings a user can choose for this VM's disks, each as scenario fields: the handler (main loop,
 * one iothread, a pool of 2..N, N bounded by the vCPUs and the host's cores: a pool larger than either
 * has threads without a core or a queue; and the current size), the queues (as given, or one per vCPU), and the aio engine
 * (as given, native, and io_uring where the platform has it: KubeVirt's disks take native or threads).
 */
export function adviseSpace(doc: Record<string, unknown>, f: VmFacts, opts: SpaceOptions): { engines: string[]; candidates: Candidate[] } {
  const now = currentSetting(f);
  const kubevirt = doc.kubevirt !== undefined;
  // KubeVirt sizes the pod's CPUs with the pool (a CPU per supplemental-pool thread): its cores bound nothing.
  const bound = Math.min(f.vcpus, (kubevirt ? null : f.cores) ?? Infinity, opts.maxIothreads ?? Infinity);
  const engines = [...new Set([now.aio, 'native', ...(kubevirt ? [] : ['io_uring'])])];
  const queueChoices = [...new Set([now.queues, f.vcpus])].sort((a, b) => a - b);
  const handlers = [...new Set([0, 1, ...poolSizes(bound), now.threads])].sort((a, b) => a - b);
  const candidates: Candidate[] = [];
  for (const queues of queueChoices) {
    for (const threads of handlers) {
      // A pool larger than the queues leaves threads with nothing to serve.
      if (threads > Math.max(1, queues)) continue;
      for (const aio of engines) {
        const setting = { threads, queues, aio };
        const set = kubevirt ? kubevirtFields(doc, f, setting) : scenarioFields(doc, setting);
        candidates.push({ name: `${threads === 0 ? 'main-loop' : `iothreads-${threads}`}-q${queues}-${aio}`, setting, set });
      }
    }
  }
  return { engines, candidates };
}

/** vqsim's own disk fields, on disk: and on every disks: entry (which would otherwise win). */
function scenarioFields(doc: Record<string, unknown>, s: Setting): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    handler: s.threads === 0 ? 'main-loop' : s.threads === 1 ? 'shared' : 'pool',
    iothreads: s.threads > 1 ? s.threads : null,
    iothread: s.threads === 1 ? 'iothread0' : null,
    'iothread-vq-mapping': null,
    'num-queues': s.queues,
    aio: s.aio,
  };
  const targets = ['disk', ...(Array.isArray(doc.disks) ? doc.disks.map((_, i) => `disks.${i}`) : [])];
  return Object.fromEntries(targets.flatMap((t) => Object.entries(fields).map(([k, v]) => [`${t}.${k}`, v])));
}

/** KubeVirt's own fields: ioThreadsPolicy (none, shared, supplementalPool), blockMultiQueue, each
 *  disk's io. A policy of none also drops dedicatedIOThread (it would bring IOThreads back). */
function kubevirtFields(doc: Record<string, unknown>, f: VmFacts, s: Setting): Record<string, unknown> {
  const domain = 'kubevirt.domain';
  const disks = ((doc.kubevirt as { domain?: { devices?: { disks?: unknown[] } } }).domain?.devices?.disks ?? []);
  const set: Record<string, unknown> = {
    [`${domain}.ioThreadsPolicy`]: s.threads === 0 ? null : s.threads === 1 ? 'shared' : 'supplementalPool',
    [`${domain}.ioThreads`]: s.threads > 1 ? { supplementalPoolThreadCount: s.threads } : null,
    [`${domain}.devices.blockMultiQueue`]: s.queues === f.vcpus && f.vcpus > 1,
  };
  disks.forEach((_, i) => {
    set[`${domain}.devices.disks.${i}.io`] = s.aio;
    set[`${domain}.devices.disks.${i}.dedicatedIOThread`] = null;
  });
  return set;
}
