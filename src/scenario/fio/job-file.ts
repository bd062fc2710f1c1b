import { parseBssplit } from '../bssplit.js';
import type { JobEntryInput } from '../schema.js';
import type { FioJob, FioOption } from './ini.js';

/** A job file's problem: its file, section, option and line. */
export class FioOptionError extends Error {
  constructor(readonly option: FioOption | { file: string; line: number; key: string }, readonly section: string, reason: string) {
    super(reason);
  }
}

/** What a job file gives a scenario: its jobs, fio's runtime and ramp_time if set, and the options
 *  that do not change the answer (named in one warning). */
export interface FioWorkload {
  /** As a scenario's `jobs:` entries. */
  jobs: JobEntryInput[];
  /** Per job, the option that set each field, for errors found later. */
  origins: Record<string, FioOption>[];
  durationNs?: number;
  warmupNs?: number;
  ignored: string[];
}

/** Options that change nothing vqsim reports: naming, logging, reporting, verification of the
 *  job file itself, the file to use (the disk is the scenario's). */
const NO_EFFECT = new Set([
  'name', 'description', 'filename', 'directory', 'filename_format',
  'unified_rw_reporting', 'per_job_logs', 'write_bw_log', 'write_lat_log', 'write_iops_log', 'write_hist_log',
  'log_avg_msec', 'log_hist_msec', 'log_offset', 'percentile_list', 'clat_percentiles', 'lat_percentiles',
  'slat_percentiles', 'significant_figures', 'norandommap', 'randrepeat', 'random_generator', 'randseed',
  'invalidate', 'exitall', 'exitall_on_error', 'clocksource', 'gtod_reduce', 'disable_lat', 'disable_clat',
  'disable_slat', 'disable_bw_measurement', 'thread', 'filesize', 'nrfiles', 'offset',
  'offset_increment', 'allow_file_create', 'create_on_open', 'overwrite', 'kb_base', 'unit_base',
  'output-format', 'eta', 'eta_newline', 'status_interval', 'refill_buffers', 'buffer_compress_percentage',
  'scramble_buffers', 'zero_buffers', 'loops', 'fallocate', 'continue_on_error',
]);

/** Options that change the answer and vqsim does not model: refused rather than ignored. */
const NOT_MODELLED: Record<string, string> = {
  blocksize_range: 'a range of block sizes', bsrange: 'a range of block sizes',
  end_fsync: 'a final fsync', sync: 'synchronous writes (O_SYNC)',
  verify: 'verification reads', do_verify: 'verification reads', cpus_allowed: 'pinning jobs to CPUs',
  cpumask: 'pinning jobs to CPUs', numa_cpu_nodes: 'NUMA placement', numa_mem_policy: 'NUMA placement',
  rate: 'a bandwidth rate (give rate_iops)', rate_min: 'a minimum rate', ratecycle: 'rate averaging',
  zonemode: 'zoned I/O', zonesize: 'zoned I/O', zonerange: 'zoned I/O', trim_percentage: 'trims',
  random_distribution: 'a skewed access distribution', percentage_random: 'a mix of random and sequential I/O',
  io_size: 'a size limit on the I/O (runs are time-based)', number_ios: 'a count of I/Os (runs are time-based)',
  iodepth_low: 'a queue refill threshold', thinktime_spin: 'spinning think time', thinktime_blocks: 'think time every n blocks',
  rwmixcycle: 'rw mix cycling', ioscheduler: 'a guest I/O scheduler',
};

/** Engines whose I/O fio keeps in flight up to iodepth (libaio, io_uring), and those that do one at a
 *  time whatever iodepth says (fio's HOWTO: "increasing iodepth beyond 1 will not affect synchronous
 *  ioengines"). */
const ASYNC_ENGINES = new Set(['libaio', 'io_uring', 'posixaio']);
const SYNC_ENGINES = new Set(['sync', 'psync', 'vsync', 'pvsync', 'pvsync2']);

const RW: Record<string, JobEntryInput['rw']> = {
  read: 'read', write: 'write', randread: 'randread', randwrite: 'randwrite', rw: 'rw', readwrite: 'rw', randrw: 'randrw',
};

/**
 * fio's job sections -> vqsim jobs (one per section, numjobs clones each), with fio's option names,
 * aliases and units: sizes by kb_base (4k = 4096 unless kb_base=1000; KiB always 1024), `bs=4k,64k`
 * per direction, bare times in seconds (microseconds for thinktime).
 */
export function fioWorkload(sections: FioJob[]): FioWorkload {
  const ignored = new Set<string>();
  const runtimes: (number | undefined)[] = [], ramps: (number | undefined)[] = [];
  const origins: Record<string, FioOption>[] = [];
  const jobs = sections.map((s): JobEntryInput => {
    const opt = new Map<string, FioOption>();
    for (const o of s.options) opt.set(canonical(o.key), o);
    const fail = (o: FioOption, reason: string) => new FioOptionError(o, s.name, reason);
    const kbBase = opt.has('kb_base') ? Number(opt.get('kb_base')!.value) : 1024;
    if (kbBase !== 1024 && kbBase !== 1000) throw fail(opt.get('kb_base')!, 'expected 1024 or 1000');
    const size = (o: FioOption) => {
      const v = fioSize(o.value, kbBase);
      if (v === undefined) throw fail(o, `expected a size such as 4k, 64KiB or 1m, got "${o.value}"`);
      return v;
    };
    const int = (o: FioOption, min: number) => {
      const v = Number(o.value);
      if (!Number.isInteger(v) || v < min) throw fail(o, `expected a whole number >= ${min}, got "${o.value}"`);
      return v;
    };
    // A bare bool option is set; =1 / =0 as fio's FIO_OPT_BOOL and FIO_OPT_STR_SET read them.
    const flag = (o: FioOption) => {
      if (o.value !== '' && o.value !== '0' && o.value !== '1') throw fail(o, `expected ${o.key}, ${o.key}=1 or ${o.key}=0, got "${o.value}"`);
      return o.value !== '0';
    };
    const time = (o: FioOption, unitNs: number) => {
      const v = fioTime(o.value, unitNs);
      if (v === undefined) throw fail(o, `expected a time such as 30, 500ms or 2m, got "${o.value}"`);
      return v;
    };

    // fio reports each clone apart unless group_reporting pools the group.
    const written = (global: boolean) => Object.fromEntries(s.options.filter((o) => (o.global ?? false) === global).map((o) => [o.key, o.value]));
    const job: JobEntryInput = { name: s.name, group_reporting: false, fio_options: { global: written(true), job: { name: s.name, ...written(false) } } };
    const origin: Record<string, FioOption> = {};
    origins.push(origin);
    for (const [key, o] of opt) {
      origin[FIELD[key] ?? key] = o;
      if (NO_EFFECT.has(key)) { if (key !== 'name') ignored.add(key); continue; }
      if (key in NOT_MODELLED) throw fail(o, `${key} would change the answer (${NOT_MODELLED[key]}) and is not modelled`);
      switch (key) {
        case 'rw': {
          const [mode, offset] = o.value.split(':');
          if (!(mode in RW)) throw fail(o, `expected one of ${Object.keys(RW).join(', ')}, got "${o.value}"`);
          if (offset !== undefined) throw fail(o, `an offset modifier (${o.value}) is not modelled`);
          job.rw = RW[mode];
          break;
        }
        case 'rwmixread': job.rwmixread = int(o, 0); break;
        case 'rwmixwrite': job.rwmixread = 100 - int(o, 0); break;
        case 'bs': case 'bssplit': break; // below, with the job's direction
        case 'iodepth': job.iodepth = int(o, 1); break;
        case 'size': job.size = `${size(o)}`; break;
        case 'numjobs': job.numjobs = int(o, 1); break;
        // On the guest's block device fsync and fdatasync are one call (blkdev_fsync): a flush.
        case 'fsync': case 'fdatasync': {
          const n = int(o, 0);
          if (n > 0) job.fsync = n;
          break;
        }
        case 'rate_iops': {
          const [r, w] = o.value.split(',').map((x) => (x === '' ? undefined : Number(x)));
          if (w !== undefined && w !== r) throw fail(o, 'different read and write rates are not modelled');
          if (r === undefined || !(r > 0)) throw fail(o, `expected a positive rate, got "${o.value}"`);
          job.rate_iops = r;
          break;
        }
        case 'rate_process':
          if (o.value !== 'linear' && o.value !== 'poisson') throw fail(o, `expected linear or poisson, got "${o.value}"`);
          job.rate_process = o.value;
          break;
        case 'iodepth_batch_submit': job.iodepth_batch_submit = int(o, 1); break;
        case 'iodepth_batch_complete_min': job.iodepth_batch_complete_min = Math.max(1, int(o, 0)); break;
        case 'iodepth_batch_complete_max': job.iodepth_batch_complete_max = int(o, 1); break;
        case 'thinktime': job.thinktime = `${time(o, 1e3)}ns`; break;
        case 'runtime': runtimes[origins.length - 1] = time(o, 1e9); break;
        case 'ramp_time': ramps[origins.length - 1] = time(o, 1e9); break;
        case 'startdelay':
          if (o.value.includes('-')) throw fail(o, `a random startdelay range (${o.value}) is not modelled: give one time`);
          job.startdelay = `${time(o, 1e9)}ns`;
          break;
        case 'stonewall': job.stonewall = flag(o); break;
        case 'wait_for': job.wait_for = o.value; break;
        case 'direct': case 'buffered': break; // below
        case 'time_based': break; // vqsim's runs are always time-based
        case 'group_reporting': job.group_reporting = flag(o); break;
        case 'new_group': job.new_group = flag(o); break;

        case 'ioengine':
          if (!ASYNC_ENGINES.has(o.value) && !SYNC_ENGINES.has(o.value)) {
            throw fail(o, `ioengine ${o.value} is not modelled (libaio, io_uring, posixaio; sync, psync, pvsync, pvsync2)`);
          }
          break;
        default:
          throw fail(o, `unknown or unmodelled fio option "${o.key}"`);
      }
    }
    // fio's default is buffered I/O; vqsim models O_DIRECT only (direct=1, or buffered=0).
    const direct = opt.get('direct'), buffered = opt.get('buffered');
    const isDirect = direct ? direct.value === '' || direct.value === '1' : buffered?.value === '0';
    if (!isDirect) {
      throw fail(direct ?? buffered ?? { key: 'direct', value: '', file: s.file, line: s.line },
        'buffered I/O through the guest page cache is not modelled: give direct=1 (fio\'s default is buffered)');
    }
    // Linux fio's default engine is psync (os/os.h FIO_PREFERRED_ENGINE).
    const engine = opt.get('ioengine')?.value ?? 'psync';
    if (SYNC_ENGINES.has(engine)) {
      if ((job.iodepth ?? 1) > 1) ignored.add(`iodepth (ioengine=${engine} does one I/O at a time)`);
      job.iodepth = 1;
    }
    const reads = job.rw !== 'write' && job.rw !== 'randwrite';
    const writes = job.rw === 'write' || job.rw === 'randwrite' || job.rw === 'rw' || job.rw === 'randrw';
    const split = opt.get('bssplit');
    if (split) {
      // Per direction as bs: reads,writes; each size/percent entry in the job's kb_base.
      const lists = split.value.split(',').map((list) => list.split(':').map((e) => {
        const [sz, pct] = e.split('/');
        return `${size({ ...split, value: sz })}${pct === undefined ? '' : `/${pct}`}`;
      }).join(':'));
      const read = lists[0], write = lists[1] ?? lists[0];
      if (reads && writes && read !== write) throw fail(split, 'different read and write bssplit lists in one job are not modelled');
      job.bssplit = reads ? read : write;
      parseBssplit(job.bssplit, (reason) => fail(split, reason));
    }
    const bs = opt.get('bs');
    if (bs && !split) {
      const [r, w] = bs.value.split(',').map((x) => (x === '' ? undefined : size({ ...bs, value: x })));
      const read = r, write = w ?? r;
      if (reads && writes && read !== write) throw fail(bs, 'different read and write block sizes in one job are not modelled');
      job.bs = reads ? read : write;
    }
    return job;
  });
  // One runtime (ramp_time) for every job is the run's duration (warmup); jobs that differ keep their own.
  const shared = (xs: (number | undefined)[]) => (jobs.every((_, i) => xs[i] === xs[0]) ? xs[0] : undefined);
  const durationNs = shared(runtimes), warmupNs = shared(ramps);
  jobs.forEach((j, i) => {
    if (durationNs === undefined && runtimes[i] !== undefined) j.runtime = `${runtimes[i]}ns`;
    if (warmupNs === undefined && ramps[i] !== undefined) j.ramp_time = `${ramps[i]}ns`;
  });
  return { jobs, origins, durationNs, warmupNs, ignored: [...ignored].sort() };
}

/** The scenario field an option sets, where the names differ. */
const FIELD: Record<string, string> = { rwmixwrite: 'rwmixread', fdatasync: 'fsync' };

/** fio's aliases (options.c) to the names above. */
function canonical(key: string): string {
  switch (key) {
    case 'readwrite': return 'rw';
    case 'blocksize': return 'bs';
    case 'iodepth_batch': return 'iodepth_batch_submit';
    case 'iodepth_batch_complete': return 'iodepth_batch_complete_min';
    case 'timeout': return 'runtime';
    case 'wait_for_previous': return 'stonewall';
    default: return key;
  }
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)(b?)\s*$/i;
const POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

/** A fio size: a suffix k, m, g... in kb_base units, KiB/MiB always 1024, kB/MB 1000 when kb_base=1000. */
export function fioSize(v: string, kbBase: number): number | undefined {
  const m = SIZE.exec(v);
  if (!m) return undefined;
  const base = m[3] ? 1024 : kbBase;
  const bytes = Number(m[1]) * base ** POWER[m[2].toLowerCase()];
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

const TIME = /^\s*(\d+(?:\.\d+)?)\s*(us|usec|ms|msec|s|sec|m|min|h|hr|d)?\s*$/i;
const TIME_NS: Record<string, number> = { us: 1e3, usec: 1e3, ms: 1e6, msec: 1e6, s: 1e9, sec: 1e9, m: 60e9, min: 60e9, h: 3600e9, hr: 3600e9, d: 86400e9 };

/** A fio time: a bare number in the option's own unit (seconds for runtime, microseconds for thinktime). */
export function fioTime(v: string, unitNs: number): number | undefined {
  const m = TIME.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] ? TIME_NS[m[2].toLowerCase()] : unitNs);
}
