/**
 * Latency histogram with bounded relative error, in the style of HdrHistogram: values (integer ns)
 * below 256 have a bucket each; above, every power of two is cut into 128 equal buckets, so a bucket's
 * width is at most 1/128 (0.78 %) of its lower bound. Recording is an index computation and an increment.
 */
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS; // 128 buckets per octave
const LINEAR = 2 * SUB; // values < 256 ns are exact
const OCTAVES = 32 - 8; // up to 2^32 ns (4.3 s); larger values land in the last bucket
export const BUCKETS = LINEAR + OCTAVES * SUB;

export function bucketIndex(ns: number): number {
  if (ns < LINEAR) return ns < 0 ? 0 : Math.floor(ns);
  if (ns >= 4294967295) return BUCKETS - 1;
  const v = ns >>> 0;
  const e = 31 - Math.clz32(v); // 2^e <= v < 2^(e+1), e >= 8
  return LINEAR + (e - 8) * SUB + ((v >>> (e - SUB_BITS)) & (SUB - 1));
}

/** Exclusive upper bound (ns) of bucket i. */
export function bucketUpper(i: number): number {
  if (i < LINEAR) return i + 1;
  const e = 8 + Math.floor((i - LINEAR) / SUB);
  const sub = (i - LINEAR) % SUB;
  return 2 ** e + (sub + 1) * 2 ** (e - SUB_BITS);
}

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  /** Sum of squares, for the standard deviation. */
  sumSq = 0;
  max = 0;
  min = Infinity;

  record(ns: number): void {
    this.counts[bucketIndex(ns)]++;
    this.count++;
    this.sum += ns;
    this.sumSq += ns * ns;
    if (ns > this.max) this.max = ns;
    if (ns < this.min) this.min = ns;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.max = 0;
    this.min = Infinity;
  }

  /** Adds another histogram's samples (pooling VMs). */
  add(h: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += h.counts[i];
    this.count += h.count;
    this.sum += h.sum;
    this.sumSq += h.sumSq;
    if (h.max > this.max) this.max = h.max;
    if (h.min < this.min) this.min = h.min;
  }

  get mean(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }

  /** Sample standard deviation (n - 1), as fio's calc_lat reports it. */
  get stddev(): number {
    if (this.count < 2) return 0;
    return Math.sqrt(Math.max(0, (this.sumSq - (this.sum * this.sum) / this.count) / (this.count - 1)));
  }

  /**
   * The value at quantile q (0..1): the upper bound of the bucket holding the ceil(q*count)-th sample,
   * clamped to the exact maximum. At most 0.78 % above the true order statistic.
   */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(bucketUpper(i), this.max);
    }
    return this.max;
  }
}
