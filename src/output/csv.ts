import { stringify } from 'csv-stringify/sync';
import type { ThreadUse } from '../model/host/cpu-account.js';
import type { HostResult } from '../model/result.js';
import { bucketUpper, BUCKETS, type Histogram } from '../engine/histogram.js';
import type { Row } from '../stats/summary.js';
import { formatNumber } from './format.js';

/** summary.csv: one row per variant (and per VM and host, in the host form). */
export function summaryCsv(rows: Row[], columns: readonly string[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => (typeof r[c] === 'number' ? formatNumber(c, r[c] as number) : String(r[c] ?? '')))),
    { header: true, columns: [...columns] },
  );
}

/** latency.csv's rows: per variant (and VM, on a host of several), the non-empty histogram buckets
 *  with their cumulative fraction. */
export function latencyRows(results: { variant: string; vm?: string; latency: Histogram }[], withVm: boolean): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    const h = r.latency;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const n = h.counts[i];
      if (n === 0) continue;
      seen += n;
      rows.push([r.variant, ...(withVm ? [r.vm ?? ''] : []), (bucketUpper(i) / 1000).toFixed(3), String(n), (seen / h.count).toFixed(6)]);
    }
  }
  return rows;
}

export function latencyCsv(rows: string[][], withVm: boolean): string {
  return stringify(rows, { header: true, columns: ['variant', ...(withVm ? ['vm'] : []), 'lat_upper_us', 'count', 'cumulative'] });
}

/** threads.csv's rows: per variant and thread (and its VM, on a host of several), where its time went
 *  (% of the window). */
export function threadRows(results: { variant: string; windowNs: number; threads: ThreadUse[] }[], withVm: boolean): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    for (const t of r.threads) {
      const busy = (100 * t.busyNs) / r.windowNs, poll = (100 * t.pollNs) / r.windowNs;
      rows.push([r.variant, ...(withVm ? [t.vm] : []), t.name, t.role, busy.toFixed(2), poll.toFixed(2), Math.max(0, 100 - busy - poll).toFixed(2)]);
    }
  }
  return rows;
}

export function threadsCsv(rows: string[][], withVm: boolean): string {
  return stringify(rows, { header: true, columns: ['variant', ...(withVm ? ['vm'] : []), 'thread', 'role', 'busy_pct', 'poll_pct', 'idle_pct'] });
}

/** jobs.csv's rows: per variant, VM and fio job clone (a numjobs thread), what fio reports for it
 *  alone: its IOPS (fsyncs included) and mean lat, beside its I/Os in flight (time-averaged) and
 *  Little's iops x lat, which a closed-loop clone keeps near its iodepth unless its vCPU or a blk-mq tag
 *  holds it. */
export function jobRows(results: HostResult[], withVm: boolean): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    for (const vm of r.vms) {
      for (const c of vm.blk?.clones ?? []) {
        const iops = c.completions / (c.windowNs / 1e9), latUs = c.completions > 0 ? c.latSumNs / c.completions / 1000 : NaN;
        rows.push([r.variant, ...(withVm ? [vm.name] : []), c.job, String(c.clone), c.vcpu, String(c.iodepth),
          iops.toFixed(0), formatNumber('lat_mean_us', latUs), c.meanInFlight.toFixed(2), formatNumber('littles_l', (iops * latUs) / 1e6)]);
      }
    }
  }
  return rows;
}

export function jobsCsv(rows: string[][], withVm: boolean): string {
  return stringify(rows, { header: true, columns: ['variant', ...(withVm ? ['vm'] : []), 'job', 'clone', 'vcpu', 'iodepth', 'iops', 'lat_mean_us', 'in_flight', 'littles_l'] });
}
