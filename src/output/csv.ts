import { stringify } from 'csv-stringify/sync';
import type { ThreadUse } from '../model/host/cpu-account.js';
import { bucketUpper, BUCKETS, type Histogram } from '../stats/histogram.js';
import type { Row } from '../stats/summary.js';
import { formatNumber } from './format.js';

/** summary.csv: one row per variant (and per VM and host, in the host form). */
export function summaryCsv(rows: Row[], columns: readonly string[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => (typeof r[c] === 'number' ? formatNumber(c, r[c] as number) : String(r[c] ?? '')))),
    { header: true, columns: [...columns] },
  );
}

/** latency.csv: per variant (and VM, on a host of several), the non-empty histogram buckets with their
 *  cumulative fraction. */
export function latencyCsv(results: { variant: string; vm?: string; latency: Histogram }[]): string {
  const rows: string[][] = [];
  const withVm = results.some((r) => r.vm !== undefined);
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
  return stringify(rows, { header: true, columns: ['variant', ...(withVm ? ['vm'] : []), 'lat_upper_us', 'count', 'cumulative'] });
}

/** threads.csv: per variant and thread (and its VM, on a host of several), where its time went (% of
 *  the window). */
export function threadsCsv(results: { variant: string; windowNs: number; threads: ThreadUse[] }[], withVm: boolean): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const t of r.threads) {
      const busy = (100 * t.busyNs) / r.windowNs, poll = (100 * t.pollNs) / r.windowNs;
      rows.push([r.variant, ...(withVm ? [t.vm] : []), t.name, t.role, busy.toFixed(2), poll.toFixed(2), Math.max(0, 100 - busy - poll).toFixed(2)]);
    }
  }
  const columns = ['variant', ...(withVm ? ['vm'] : []), 'thread', 'role', 'busy_pct', 'poll_pct', 'idle_pct'];
  return stringify(rows, { header: true, columns });
}
