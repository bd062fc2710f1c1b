import type { DiskConfig, ModelConfig, VmConfig } from '../model/config.js';
import { SCHED_DEFAULTS, type HostParams } from '../model/host/host-cpu.js';
import { cstatesOf, DEFAULT_CSTATES } from '../model/host/cstates.js';
import { THREAD_ROLES } from '../model/host/roles.js';
import { MAIN_LOOP } from '../model/qemu/iothread-mapping.js';
import type { Behaviour } from '../model/versions.js';
import type { Located } from './errors.js';
import type { KubevirtTopology, Warn } from './kubevirt.js';
import type { Scenario, VmEntry } from './schema.js';

/* Where the VMs' threads run: the host's cores and scheduler, cpusets and pins, the vhost-user target's
   reactors. */

/** host.pins: each named thread of the VM (its vCPUs, the AioContexts its disks use, the main loop) on
 *  host cores that exist; an iothread no disk uses (declared, as libvirt's <iothreads> may, and idle)
 *  is said to take no part. */
export function threadPins(s: Scenario, vm: { vcpus: number; disks: { vqContexts: string[] }[] }, cpu: HostParams | null, fail: Located, warn: Warn): Record<string, number[]> {
  const pins = s.host?.pins ?? {};
  const threads = new Set([...Array.from({ length: vm.vcpus }, (_, i) => `vcpu${i}`), ...vm.disks.flatMap((d) => d.vqContexts), MAIN_LOOP]);
  const cores = cpu?.cores ?? 0;
  for (const [thread, set] of Object.entries(pins)) {
    if (/^vcpu\d+$/.test(thread) && !threads.has(thread)) throw fail(['host', 'pins', thread], `the VM has ${vm.vcpus} vCPUs (vcpu0-vcpu${vm.vcpus - 1})`);
    if (!threads.has(thread)) warn(['host', 'pins', thread], `no disk of the VM runs in an iothread named ${thread} (its threads: ${[...threads].join(', ')}): the pin takes no part`);
    if (cores === 0) throw fail(['host', 'pins', thread], 'pins need host.cores (the cores the threads share)');
    const bad = set.find((c) => c >= cores);
    if (bad !== undefined) throw fail(['host', 'pins', thread], `core ${bad} is not among the ${cores} host cores (0-${cores - 1})`);
  }
  return pins;
}

/** A VM's pinned threads on host cores: its pins are indices into its pod's cores; a pin to a host CPU
 *  by number holds only where the pod's cpuset has that CPU (else `refuse` says why the VM fails). */
export function pinned(pins: Record<string, number[]> | null, hostCpuPins: KubevirtTopology['hostCpuPins'], podCores: number[] | null, refuse: (why: string) => Error): Record<string, number[]> {
  if (pins === null || podCores === null) return {};
  const out = Object.fromEntries(Object.entries(pins).map(([t, idx]) => [t, idx.map((i) => podCores[i])]));
  for (const p of hostCpuPins) {
    if (!podCores.includes(p.cpu)) throw refuse(`${p.why} (the pod's CPUs: ${podCores[0]}-${podCores[podCores.length - 1]})`);
    out[p.thread] = [p.cpu];
  }
  return out;
}

/** The host's cores and scheduling; null (a core for every thread) without a host: section or KubeVirt. */
export function cpuOf(s: Scenario, kubevirtCores: number | undefined, b: Behaviour): HostParams | null {
  const h = s.host;
  if (!h && !kubevirtCores) return null;
  return {
    cores: h?.cores || kubevirtCores || 0,
    sliceNs: h?.sched_slice ?? SCHED_DEFAULTS.sliceNs,
    cstates: cstatesOf(h?.cstates ?? DEFAULT_CSTATES),
    policy: b.eevdf ? 'eevdf' : 'cfs',
    wakeupGranNs: h?.sched_wakeup_granularity ?? SCHED_DEFAULTS.wakeupGranNs,
    latencyNs: h?.sched_latency ?? SCHED_DEFAULTS.latencyNs,
    delayDequeue: b.delayDequeue,
  };
}

/**
 * Where a VM's threads may run: the host's cpusets by role, within the VM's own cpuset or NUMA node
 * (host form), outside the cores `taken` by dedicated-CPU VMs; a dedicated-CPU VM's threads on its
 * pod's cores (`podCores`); and which roles pay the NUMA-remote factor.
 */
export function placementOf(
  s: Scenario, cpu: HostParams | null, entry: VmEntry | null, fail: Located, at: (string | number)[],
  podCores: number[] | null, taken: ReadonlySet<number>,
): Pick<VmConfig, 'cpusets' | 'numaRemote' | 'numaRemoteFactor'> {
  const failVm: Located = (path, reason) => fail([...at, ...path], reason);
  const h = s.host;
  const numa = { numaRemote: h?.numa_remote ?? [], numaRemoteFactor: h?.numa_remote_factor ?? 1 };
  if (podCores !== null) {
    const why = 'KubeVirt places a dedicatedCpuPlacement VM on cores of its own';
    if (entry?.cpuset || entry?.numa_node !== undefined) throw failVm([entry.cpuset ? 'cpuset' : 'numa_node'], `${why}: leave this out`);
    const role = Object.keys(h?.cpusets ?? {})[0];
    if (role) throw fail(['host', 'cpusets', role], `${why}: host.cpusets cannot place its threads`);
    return { cpusets: Object.fromEntries(THREAD_ROLES.map((r) => [r, podCores])), ...numa };
  }
  const cores = cpu?.cores ?? 0;
  const within = (set: number[], path: (string | number)[], fail: Located) => {
    if (cores === 0) throw fail(path, 'cpusets need host.cores (the cores the VMs share)');
    const bad = set.find((c) => c >= cores);
    if (bad !== undefined) throw fail(path, `core ${bad} is not among the ${cores} host cores (0-${cores - 1})`);
  };
  let vmSet: number[] | undefined;
  if (entry?.cpuset) {
    if (entry.numa_node !== undefined) throw failVm(['numa_node'], 'give either cpuset or numa_node, not both');
    within(entry.cpuset, ['cpuset'], failVm);
    vmSet = entry.cpuset;
  } else if (entry?.numa_node !== undefined) {
    const nodes = h?.numa_nodes ?? 1;
    if (entry.numa_node >= nodes) throw failVm(['numa_node'], `the host has ${nodes} NUMA node${nodes > 1 ? 's' : ''} (host.numa_nodes)`);
    if (cores === 0) throw failVm(['numa_node'], 'a NUMA node needs host.cores (the cores the nodes split)');
    if (nodes > cores) throw fail(['host', 'numa_nodes'], `${nodes} NUMA nodes for ${cores} cores: a node without cores`);
    const per = Math.floor(cores / nodes);
    vmSet = Array.from({ length: per }, (_, i) => entry.numa_node! * per + i);
  }
  if (taken.size > 0) {
    const shared = vmSet ?? Array.from({ length: cores }, (_, c) => c);
    vmSet = shared.filter((c) => !taken.has(c));
    if (vmSet.length === 0) throw failVm([entry?.cpuset ? 'cpuset' : 'vm'], `every core it may use is a dedicated-CPU VM's (cores 0-${Math.max(...taken)})`);
  }
  const cpusets: Record<string, number[]> = {};
  for (const role of THREAD_ROLES) {
    // The vhost-user target's reactors are the host's, not the VM's (vhostUserOf).
    const set = role === 'reactor' ? undefined : h?.cpusets[role];
    if (set) within(set, ['host', 'cpusets', role], fail);
    const allowed = set && vmSet ? set.filter((c) => vmSet!.includes(c)) : set ?? vmSet;
    if (allowed && allowed.length === 0) throw failVm(['cpuset'], `no core of host.cpusets.${role} is in this VM's cpuset`);
    if (allowed) cpusets[role] = allowed;
  }
  return { cpusets, ...numa };
}

/** The host's vhost-user target, when a disk uses it. */
export function vhostUserOf(s: Scenario, cpu: HostParams | null, vms: { disks: DiskConfig[] }[], fail: Located): ModelConfig['vhostUser'] {
  const t = s.host?.vhost_user;
  if (!vms.some((vm) => vm.disks.some((d) => d.backend === 'vhost-user'))) return null;
  const byRole = s.host?.cpusets.reactor;
  if (t?.cpuset && byRole) throw fail(['host', 'cpusets', 'reactor'], 'the reactors\' cores are given twice: keep host.vhost_user.cpuset or host.cpusets.reactor');
  const cpuset = t?.cpuset ?? byRole ?? null;
  const path = t?.cpuset ? ['host', 'vhost_user', 'cpuset'] : ['host', 'cpusets', 'reactor'];
  if (cpuset) {
    const cores = cpu?.cores ?? 0;
    if (cores === 0) throw fail(path, 'cpusets need host.cores (the cores the VMs share)');
    const bad = cpuset.find((c) => c >= cores);
    if (bad !== undefined) throw fail(path, `core ${bad} is not among the ${cores} host cores (0-${cores - 1})`);
  }
  return { reactors: t?.reactors ?? 1, cpuset };
}
