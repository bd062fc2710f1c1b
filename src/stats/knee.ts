/** What a recommendation optimizes: IOPS, IOPS per host CPU, or the 99th percentile latency. */
export type Goal = 'throughput' | 'efficiency' | 'latency';

export interface Estimate {
  mean: number;
  /** Half-width of the 95 % confidence interval (NaN with one replication). */
  ci95: number;
}

/** The figure each goal ranks by, and which way is better. */
export const GOAL_METRIC: Record<Goal, { metric: string; higher: boolean; what: string }> = {
  throughput: { metric: 'iops', higher: true, what: 'IOPS' },
  efficiency: { metric: 'iops_per_host_cpu', higher: true, what: 'IOPS per host CPU' },
  latency: { metric: 'lat_p99_us', higher: false, what: 'p99 latency' },
};

export interface Knee {
  /** Index of the best estimate. */
  best: number;
  /** Index of the recommendation: of the options as good as the best, the best of the smallest size. */
  knee: number;
  /** The options as good as the best. */
  ties: number[];
}

/**
 * The knee: the options as good as the best are those within `within` (a share, 0.05 = 5 %) of the
 * best one's estimate, or whose confidence interval overlaps the best's (the replications cannot tell
 * them apart); of those, the smallest `size` wins, and among equals in size the better estimate.
 * Options without a finite figure (nothing completed) take no part.
 */
export function knee(estimates: Estimate[], sizes: number[], higher: boolean, within: number): Knee {
  const usable = estimates.map((_, i) => i).filter((i) => Number.isFinite(estimates[i].mean));
  if (usable.length === 0) throw new Error('no option has the figure: nothing completed at any setting');
  const better = (a: number, b: number) => (higher ? a > b : a < b);
  const best = usable.reduce((b, i) => (better(estimates[i].mean, estimates[b].mean) ? i : b));
  const top = estimates[best];
  const bound = higher ? top.mean * (1 - within) : top.mean * (1 + within);
  const ci = (e: Estimate) => (Number.isFinite(e.ci95) ? e.ci95 : 0);
  const ties = usable.filter((i) => {
    const e = estimates[i];
    const close = higher ? e.mean >= bound : e.mean <= bound;
    const overlaps = higher ? e.mean + ci(e) >= top.mean - ci(top) : e.mean - ci(e) <= top.mean + ci(top);
    return close || overlaps;
  });
  const smallest = Math.min(...ties.map((i) => sizes[i]));
  const knee = ties.filter((i) => sizes[i] === smallest).reduce((b, i) => (better(estimates[i].mean, estimates[b].mean) ? i : b));
  return { best, knee, ties };
}
