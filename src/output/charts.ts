import type { TopLevelSpec } from 'vega-lite';
import { bucketUpper, BUCKETS, type Histogram } from '../engine/histogram.js';
import type { AggregatedPoint } from './sweep-csv.js';

/** Metrics a sweep charts, one SVG each. */
export const CHART_METRICS = ['iops', 'gbit_s', 'trans_s', 'lat_mean_us', 'lat_p99_us', 'iothread_busy_max_pct', 'host_cpus'];

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded at the first chart: a worker process that draws none starts without them (0.2 s).
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}

/** One sweep point as a chart reads it: its variant, its axis values, a metric's mean and CI half-width. */
export interface SweepChartPoint { variant: string; values: string[]; mean: number; ci95: number }

/**
 * A sweep metric against the first axis (or the variant, with no axes): one line per combination of the
 * other axes (and variant), the 95 % confidence interval as a band.
 */
export function sweepChart(axes: string[], points: AggregatedPoint[], metric: string): Promise<string> {
  return toSvg(sweepChartSpec(axes, points.map((p) => ({ variant: p.variant, values: p.values.map(String), ...p.stats[metric] })), metric));
}

/** The vega-lite spec of sweepChart (the HTML report renders it in the browser). */
export function sweepChartSpec(axes: string[], points: SweepChartPoint[], metric: string): TopLevelSpec {
  const xName = axes[0] ?? 'variant';
  const rows = points.map((p) => {
    const x = axes.length ? p.values[0] : p.variant;
    const series = [...(new Set(points.map((q) => q.variant)).size > 1 ? [p.variant] : []),
      ...axes.slice(1).map((a, i) => `${a}=${p.values[i + 1]}`)].join(', ') || 'all';
    const half = Number.isFinite(p.ci95) ? p.ci95 : 0;
    return { x: Number.isNaN(Number(x)) ? x : Number(x), series, mean: p.mean, lo: p.mean - half, hi: p.mean + half };
  });
  const numeric = rows.every((r) => typeof r.x === 'number');
  const x = { field: 'x', type: numeric ? 'quantitative' : 'ordinal', title: xName } as const;
  // A legend only where there is more than one line to tell apart.
  const color = new Set(rows.map((r) => r.series)).size > 1
    ? { color: { field: 'series', type: 'nominal', title: axes.length > 1 ? axes.slice(1).join(', ') : 'series' } } as const : {};
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 480, height: 280,
    title: `${metric} vs ${xName} (mean, 95 % CI)`,
    data: { values: rows },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: metric }, y2: { field: 'hi' }, ...color } },
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: metric }, ...color } },
    ],
  };
}

/** The points of the latency CDF of each variant (and VM) of a run: each non-empty bucket's upper
 *  bound and the fraction of I/Os at or below it. */
export function cdfRows(results: { variant: string; vm?: string; latency: Histogram }[]): CdfRow[] {
  const rows: CdfRow[] = [];
  for (const r of results) {
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const n = r.latency.counts[i];
      if (n === 0) continue;
      seen += n;
      rows.push({ variant: r.vm === undefined ? r.variant : `${r.variant} ${r.vm}`, us: bucketUpper(i) / 1000, cumulative: seen / r.latency.count });
    }
  }
  return rows;
}

/** The latency CDF, latency on a log axis. */
export function latencyCdfChart(rows: CdfRow[]): Promise<string> {
  return toSvg(latencyCdfSpec(rows));
}

export interface CdfRow { variant: string; us: number; cumulative: number }

/** The vega-lite spec of latencyCdfChart, from its points (latency.csv holds them). */
export function latencyCdfSpec(rows: CdfRow[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 480, height: 280,
    title: 'Latency CDF',
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'us', type: 'quantitative', scale: { type: 'log' }, title: 'latency (us)' },
      y: { field: 'cumulative', type: 'quantitative', title: 'fraction of I/Os' },
      ...legend(rows),
    },
  };
}

const legend = (rows: CdfRow[]) => (new Set(rows.map((r) => r.variant)).size > 1 ? { color: { field: 'variant', type: 'nominal' } as const } : {});

/** Percentiles on a "nines" axis (50 %, 90 %, 99 %, 99.9 %, ... equally spaced: -log10 of the fraction
 *  above), latency on a log axis: the tail a CDF squashes against 1, as fio users plot it. The last
 *  bucket (fraction 1, the maximum) has no place on it. */
export function latencyNinesSpec(rows: CdfRow[]): TopLevelSpec {
  const values = rows.filter((r) => r.cumulative < 1).map((r) => ({ variant: r.variant, us: r.us, nines: -Math.log10(1 - r.cumulative) }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 480, height: 280,
    title: 'Latency by percentile',
    data: { values },
    mark: { type: 'line', interpolate: 'step-before' },
    encoding: {
      x: {
        field: 'nines', type: 'quantitative', title: 'percentile',
        axis: { values: [Math.log10(2), 1, 2, 3, 4, 5, 6], labelExpr: "format(100 * (1 - pow(10, -datum.value)), '.4~f') + ' %'" },
      },
      y: { field: 'us', type: 'quantitative', scale: { type: 'log' }, title: 'latency (us)' },
      ...legend(rows),
    },
  };
}
