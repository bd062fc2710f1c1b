import type { NetResult } from '../model/net/result.js';
import { VHOST_QUEUE_KIB, type NetConfig } from '../model/net/config.js';
import { latencyColumns } from './latency-columns.js';
import { threadShares } from './thread-shares.js';

export const NET_SUMMARY_COLUMNS = [
  'variant', 'gbit_s', 'pps', 'trans_s', 'lat_mean_us', 'lat_p50_us', 'lat_p90_us', 'lat_p99_us', 'lat_max_us',
  'vcpu_busy_pct', 'vcpu_poll_pct', 'vhost_busy_pct', 'vhost_poll_pct', 'main_loop_busy_pct', 'host_cpus',
  'cpus_per_gbit', 'kicks_per_packet', 'irqs_per_packet', 'poll_hit_pct', 'msix_vectors', 'msix_budget',
  'vhost_kernel_kib',
] as const;

export type NetSummary = Record<(typeof NET_SUMMARY_COLUMNS)[number], string | number>;

/** What netperf/iperf3 and a performance engineer read off a virtio-net run. */
export function summarizeNet(r: NetResult, c: NetConfig): NetSummary {
  const T = r.windowNs, sec = T / 1e9;
  const { busy, poll, hostCpus } = threadShares(r.threads, T);
  const gbit = (r.bytes * 8) / T;
  const perPacket = (n: number) => (r.buffers > 0 ? n / r.buffers : NaN);
  return {
    variant: r.variant,
    gbit_s: gbit,
    pps: r.buffers / sec,
    trans_s: r.transactions / sec,
    ...latencyColumns(r.latency),
    vcpu_busy_pct: busy('vcpu'),
    vcpu_poll_pct: poll('vcpu'),
    vhost_busy_pct: busy('vhost'),
    vhost_poll_pct: poll('vhost'),
    main_loop_busy_pct: busy('main-loop'),
    host_cpus: hostCpus,
    cpus_per_gbit: gbit > 0 ? hostCpus / gbit : 0,
    kicks_per_packet: perPacket(r.kicks),
    irqs_per_packet: perPacket(r.irqs),
    poll_hit_pct: r.pollWindows > 0 ? (100 * r.pollHits) / r.pollWindows : 0,
    msix_vectors: c.nic.vectors + c.nic.otherVectors,
    msix_budget: c.nic.vectorBudget,
    vhost_kernel_kib: c.nic.vhost ? 2 * c.nic.queues * VHOST_QUEUE_KIB : 0,
  };
}
