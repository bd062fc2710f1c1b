import { Histogram } from '../../engine/histogram.js';

/** fio's bw_avg_time and iops_avg_time default: a bandwidth and an IOPS sample every 500 ms. */
export const FIO_SAMPLE_NS = 500e6;

/** Running min, max, mean and deviation of fio's periodic samples (its bw_stat, iops_stat). */
export class Samples {
  n = 0;
  min = Infinity;
  max = 0;
  sum = 0;
  sumSq = 0;

  add(v: number): void {
    this.n++;
    this.sum += v;
    this.sumSq += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  get mean(): number {
    return this.n > 0 ? this.sum / this.n : 0;
  }

  /** Another job's samples added as fio's group_reporting adds bw and iops (stat.c sum_stat with
   *  pure_sum): means, minima, maxima and squared deviations summed, sample counts added. */
  addPure(o: Samples): void {
    if (o.n === 0) return;
    if (this.n === 0) {
      Object.assign(this, { n: o.n, min: o.min, max: o.max, sum: o.sum, sumSq: o.sumSq });
      return;
    }
    const mean = this.mean + o.mean, s = this.deviations + o.deviations, n = this.n + o.n;
    this.min += o.min;
    this.max += o.max;
    this.n = n;
    this.sum = mean * n;
    this.sumSq = s + (this.sum * this.sum) / n;
  }

  /** Sum of squared deviations from the mean (fio's S). */
  private get deviations(): number {
    return this.n > 0 ? this.sumSq - (this.sum * this.sum) / this.n : 0;
  }

  reset(): void {
    this.n = this.sum = this.sumSq = this.max = 0;
    this.min = Infinity;
  }

  get stddev(): number {
    return this.n < 2 ? 0 : Math.sqrt(Math.max(0, (this.sumSq - (this.sum * this.sum) / this.n) / (this.n - 1)));
  }
}

/** One direction (read or write) of a job, as fio's thread_stat keeps it. Times in ns. */
export class FioDirStats {
  /** Submission: from fio's start of the I/O to the return of io_submit. */
  readonly slat = new Histogram();
  /** Completion: from io_submit's return to fio seeing the completion (io_getevents). */
  readonly clat = new Histogram();
  /** The whole: slat + clat. */
  readonly lat = new Histogram();
  ios = 0;
  bytes = 0;
  /** KiB/s and IOPS per FIO_SAMPLE_NS interval. */
  readonly bw = new Samples();
  readonly iops = new Samples();
  private intervalBytes = 0;
  private intervalIos = 0;
  private intervalEnd = Infinity;

  constructor(readonly active: boolean) {}

  record(now: number, issued: number, submitted: number, bytes: number): void {
    if (now >= this.intervalEnd) this.closeIntervals(now);
    this.slat.record(submitted - issued);
    this.clat.record(now - submitted);
    this.lat.record(now - issued);
    this.ios++;
    this.bytes += bytes;
    this.intervalIos++;
    this.intervalBytes += bytes;
  }

  /** Samples every whole interval that ended by `now` (an interval without I/O samples 0). */
  closeIntervals(now: number): void {
    while (now >= this.intervalEnd) {
      if (this.active) {
        this.bw.add(this.intervalBytes / 1024 / (FIO_SAMPLE_NS / 1e9));
        this.iops.add(this.intervalIos / (FIO_SAMPLE_NS / 1e9));
      }
      this.intervalBytes = this.intervalIos = 0;
      this.intervalEnd += FIO_SAMPLE_NS;
    }
  }

  /** Another job's direction pooled in (stat.c sum_thread_stats). */
  add(o: FioDirStats): void {
    this.slat.add(o.slat);
    this.clat.add(o.clat);
    this.lat.add(o.lat);
    this.ios += o.ios;
    this.bytes += o.bytes;
    this.bw.addPure(o.bw);
    this.iops.addPure(o.iops);
  }

  reset(now: number): void {
    for (const h of [this.slat, this.clat, this.lat]) h.reset();
    this.ios = this.bytes = this.intervalBytes = this.intervalIos = 0;
    this.bw.reset();
    this.iops.reset();
    this.intervalEnd = now + FIO_SAMPLE_NS;
  }
}

/** fio's depth buckets (io_u_mark_depth): 1, 2-3, 4-7, 8-15, 16-31, 32-63, >= 64. */
export function depthBucket(depth: number): number {
  return depth >= 64 ? 6 : 31 - Math.clz32(Math.max(1, depth));
}

/** fio's submit and complete batch buckets (io_u_mark_submit/_complete): 0, 1-4, 5-8, 9-16, 17-32,
 *  33-64, > 64. */
export function batchBucket(n: number): number {
  if (n <= 0) return 0;
  if (n > 64) return 6;
  return Math.max(1, 32 - Math.clz32(n - 1) - 1);
}

/**
 * What fio reports for one job or clone (a job's numjobs clones pooled, as group_reporting does, unless
 * it reports them apart): per direction
 * latencies, bytes and samples; the depth at each submission; the sizes of submit and complete
 * batches; the guest CPU time of its submit and reap steps.
 */
export class FioJobStats {
  readonly dirs: [FioDirStats, FioDirStats];
  readonly depth = new Float64Array(7);
  readonly submit = new Float64Array(7);
  readonly complete = new Float64Array(7);
  /** fio's sync entry: the fsyncs and their latency (issue to reap). */
  readonly sync = new Histogram();
  syncs = 0;
  cpuNs = 0;

  constructor(reads: boolean, writes: boolean) {
    this.dirs = [new FioDirStats(reads), new FioDirStats(writes)];
  }

  /** Its window has ended (the job stopped): later finishes leave it as it is. */
  private closed = false;

  reset(now: number): void {
    for (const d of this.dirs) d.reset(now);
    for (const a of [this.depth, this.submit, this.complete]) a.fill(0);
    this.sync.reset();
    this.cpuNs = this.syncs = 0;
    this.closed = false;
  }

  /** The window ends: its last whole sampling intervals are sampled. */
  finish(now: number): void {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.dirs) d.closeIntervals(now);
  }

  /** Another job (or clone) pooled in, as fio's group_reporting pools a group (sum_thread_stats). */
  add(o: FioJobStats): void {
    this.dirs[0].add(o.dirs[0]);
    this.dirs[1].add(o.dirs[1]);
    for (const [a, b] of [[this.depth, o.depth], [this.submit, o.submit], [this.complete, o.complete]] as const) {
      for (let k = 0; k < a.length; k++) a[k] += b[k];
    }
    this.sync.add(o.sync);
    this.syncs += o.syncs;
    this.cpuNs += o.cpuNs;
  }
}
