import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { TopLevelSpec } from 'vega-lite';
import { CHECKS, ROWS } from '../calibration/rows.js';
import { CHART_METRICS, latencyCdfSpec, latencyNinesSpec, sweepChartSpec } from '../output/charts.js';
import { reportHtml, type Section } from '../output/report.js';
import { writeFilesAtomically } from '../output/write.js';
import { shipped } from '../package-root.js';
import { readFileArg as read } from './args.js';
import { UsageError } from './errors.js';

type Row = Record<string, string>;
const csv = (file: string): Row[] => parse(read(file, 'CSV'), { columns: true }) as Row[];

/**
 * vqsim report DIR: one self-contained report.html for a run's result directory or a sweep's: the
 * summary (or sweep) table, the latency CDF or the sweep charts with their CI bands, per-thread CPU,
 * the scenario, and the calibration rows that rely on it. Returns the file written.
 */
export function reportCommand(dir: string, scenarioFile?: string): string {
  const isSweep = existsSync(join(dir, 'sweep.csv'));
  if (!isSweep && !existsSync(join(dir, 'summary.csv'))) {
    throw new UsageError(`${dir}: neither a run's result directory (summary.csv) nor a sweep's (sweep.csv)`);
  }
  const name = isSweep ? sweepName(dir) : basename(resolve(dir));
  const sections = isSweep ? sweepSections(dir) : runSections(dir);
  sections.push(...scenarioSections(name, dir, scenarioFile));
  writeFilesAtomically(dir, { 'report.html': reportHtml(`vqsim: ${name}${isSweep ? ' (sweep)' : ''}`, sections) });
  return join(dir, 'report.html');
}

function sweepName(dir: string): string {
  const meta = join(dir, 'sweep.json');
  if (existsSync(meta)) return String((JSON.parse(readFileSync(meta, 'utf8')) as { name: string }).name);
  return basename(dirname(resolve(dir)));
}

function runSections(dir: string): Section[] {
  const summary = csv(join(dir, 'summary.csv'));
  const sections: Section[] = [{ kind: 'table', title: 'Summary', columns: Object.keys(summary[0] ?? {}), rows: summary }];
  if (existsSync(join(dir, 'latency.csv'))) {
    const rows = csv(join(dir, 'latency.csv')).map((r) => ({
      variant: r.vm ? `${r.variant} ${r.vm}` : r.variant, us: Number(r.lat_upper_us), cumulative: Number(r.cumulative),
    }));
    sections.push({ kind: 'chart', title: 'Latency CDF', spec: latencyCdfSpec(rows) });
    sections.push({ kind: 'chart', title: 'Latency by percentile (nines)', spec: latencyNinesSpec(rows) });
  }
  if (existsSync(join(dir, 'threads.csv'))) {
    sections.push({ kind: 'chart', title: 'CPU per thread', spec: threadsSpec(csv(join(dir, 'threads.csv'))) });
  }
  return sections;
}

/** Each thread's busy and polling share of the window, a bar per thread, a row of bars per variant. */
function threadsSpec(rows: Row[]): TopLevelSpec {
  const values = rows.flatMap((r) => {
    const thread = r.vm ? `${r.vm}/${r.thread}` : r.thread;
    return [
      { variant: r.variant, thread, state: 'busy', pct: Number(r.busy_pct) },
      { variant: r.variant, thread, state: 'polling', pct: Number(r.poll_pct) },
    ];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    mark: 'bar',
    encoding: {
      row: { field: 'variant', type: 'nominal', title: null },
      x: { field: 'thread', type: 'nominal', sort: null, title: 'thread' },
      y: { field: 'pct', type: 'quantitative', title: '% of the window', stack: 'zero' },
      color: { field: 'state', type: 'nominal', scale: { domain: ['busy', 'polling'] } },
    },
  } as TopLevelSpec;
}

function sweepSections(dir: string): Section[] {
  const rows = csv(join(dir, 'sweep.csv'));
  const columns = Object.keys(rows[0] ?? {});
  const axes = columns.filter((c) => c.startsWith('parameter_')).map((c) => c.slice('parameter_'.length));
  const sections: Section[] = [{ kind: 'table', title: 'Sweep: means and 95 % CI half-widths', columns, rows }];
  for (const metric of CHART_METRICS.filter((m) => columns.includes(`${m}_mean`))) {
    const points = rows.map((r) => ({
      variant: r.variant, values: axes.map((a) => r[`parameter_${a}`]), mean: Number(r[`${metric}_mean`]), ci95: Number(r[`${metric}_ci95`]),
    }));
    sections.push({ kind: 'chart', title: metric, spec: sweepChartSpec(axes, points, metric) });
  }
  return sections;
}

/** The scenario's text (--scenario, DIR/scenario.yaml, or the shipped one of that name) and the
 *  published rows that are computed from it. */
function scenarioSections(name: string, dir: string, scenarioFile?: string): Section[] {
  const candidates = [scenarioFile, join(dir, 'scenario.yaml'), shipped('scenarios', `${name}.yaml`)].filter((f): f is string => f !== undefined);
  if (scenarioFile && !existsSync(scenarioFile)) throw new UsageError(`--scenario ${scenarioFile}: no such file`);
  const file = candidates.find((f) => existsSync(f));
  const sections: Section[] = [{
    kind: 'text', title: 'Scenario',
    text: file ? `${file}\n\n${read(file, 'scenario')}` : `not found: give it with --scenario FILE (looked for ${candidates.join(', ')})`,
  }];
  const rows = ROWS.filter((r) => r.scenario === name).map((r) => ({
    id: r.id, figure: r.what, published: r.source, uncertainty: `±${Math.round(r.tol * 100)} %`, 'outside, explained': r.explained ?? '',
  }));
  const checks = CHECKS.filter((c) => c.scenario === name).map((c) => ({
    id: c.id, figure: c.what, published: c.published, uncertainty: `band ${c.min} to ${Number.isFinite(c.max) ? c.max : '-'}`, 'outside, explained': c.explained ?? '',
  }));
  if (rows.length + checks.length > 0) {
    sections.push({
      kind: 'table', title: 'Published measurements computed from this scenario (vqsim calibration, docs/calibration.md)',
      columns: ['id', 'figure', 'published', 'uncertainty', 'outside, explained'], rows: [...rows, ...checks],
    });
  }
  return sections;
}
