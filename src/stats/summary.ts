import type { ThreadRole } from '../model/host/roles.js';
import type { RunResult } from '../model/result.js';
import { latencyColumns } from './latency-columns.js';
import { threadShares } from './thread-shares.js';

/** The figures of one run, in the units fio and a performance engineer read them. */
export type Summary = {
  variant: string;
  iops: number;
  read_iops: number;
  write_iops: number;
  bw_mib_s: number;
  lat_mean_us: number;
  lat_p50_us: number;
  lat_p90_us: number;
  lat_p99_us: number;
  lat_p99_9_us: number;
  lat_max_us: number;
  /** Per-thread means, % of one core. */
  vcpu_busy_pct: number;
  /** KVM halt polling (or guest haltpoll), per vCPU. */
  vcpu_poll_pct: number;
  iothread_busy_pct: number;
  iothread_busy_max_pct: number;
  iothread_poll_pct: number;
  main_loop_busy_pct: number;
  /** Whole cores used by thread-pool workers (aio=threads). */
  aio_worker_cpus: number;
  /** Whole cores used by every thread, busy plus polling. */
  host_cpus: number;
  /** When the VM shares a set of host cores: their mean use, and the mean wait for one. */
  host_core_util_pct: number;
  runq_wait_us: number;
  kicks_per_io: number;
  irqs_per_io: number;
  poll_hit_pct: number;
  device_util_pct: number;
  /** Servers outside QEMU (vhost-scsi workers, vhost-user reactors): mean and busiest busy %, mean
   *  polling %. Columns only where a disk has such a backend. */
  backend_busy_pct: number;
  backend_busy_max_pct: number;
  backend_poll_pct: number;
  /** fio's fsyncs: per second, and their latency (issue to reap). Columns only where a job has fsync. */
  fsync_iops: number;
  fsync_lat_p50_us: number;
  fsync_lat_p99_us: number;
};

/** A summary row of any kind of run (virtio-blk or virtio-net): column -> value. */
export type Row = Record<string, string | number>;

export const SUMMARY_COLUMNS: (keyof Summary)[] = [
  'variant', 'iops', 'read_iops', 'write_iops', 'bw_mib_s',
  'lat_mean_us', 'lat_p50_us', 'lat_p90_us', 'lat_p99_us', 'lat_p99_9_us', 'lat_max_us',
  'vcpu_busy_pct', 'vcpu_poll_pct', 'iothread_busy_pct', 'iothread_busy_max_pct', 'iothread_poll_pct', 'main_loop_busy_pct',
  'aio_worker_cpus', 'host_cpus', 'host_core_util_pct', 'runq_wait_us', 'kicks_per_io', 'irqs_per_io', 'poll_hit_pct', 'device_util_pct',
];

/** Columns added where a disk is served outside QEMU. */
export const BACKEND_COLUMNS: (keyof Summary)[] = ['backend_busy_pct', 'backend_busy_max_pct', 'backend_poll_pct'];
/** Columns added where a job has fsync. */
export const FSYNC_COLUMNS: (keyof Summary)[] = ['fsync_iops', 'fsync_lat_p50_us', 'fsync_lat_p99_us'];
/** The roles of those servers' threads. */
const BACKEND_ROLES: ThreadRole[] = ['vhost-scsi', 'reactor'];

const us = (ns: number) => ns / 1000;

export function summarize(r: RunResult): Summary {
  const T = r.windowNs;
  const sec = T / 1e9;
  const { role, busy, poll, hostCpus } = threadShares(r.threads, T);
  const iothreads = role('iothread');
  const backends = r.threads.filter((t) => BACKEND_ROLES.includes(t.role));
  const backendPct = (f: (t: { busyNs: number; pollNs: number }) => number) =>
    backends.length ? (100 * backends.reduce((s, t) => s + f(t), 0)) / backends.length / T : 0;
  // Per I/O: no figure (an empty column) where no I/O completed.
  const perIo = (n: number) => (r.ios > 0 ? n / r.ios : NaN);
  return {
    variant: r.variant,
    iops: r.ios / sec,
    read_iops: r.reads / sec,
    write_iops: (r.ios - r.reads) / sec,
    bw_mib_s: r.bytes / sec / (1024 * 1024),
    ...latencyColumns(r.latency),
    vcpu_busy_pct: busy('vcpu'),
    vcpu_poll_pct: poll('vcpu'),
    iothread_busy_pct: busy('iothread'),
    iothread_busy_max_pct: iothreads.length ? (100 * Math.max(...iothreads.map((t) => t.busyNs))) / T : 0,
    iothread_poll_pct: poll('iothread'),
    main_loop_busy_pct: busy('main-loop'),
    aio_worker_cpus: role('aio-worker').reduce((s, t) => s + t.busyNs, 0) / T,
    host_cpus: hostCpus,
    host_core_util_pct: r.coreUtil.length ? (100 * r.coreUtil.reduce((a, b) => a + b, 0)) / r.coreUtil.length : 0,
    runq_wait_us: r.coreAcquisitions > 0 ? us(r.runqWaitNs / r.coreAcquisitions) : 0,
    kicks_per_io: perIo(r.kicks),
    irqs_per_io: perIo(r.irqs),
    poll_hit_pct: r.pollWindows > 0 ? (100 * r.pollHits) / r.pollWindows : 0,
    device_util_pct: r.deviceUtil.length ? (100 * r.deviceUtil.reduce((a, b) => a + b, 0)) / r.deviceUtil.length : 0,
    backend_busy_pct: backendPct((t) => t.busyNs),
    backend_busy_max_pct: backends.length ? (100 * Math.max(...backends.map((t) => t.busyNs))) / T : 0,
    backend_poll_pct: backendPct((t) => t.pollNs),
    fsync_iops: r.syncs / sec,
    fsync_lat_p50_us: r.syncs > 0 ? us(r.syncLatency.quantile(0.5)) : NaN,
    fsync_lat_p99_us: r.syncs > 0 ? us(r.syncLatency.quantile(0.99)) : NaN,
  };
}
