/**
 * How far each summary metric may move from its reference before `vqsim check` calls it drift:
 * |current - reference| > max(abs, rel x |reference|). Set at about three times the largest 95 % CI
 * half-width that five replications of every variant of the shipped scenarios show (docs/check.md), so
 * that seed noise passes and a change of mechanism or cost does not.
 */
export interface Tolerance {
  rel: number;
  abs: number;
}

const DEFAULT: Tolerance = { rel: 0.02, abs: 0 };

export const TOLERANCES: Record<string, Tolerance> = {
  iops: { rel: 0.01, abs: 1 },
  read_iops: { rel: 0.01, abs: 1 },
  write_iops: { rel: 0.01, abs: 1 },
  bw_mib_s: { rel: 0.01, abs: 0.01 },
  lat_mean_us: { rel: 0.01, abs: 0.05 },
  lat_p50_us: { rel: 0.01, abs: 0.05 },
  lat_p90_us: { rel: 0.02, abs: 0.05 },
  lat_p99_us: { rel: 0.04, abs: 0.1 },
  lat_p99_9_us: { rel: 0.1, abs: 0.5 },
  // The maximum is one sample: it moves with any change of seed.
  lat_max_us: { rel: 0.5, abs: 5 },
  vcpu_busy_pct: { rel: 0.01, abs: 0.1 },
  vcpu_poll_pct: { rel: 0.04, abs: 0.6 },
  iothread_busy_pct: { rel: 0.01, abs: 0.2 },
  iothread_busy_max_pct: { rel: 0.01, abs: 0.2 },
  iothread_poll_pct: { rel: 0.04, abs: 0.6 },
  main_loop_busy_pct: { rel: 0.01, abs: 0.2 },
  aio_worker_cpus: { rel: 0.02, abs: 0.005 },
  host_cpus: { rel: 0.02, abs: 0.005 },
  host_core_util_pct: { rel: 0.01, abs: 0.2 },
  runq_wait_us: { rel: 0.05, abs: 0.1 },
  kicks_per_io: { rel: 0.05, abs: 0.003 },
  irqs_per_io: { rel: 0.015, abs: 0.001 },
  poll_hit_pct: { rel: 0, abs: 1 },
  device_util_pct: { rel: 0.005, abs: 0.1 },
  // virtio-net: the same reasoning, rates and CPU like their virtio-blk counterparts.
  gbit_s: { rel: 0.01, abs: 0.001 },
  pps: { rel: 0.01, abs: 1 },
  trans_s: { rel: 0.01, abs: 1 },
  vhost_busy_pct: { rel: 0.01, abs: 0.2 },
  vhost_poll_pct: { rel: 0.04, abs: 0.6 },
  cpus_per_gbit: { rel: 0.02, abs: 0.0005 },
  kicks_per_packet: { rel: 0.05, abs: 0.003 },
  irqs_per_packet: { rel: 0.015, abs: 0.001 },
  msix_vectors: { rel: 0, abs: 0 },
  msix_budget: { rel: 0, abs: 0 },
  vhost_kernel_kib: { rel: 0, abs: 0 },
  // The host form: how many VMs a row pools, and their spread like the pooled figure.
  vms: { rel: 0, abs: 0 },
  min_iops: { rel: 0.01, abs: 1 },
  max_iops: { rel: 0.01, abs: 1 },
  lat_p99_min_us: { rel: 0.04, abs: 0.1 },
  lat_p99_max_us: { rel: 0.04, abs: 0.1 },
};

/** A metric's tolerance; network latencies beside disk columns (net_lat_*) take the latency ones. */
export function toleranceOf(metric: string): Tolerance {
  return TOLERANCES[metric] ?? TOLERANCES[metric.replace(/^net_/, '')] ?? DEFAULT;
}

export function drifted(metric: string, reference: number, current: number): boolean {
  // An empty cell (no latency: nothing completed) matches only an empty cell.
  if (Number.isNaN(reference) || Number.isNaN(current)) return Number.isNaN(reference) !== Number.isNaN(current);
  const t = toleranceOf(metric);
  return Math.abs(current - reference) > Math.max(t.abs, t.rel * Math.abs(reference));
}
