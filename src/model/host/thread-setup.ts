import { Jitter } from '../../engine/jitter.js';
import { stream } from '../../engine/random.js';
import type { JitterParams } from '../costs.js';
import type { HostCpu, HostThread } from './host-cpu.js';

/** What decides a VM's threads' placement and spread: the run's random streams and the VM's cpusets. */
export interface ThreadSetup {
  seed: number;
  pointKey: string;
  replication: number;
  jitter: JitterParams;
  /** The VM's name in outputs, and the prefix of its random streams ('' for the single-VM form). */
  vm: string;
  streams: string;
  /** Per role (THREAD_ROLES): host cores its threads may run on. */
  cpusets: Readonly<Record<string, readonly number[]>>;
  /** Per thread name: host cores it is pinned to, over its role's cpuset. */
  pins: Readonly<Record<string, readonly number[]>>;
  /** Thread roles that run on the NUMA node away from the VM's memory and device, and the factor on
   *  their CPU costs. */
  numaRemote: readonly string[];
  numaRemoteFactor: number;
}

/**
 * Gives a thread what the host and the run decide for it: its cores (and NUMA cost factor) when the
 * host is modelled, and its own CPU and wake-up jitter streams, named after the VM and the thread.
 */
export function setUpThread(t: HostThread, s: ThreadSetup, host: HostCpu | null): void {
  const name = `${s.streams}${t.acct.name}`;
  t.acct.vm = s.vm;
  if (s.jitter.cpu_cv > 0) t.cpuJitter = new Jitter(s.jitter.cpu_cv, stream(s.seed, s.pointKey, s.replication, `cpu:${name}`));
  if (s.jitter.wakeup_cv > 0) t.wakeJitter = new Jitter(s.jitter.wakeup_cv, stream(s.seed, s.pointKey, s.replication, `wake:${name}`));
  if (host === null) return;
  host.add(t, pinOf(t.acct.name, t.acct.role, s) ?? s.cpusets[t.acct.role]);
  t.host = host;
  if (s.numaRemote.includes(t.acct.role)) t.costScale = s.numaRemoteFactor;
}

/** A thread's own pin; a thread-pool worker inherits its AioContext thread's, which spawned it
 *  (QEMU's spawn_thread_bh_fn runs in that thread, and a new thread keeps its creator's affinity). */
function pinOf(name: string, role: string, s: ThreadSetup): readonly number[] | undefined {
  return s.pins[name] ?? (role === 'aio-worker' ? s.pins[name.replace(/-worker\d+$/, '')] : undefined);
}
