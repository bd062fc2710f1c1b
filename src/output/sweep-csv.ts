import { stringify } from 'csv-stringify/sync';
import { meanCi95 } from '../stats/confidence.js';
import type { Row } from '../stats/summary.js';
import { formatNumber } from './format.js';

/** The metrics a sweep aggregates: every numeric column of its summaries, in their order (an empty
 *  figure, NaN, is null once a point file has held it). */
export function sweepMetrics(p: PointResult): string[] {
  return Object.keys(p.replications[0]).filter((k) => typeof p.replications[0][k] !== 'string');
}

export interface PointResult {
  index: number;
  variant: string;
  /** Axis values, as written in the CSV. */
  values: string[];
  replications: Row[];
}

export interface AggregatedPoint {
  variant: string;
  values: string[];
  replications: number;
  stats: Record<string, { mean: number; ci95: number }>;
}

export function aggregate(p: PointResult, metrics: string[]): AggregatedPoint {
  const stats: AggregatedPoint['stats'] = {};
  // Over the replications that have the figure (a latency needs a completed I/O).
  for (const m of metrics) stats[m] = meanCi95(p.replications.map((s) => s[m]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x)));
  return { variant: p.variant, values: p.values, replications: p.replications.length, stats };
}

/** sweep.csv: one row per point: its variant, parameter_<path> per axis, then mean and 95 % CI
 *  half-width of every metric. Empty CI with one replication. */
export function sweepCsv(axes: string[], metrics: string[], points: AggregatedPoint[]): string {
  const columns = ['variant', ...axes.map((a) => `parameter_${a}`), 'replications',
    ...metrics.flatMap((m) => [`${m}_mean`, `${m}_ci95`])];
  const rows = points.map((p) => [p.variant, ...p.values, String(p.replications),
    ...metrics.flatMap((m) => [formatNumber(m, p.stats[m].mean), formatNumber(m, p.stats[m].ci95)])]);
  return stringify(rows, { header: true, columns });
}
