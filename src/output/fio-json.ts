import { FioJobStats, type FioDirStats } from '../model/blk/fio-stats.js';
import type { JobConfig, ModelConfig } from '../model/config.js';
import type { HostResult } from '../model/result.js';
import { bucketUpper, BUCKETS, Histogram } from '../engine/histogram.js';

export type FioOutputFormat = 'json' | 'json+';

/** The fio release whose JSON layout this output follows (stat.c of fio 3.36). */
const FIO_VERSION = 'fio-3.36';

/** fio's default percentile_list (options.c): the clat_ns percentiles, keyed as fio prints them ("%f"). */
const PERCENTILES = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99];
/** fio's latency_ns/_us/_ms buckets (io_u_mark_lat_nsec/_usec/_msec): a value lands under the first
 *  bound above it, in the unit of its scale. */
const LAT_BOUNDS = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000];

/**
 * One variant's run as fio's JSON output (stat.c, show_thread_status_json and add_ddir_status_json):
 * its `jobs` entries as fio groups them (fioEntries); every
 * field fio writes with fio's type (integers where fio adds an int). vqsim's own figures (threads,
 * kicks, interrupts, polling) sit under a top-level "vqsim" key that fio parsers do not read. The run
 * is simulated, so the timestamps are the epoch, which keeps the output byte-identical between runs.
 */
export function fioJson(result: HostResult, cfg: ModelConfig, scenario: { name: string; seed: number }, format: FioOutputFormat): string {
  return `${JSON.stringify(fioReport(result, cfg, scenario, format), null, 2)}\n`;
}

/** The fio JSON document as an object: what fio-normal.ts prints in fio's normal text form. */
export type FioReport = ReturnType<typeof fioReport>;
export type FioJobReport = ReturnType<typeof jobJson>;
export type FioDirReport = ReturnType<typeof dirJson>;

/**
 * fio's report entries (stat.c __show_run_stats): a job's clones apart unless group_reporting pools
 * its group; fio's groupid, 0 and one more at each job with new_group (and each VM after the first:
 * its own fio). A job the scenario reports its own way (reportAs 'job') is one entry, its clones pooled.
 */
export interface FioEntry { name: string; groupid: number; job: JobConfig; stats: FioJobStats; members: number; runtimeMs: number }

/** A job's runtime in ms: its own window, the run's for a job of the whole run. */
const runtimeOf = (j: JobConfig, cfg: ModelConfig) => Math.round((j.phase ? j.phase.stopNs - j.phase.measureNs : cfg.durationNs) / 1e6);

/** A job section as fio names it (a host's VM/job) in its group. */
export interface FioSection { name: string; groupid: number; job: JobConfig; vm: number; index: number }

export function fioSections(result: HostResult, cfg: ModelConfig): FioSection[] {
  const out: FioSection[] = [];
  let group = -1;
  cfg.vms.forEach((vm, v) => {
    if (!result.vms[v].blk) return;
    group++;
    vm.jobs.forEach((job, index) => {
      if (job.newGroup && index > 0) group++;
      out.push({ name: cfg.form === 'host' ? `${vm.name}/${job.name}` : job.name, groupid: group, job, vm: v, index });
    });
  });
  return out;
}

export function fioEntries(result: HostResult, cfg: ModelConfig): FioEntry[] {
  const out: FioEntry[] = [];
  for (const { name, groupid, job: j, vm, index: i } of fioSections(result, cfg)) {
    const r = result.vms[vm].blk!;
    const last = out[out.length - 1];
    if (j.reportAs === 'group' && last?.groupid === groupid) {
      // fio pools a group_reporting job into the entry before it when that is of its group.
      const pooled = new FioJobStats(last.stats.dirs[0].active || r.jobs[i].dirs[0].active, last.stats.dirs[1].active || r.jobs[i].dirs[1].active);
      pooled.add(last.stats);
      pooled.add(r.jobs[i]);
      out[out.length - 1] = { ...last, stats: pooled, members: last.members + j.numjobs, runtimeMs: Math.max(last.runtimeMs, runtimeOf(j, cfg)) };
    } else if (j.reportAs === 'clone' && j.numjobs > 1) {
      for (const c of r.jobClones[i]!) out.push({ name, groupid, job: j, stats: c, members: 1, runtimeMs: runtimeOf(j, cfg) });
    } else {
      out.push({ name, groupid, job: j, stats: r.jobs[i], members: j.numjobs, runtimeMs: runtimeOf(j, cfg) });
    }
  }
  return out;
}

export function fioReport(result: HostResult, cfg: ModelConfig, scenario: { name: string; seed: number }, format: FioOutputFormat, entries = fioEntries(result, cfg)) {
  // A group's aggregate bandwidth per direction, KiB/s (fio's rs->agg: its bytes over its longest run),
  // for each entry's share of it.
  const agg = new Map<number, [number, number]>();
  for (const g of new Set(entries.map((e) => e.groupid))) {
    const of = entries.filter((e) => e.groupid === g), run = Math.max(...of.map((e) => e.runtimeMs));
    agg.set(g, [0, 1].map((k) => (run > 0 ? of.reduce((s, e) => s + e.stats.dirs[k].bytes, 0) / 1024 / (run / 1000) : 0)) as [number, number]);
  }
  const jobs = entries.map((e) => jobJson(e, agg.get(e.groupid)!, format));
  const json = {
    // In fio's form, for the tools that parse it ("fio-X.Y"): the layout is fio 3.36's; the producer is
    // named under "vqsim" below.
    'fio version': FIO_VERSION,
    timestamp: 0,
    timestamp_ms: 0,
    time: 'Thu Jan  1 00:00:00 1970',
    // A job file's [global] options as written; else the run's timing in fio's options.
    'global options': entries[0]?.job.fioOptions?.global ?? {
      runtime: String(cfg.durationNs / 1e9),
      ramp_time: String(cfg.warmupNs / 1e9),
      time_based: '1',
      direct: '1',
    },
    jobs,
    disk_util: [],
    vqsim: {
      producer: 'vqsim (simulated, not measured)',
      scenario: scenario.name,
      variant: cfg.variant,
      seed: scenario.seed,
      window_ns: result.windowNs,
      events: result.events,
      host_core_util_pct: result.coreUtil.map(pct),
      devices: result.devices.map((d) => ({ name: d.name, util_pct: pct(d.util) })),
      vms: result.vms.map((vmr) => ({
        name: vmr.name,
        kicks: vmr.blk?.kicks ?? 0,
        irqs: vmr.blk?.irqs ?? 0,
        poll_windows: vmr.blk?.pollWindows ?? 0,
        poll_hits: vmr.blk?.pollHits ?? 0,
        threads: vmr.threads.map((t) => ({
          thread: t.name, role: t.role, busy_pct: pct(t.busyNs / result.windowNs), poll_pct: pct(t.pollNs / result.windowNs),
        })),
      })),
    },
  };
  return json;
}

function jobJson(e: FioEntry, groupAggKiB: [number, number], format: FioOutputFormat) {
  const { name, job: j, stats: s, runtimeMs } = e;
  const all = new Histogram();
  for (const d of s.dirs) all.add(d.lat);
  const threadMs = runtimeMs * e.members;
  return {
    jobname: name,
    groupid: e.groupid,
    job_start: 0,
    error: 0,
    eta: 0,
    elapsed: Math.round(runtimeMs / 1000),
    'job options': j.fioOptions?.job ?? jobOptions(name, j),
    read: dirJson(s.dirs[0], runtimeMs, groupAggKiB[0], format),
    write: dirJson(s.dirs[1], runtimeMs, groupAggKiB[1], format),
    trim: dirJson(null, runtimeMs, 0, format),
    sync: { total_ios: s.syncs, lat_ns: latJson(s.sync, false, format) },
    job_runtime: threadMs,
    // vqsim does not split fio's user time from its kernel time: the guest CPU of its submit and reap
    // steps (io_submit, io_getevents, the block layer below them) is all reported as sys_cpu.
    usr_cpu: 0,
    sys_cpu: threadMs > 0 ? (100 * s.cpuNs) / 1e6 / threadMs : 0,
    ctx: 0,
    majf: 0,
    minf: 0,
    iodepth_level: dist(s.depth, ['1', '2', '4', '8', '16', '32', '>=64']),
    iodepth_submit: dist(s.submit, ['0', '4', '8', '16', '32', '64', '>=64']),
    iodepth_complete: dist(s.complete, ['0', '4', '8', '16', '32', '64', '>=64']),
    latency_ns: latencyBuckets(all, 1, false),
    latency_us: latencyBuckets(all, 1e3, false),
    latency_ms: latencyBuckets(all, 1e6, true),
    latency_depth: j.iodepth,
    latency_target: 0,
    latency_percentile: 100.0,
    latency_window: 0,
  };
}

/** The options a scenario's job ran with, as fio lists a job's options (strings); a job file's are
 *  echoed as written instead. */
function jobOptions(name: string, j: JobConfig): Record<string, string> {
  const o: Record<string, string> = { name, rw: j.rw, bs: String(j.bs), iodepth: String(j.iodepth), numjobs: String(j.numjobs) };
  if (j.bssplit.length > 0) o.bssplit = j.bssplit.map((e) => `${e.bytes}/${Math.round(e.share * 1e4) / 100}`).join(':');
  if (j.rw === 'rw' || j.rw === 'randrw') o.rwmixread = String(j.rwmixread);
  if (j.rateIops > 0) { o.rate_iops = String(j.rateIops); o.rate_process = j.rateProcess; }
  if (j.fsync > 0) o.fsync = String(j.fsync);
  if (j.thinktimeNs > 0) o.thinktime = `${j.thinktimeNs / 1e3}us`;
  if (j.batchSubmit > 1) o.iodepth_batch_submit = String(j.batchSubmit);
  if (j.batchCompleteMin > 1) o.iodepth_batch_complete_min = String(j.batchCompleteMin);
  if (j.batchCompleteMax !== j.iodepth) o.iodepth_batch_complete_max = String(j.batchCompleteMax);
  return o;
}

/** One direction: add_ddir_status_json. A direction the job does not do has zeros, as fio's has. */
function dirJson(d: FioDirStats | null, runtimeMs: number, groupAggKiB: number, format: FioOutputFormat) {
  const empty = new Histogram();
  const runtime = d && d.active ? runtimeMs : 0;
  const ios = d?.ios ?? 0, bytes = d?.bytes ?? 0;
  const bwBytes = runtime > 0 ? Math.floor((1000 * bytes) / runtime) : 0;
  const bwMean = d?.bw.mean ?? 0;
  return {
    io_bytes: bytes,
    io_kbytes: Math.floor(bytes / 1024),
    bw_bytes: bwBytes,
    bw: Math.floor(bwBytes / 1024),
    iops: runtime > 0 ? (1000 * ios) / runtime : 0,
    runtime,
    total_ios: ios,
    short_ios: 0,
    drop_ios: 0,
    slat_ns: latJson(d?.slat ?? empty, false, format),
    clat_ns: latJson(d?.clat ?? empty, true, format),
    lat_ns: latJson(d?.lat ?? empty, false, format),
    bw_min: d && d.bw.n > 0 ? Math.round(d.bw.min) : 0,
    bw_max: d ? Math.round(d.bw.max) : 0,
    // Its share of its group's aggregate bandwidth (convert_agg_kbytes_percent).
    bw_agg: groupAggKiB > 0 ? Math.min(100, (bwMean * 100) / groupAggKiB) : 0,
    bw_mean: bwMean,
    bw_dev: d?.bw.stddev ?? 0,
    bw_samples: d?.bw.n ?? 0,
    iops_min: d && d.iops.n > 0 ? Math.round(d.iops.min) : 0,
    iops_max: d ? Math.round(d.iops.max) : 0,
    iops_mean: d?.iops.mean ?? 0,
    iops_stddev: d?.iops.stddev ?? 0,
    iops_samples: d?.iops.n ?? 0,
  };
}

/** add_ddir_lat_json: min, max (ns), mean, stddev, N; percentiles where fio reports them (clat, by
 *  default), and with json+ the histogram's bins (ns value -> count). */
function latJson(h: Histogram, percentiles: boolean, format: FioOutputFormat) {
  const out: Record<string, unknown> = {
    min: h.count > 0 ? Math.round(h.min) : 0,
    max: Math.round(h.max),
    mean: h.mean,
    stddev: h.stddev,
    N: h.count,
  };
  if (percentiles && h.count > 0) {
    out.percentile = Object.fromEntries(PERCENTILES.map((p) => [p.toFixed(6), Math.round(h.quantile(p / 100))]));
    if (format === 'json+') {
      const bins: Record<string, number> = {};
      for (let i = 0; i < BUCKETS; i++) {
        if (h.counts[i] > 0) bins[String(Math.floor((bucketLower(i) + bucketUpper(i)) / 2))] = h.counts[i];
      }
      out.bins = bins;
    }
  }
  return out;
}

function bucketLower(i: number): number {
  return i === 0 ? 0 : bucketUpper(i - 1);
}

/** stat_calc_dist: each bucket's share of the total, in percent. */
function dist(counts: Float64Array, labels: string[]): Record<string, number> {
  const total = counts.reduce((s, x) => s + x, 0);
  return Object.fromEntries(labels.map((l, i) => [l, total > 0 ? (100 * counts[i]) / total : 0]));
}

/** latency_ns, _us or _ms: the share of I/Os (by their lat) at each scale's bucket. A value is on the
 *  nanosecond scale below 1 us, microseconds below 1 ms, milliseconds above (io_u_mark_latency). */
function latencyBuckets(h: Histogram, unitNs: number, ms: boolean): Record<string, number> {
  const labels = ms ? [...LAT_BOUNDS.map(String), '2000', '>=2000'] : LAT_BOUNDS.map(String);
  const bounds = ms ? [...LAT_BOUNDS, 2000] : LAT_BOUNDS;
  const counts = new Float64Array(labels.length);
  for (let i = 0; i < BUCKETS; i++) {
    if (h.counts[i] === 0) continue;
    const ns = (bucketLower(i) + bucketUpper(i)) / 2;
    const scale = ns < 1e3 ? 1 : ns < 1e6 ? 1e3 : 1e6;
    if (scale !== unitNs) continue;
    const v = Math.floor(ns / unitNs);
    const k = bounds.findIndex((b) => v < b);
    counts[k < 0 ? labels.length - 1 : k] += h.counts[i];
  }
  return Object.fromEntries(labels.map((l, i) => [l, h.count > 0 ? (100 * counts[i]) / h.count : 0]));
}

const pct = (x: number) => Math.round(x * 1e4) / 100;
