import { Jitter } from '../engine/jitter.js';
import { stream } from '../engine/random.js';
import type { ModelConfig } from './config.js';
import type { HostCpu, HostThread } from './host-cpu.js';

type ThreadConfig = Pick<ModelConfig, 'seed' | 'pointKey' | 'replication' | 'jitter' | 'host'>;

/**
 * Gives a thread what the host and the run decide for it: its cores (and NUMA cost factor) when the
 * host is modelled, and its own CPU and wake-up jitter streams, named after the thread.
 */
export function setUpThread(t: HostThread, cfg: ThreadConfig, host: HostCpu | null): void {
  const name = t.acct.name;
  if (cfg.jitter.cpu_cv > 0) t.cpuJitter = new Jitter(cfg.jitter.cpu_cv, stream(cfg.seed, cfg.pointKey, cfg.replication, `cpu:${name}`));
  if (cfg.jitter.wakeup_cv > 0) t.wakeJitter = new Jitter(cfg.jitter.wakeup_cv, stream(cfg.seed, cfg.pointKey, cfg.replication, `wake:${name}`));
  if (host === null) return;
  host.add(t, t.acct.role);
  t.host = host;
  if (cfg.host!.numaRemote.includes(t.acct.role)) t.costScale = cfg.host!.numaRemoteFactor;
}
