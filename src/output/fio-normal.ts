import type { FioDirReport, FioEntry, FioJobReport, FioReport, FioSection } from './fio-json.js';
import { num2str } from './num2str.js';

/** fio's significant_figures default (options.c): 4. */
const SIG_FIGS = 4;
/** ctime() of the epoch, as fio prints a job's start (the run is simulated: see fio-json.ts). */
const CTIME = 'Thu Jan  1 00:00:00 1970';

type Lat = { min: number; max: number; mean: number; stddev: number; N: number; percentile?: Record<string, number> };

const f2 = (x: number, width = 5) => x.toFixed(2).padStart(width);
const f1 = (x: number) => x.toFixed(1);

/**
 * fio's normal text output (stat.c: show_thread_status_normal per job, show_group_stats per group,
 * and the lines fio prints before a run), from the same report as its JSON, with fio's formats: sizes
 * and rates by num2str (4 significant figures, KiB base), latencies in nsec, usec or msec by their
 * range, percentile rows of four, distributions with fio's 0.1 % / 0.01 % floor for a non-empty bucket.
 */
export function fioNormal(r: FioReport, entries: readonly FioEntry[], sections: readonly FioSection[]): string {
  const out: string[] = [];
  // fio names each job section as it starts, and its further clones with one "...".
  for (const s of sections) {
    const bs = `${s.job.bs}B-${s.job.bs}B`;
    out.push(`${s.name}: (g=${s.groupid}): rw=${s.job.rw}, bs=(R) ${bs}, (W) ${bs}, (T) ${bs}, ioengine=libaio, iodepth=${s.job.iodepth}`);
    if (s.job.numjobs > 1) out.push('...');
  }
  out.push(r['fio version']);
  const processes = entries.reduce((n, e) => n + e.members, 0);
  out.push(`Starting ${processes} process${processes === 1 ? '' : 'es'}`, '');
  r.jobs.forEach((j, i) => out.push(...jobBlock(j, entries[i].members)));
  for (const g of new Set(r.jobs.map((j) => j.groupid))) out.push(...groupBlock(g, r.jobs.filter((j) => j.groupid === g)));
  return `${out.join('\n')}\n`;
}

function jobBlock(j: FioJobReport, members: number): string[] {
  const lines = [`${j.jobname}: (groupid=${j.groupid}, jobs=${members}): err= 0: pid=0: ${CTIME}`];
  (['read', 'write'] as const).forEach((dir) => { if (j[dir].io_bytes > 0) lines.push(...ddir(dir, j[dir])); });
  lines.push(...latencyBuckets(j));
  if (j.sync.total_ios > 0) {
    lines.push('  fsync/fdatasync/sync_file_range/syncfs:');
    const l = displayLat('sync', j.sync.lat_ns as Lat);
    if (l) lines.push(l);
  }
  lines.push(`  cpu          : usr=${j.usr_cpu.toFixed(2)}%, sys=${j.sys_cpu.toFixed(2)}%, ctx=${j.ctx}, majf=${j.majf}, minf=${j.minf}`);
  lines.push(`  IO depths    : ${distLine(j.iodepth_level)}`);
  lines.push(`     submit    : ${distLine(j.iodepth_submit)}`);
  lines.push(`     complete  : ${distLine(j.iodepth_complete)}`);
  lines.push(`     issued rwts: total=${j.read.total_ios},${j.write.total_ios},0,0 short=0,0,0,0 dropped=0,0,0,0`);
  lines.push(`     latency   : target=0, window=0, percentile=${j.latency_percentile.toFixed(2)}%, depth=${j.latency_depth}`);
  lines.push('');
  return lines;
}

/** show_ddir_status: the IOPS and bandwidth line, slat / clat / lat, clat percentiles, bw and iops. */
function ddir(name: 'read' | 'write', d: FioDirReport): string[] {
  const runt = d.runtime;
  const bw = Math.floor((1000 * d.io_bytes) / runt);
  const iops = Math.floor((1000 * d.total_ios) / runt);
  const lines = [`  ${name}: IOPS=${num2str(iops, SIG_FIGS, false, '')}, BW=${num2str(bw, SIG_FIGS, true, 'B/s')} (${num2str(bw, SIG_FIGS, false, 'B/s')})(${num2str(d.io_bytes, SIG_FIGS, true, 'B')}/${runt}msec)`];
  for (const [label, lat] of [['slat', d.slat_ns], ['clat', d.clat_ns], [' lat', d.lat_ns]] as const) {
    const l = displayLat(label, lat as Lat);
    if (l) lines.push(l);
  }
  lines.push(...percentiles('clat', (d.clat_ns as Lat).percentile));
  if (d.bw_samples > 0) {
    const big = d.bw_mean > 1024 * 1024;
    const [unit, k] = big ? ['MiB', 1024] : ['KiB', 1];
    lines.push(`   bw (${unit.padStart(5)}/s): min=${String(Math.floor(d.bw_min / k)).padStart(5)}, max=${String(Math.floor(d.bw_max / k)).padStart(5)}, per=${d.bw_agg.toFixed(2)}%, avg=${f2(d.bw_mean / k)}, stdev=${f2(d.bw_dev / k)}, samples=${d.bw_samples}`);
  }
  if (d.iops_samples > 0) {
    lines.push(`   iops        : min=${String(d.iops_min).padStart(5)}, max=${String(d.iops_max).padStart(5)}, avg=${f2(d.iops_mean)}, stdev=${f2(d.iops_stddev)}, samples=${d.iops_samples}`);
  }
  return lines;
}

/** display_lat: min and max by num2str, in nsec, or usec / msec when the range is wide enough
 *  (stat.h nsec_to_usec, nsec_to_msec). */
function displayLat(name: string, l: Lat): string | null {
  if (l.N === 0) return null;
  let { min, max, mean, stddev: dev } = l;
  let base = '(nsec)';
  if (min > 2e6 && max > 99999999 && dev > 1e6) {
    [min, max, mean, dev, base] = [Math.floor(min / 1e6), Math.floor(max / 1e6), mean / 1e6, dev / 1e6, '(msec)'];
  } else if (min > 2000 && max > 99999 && dev > 1000) {
    [min, max, mean, dev, base] = [Math.floor(min / 1e3), Math.floor(max / 1e3), mean / 1e3, dev / 1e3, '(usec)'];
  }
  return `    ${name} ${base}: min=${num2str(min, 6, false, '')}, max=${num2str(max, 6, false, '')}, avg=${f2(mean)}, stdev=${f2(dev)}`;
}

/** show_clat_percentiles: four to a row, the unit by the values' range, values rounded up to it. */
function percentiles(name: string, p: Record<string, number> | undefined): string[] {
  if (!p) return [];
  const entries = Object.entries(p).map(([k, v]) => [Number(k), v] as const);
  const values = entries.map(([, v]) => v);
  const minv = Math.min(...values), maxv = Math.max(...values);
  const [unit, divisor, scale] = minv > 2e6 && maxv > 99999999 ? ['msec', 1e6, 2] : minv > 2000 && maxv > 99999 ? ['usec', 1e3, 1] : ['nsec', 1, 0];
  const width = Math.max(5, Math.floor(Math.log10(maxv / divisor) + 1));
  const perLine = Math.floor((80 - 7) / (2 + 10 + width));
  const cells = entries.map(([pct, v], i) => {
    let x = v;
    for (let s = 0; s < scale; s++) x = Math.floor((x + 999) / 1000);
    return ` ${pct.toFixed(2).padStart(5)}th=[${String(x).padStart(width)}]${i === entries.length - 1 ? '' : ','}`;
  });
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += perLine) rows.push(`     |${cells.slice(i, i + perLine).join('')}`);
  return [`    ${name} percentiles (${unit}):`, ...rows];
}

/** show_latencies: the share of I/Os per latency bucket, five to a line, per scale. */
function latencyBuckets(j: FioJobReport): string[] {
  const lines: string[] = [];
  for (const [unit, buckets] of [['nsec', j.latency_ns], ['usec', j.latency_us], ['msec', j.latency_ms]] as const) {
    const shown = Object.entries(buckets as Record<string, number>).filter(([, v]) => v > 0)
      .map(([k, v]) => `${k}=${Math.max(v, 0.01).toFixed(2)}%`);
    for (let i = 0; i < shown.length; i += 5) lines.push(`  lat (${unit})   : ${shown.slice(i, i + 5).join(', ')}`);
  }
  return lines;
}

/** stat_calc_dist's percentages, a non-empty bucket at least 0.1 %. */
function distLine(d: Record<string, number>): string {
  return Object.entries(d).map(([k, v]) => `${k}=${f1(v > 0 && v < 0.1 ? 0.1 : v)}%`).join(', ');
}

/** show_group_stats: a group's aggregate bandwidth (its bytes over its longest run), the least and the
 *  most of its entries', its bytes, and its shortest and longest run. */
function groupBlock(group: number, jobs: FioJobReport[]): string[] {
  const lines = [`Run status group ${group} (all jobs):`];
  (['read', 'write'] as const).forEach((dir) => {
    const ds = jobs.map((j) => j[dir]).filter((d) => d.runtime > 0);
    if (ds.length === 0) return;
    const bytes = ds.reduce((s, d) => s + d.io_bytes, 0);
    const minRun = Math.min(...ds.map((d) => d.runtime)), maxRun = Math.max(...ds.map((d) => d.runtime));
    const bws = ds.map((d) => Math.floor((1000 * d.io_bytes) / d.runtime));
    const rate = (b: number, pow2: boolean) => num2str(b, SIG_FIGS, pow2, 'B/s');
    const agg = Math.floor((1000 * bytes) / maxRun), lo = Math.min(...bws), hi = Math.max(...bws);
    lines.push(`${dir === 'read' ? '   READ' : '  WRITE'}: bw=${rate(agg, true)} (${rate(agg, false)}), ${rate(lo, true)}-${rate(hi, true)} (${rate(lo, false)}-${rate(hi, false)}), io=${num2str(bytes, SIG_FIGS, true, 'B')} (${num2str(bytes, SIG_FIGS, false, 'B')}), run=${minRun}-${maxRun}msec`);
  });
  return [...lines, ''];
}
