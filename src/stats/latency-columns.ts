import type { Histogram } from '../engine/histogram.js';

/** The latency columns fio prints, in microseconds. */
export type LatencyColumns = { lat_mean_us: number; lat_p50_us: number; lat_p90_us: number; lat_p99_us: number; lat_p99_9_us: number; lat_max_us: number };

/**
 * A histogram's mean, percentiles and maximum in microseconds; NaN (an empty column) when nothing
 * completed in the window: fio has no latency to print then, and 0 would read as an infinitely fast run.
 */
export function latencyColumns(h: Histogram): LatencyColumns {
  const us = (ns: number) => (h.count > 0 ? ns / 1000 : NaN);
  return {
    lat_mean_us: us(h.mean), lat_p50_us: us(h.quantile(0.5)), lat_p90_us: us(h.quantile(0.9)),
    lat_p99_us: us(h.quantile(0.99)), lat_p99_9_us: us(h.quantile(0.999)), lat_max_us: us(h.max),
  };
}
