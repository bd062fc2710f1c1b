import { stringify } from 'csv-stringify/sync';
import { meanCi95 } from '../stats/confidence.js';
import { SUMMARY_COLUMNS, type Summary } from '../stats/summary.js';
import { formatNumber } from './format.js';

/** The metrics a sweep aggregates: every numeric summary column. */
export const SWEEP_METRICS = SUMMARY_COLUMNS.filter((c) => c !== 'variant') as Exclude<keyof Summary, 'variant'>[];

export interface PointResult {
  index: number;
  variant: string;
  /** Axis values, as written in the CSV. */
  values: string[];
  replications: Summary[];
}

export interface AggregatedPoint {
  variant: string;
  values: string[];
  replications: number;
  stats: Record<string, { mean: number; ci95: number }>;
}

export function aggregate(p: PointResult): AggregatedPoint {
  const stats: AggregatedPoint['stats'] = {};
  for (const m of SWEEP_METRICS) stats[m] = meanCi95(p.replications.map((s) => s[m]));
  return { variant: p.variant, values: p.values, replications: p.replications.length, stats };
}

/** sweep.csv: one row per point: its variant, parameter_<path> per axis, then mean and 95 % CI
 *  half-width of every metric. Empty CI with one replication. */
export function sweepCsv(axes: string[], points: AggregatedPoint[]): string {
  const columns = ['variant', ...axes.map((a) => `parameter_${a}`), 'replications',
    ...SWEEP_METRICS.flatMap((m) => [`${m}_mean`, `${m}_ci95`])];
  const fmt = (m: string, v: number) => (Number.isFinite(v) ? formatNumber(m, v) : '');
  const rows = points.map((p) => [p.variant, ...p.values, String(p.replications),
    ...SWEEP_METRICS.flatMap((m) => [fmt(m, p.stats[m].mean), fmt(m, p.stats[m].ci95)])]);
  return stringify(rows, { header: true, columns });
}
