import { join } from 'node:path';
import { latencyCdfChart } from '../output/charts.js';
import { latencyCsv, summaryCsv, threadsCsv } from '../output/csv.js';
import { textTable } from '../output/table.js';
import { writeFilesAtomically } from '../output/write.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import type { Row } from '../stats/summary.js';
import { simulatePoint, summaryColumns, type PointRun } from './simulate.js';

export interface RunOptions {
  file: string;
  out?: string;
  seed?: number;
  variants?: string[];
}

export interface ScenarioRun {
  scenario: LoadedScenario;
  runs: PointRun[];
  summaries: Row[];
  columns: readonly string[];
}

const BLK_TABLE = [
  'variant', 'iops', 'bw_mib_s', 'lat_mean_us', 'lat_p99_us', 'vcpu_busy_pct', 'iothread_busy_max_pct',
  'iothread_poll_pct', 'host_cpus', 'kicks_per_io', 'irqs_per_io', 'device_util_pct',
];
const NET_TABLE = [
  'variant', 'gbit_s', 'pps', 'trans_s', 'lat_mean_us', 'lat_p99_us', 'vcpu_busy_pct', 'vhost_busy_pct',
  'host_cpus', 'cpus_per_gbit', 'kicks_per_packet', 'irqs_per_packet', 'msix_vectors',
];

/** Every point of a loaded scenario, one replication each. */
export function runScenario(scenario: LoadedScenario): ScenarioRun {
  const configs = scenario.points.map((p) => p.config(0));
  const runs = configs.map(simulatePoint);
  return { scenario, runs, summaries: runs.map((r) => r.summary), columns: summaryColumns(configs[0]) };
}

/** summary.csv, latency.csv, threads.csv and the latency CDF, all renamed into place together. */
export async function writeRunOutputs(dir: string, run: ScenarioRun): Promise<string[]> {
  return writeFilesAtomically(dir, {
    'summary.csv': summaryCsv(run.summaries, run.columns),
    'latency.csv': latencyCsv(run.runs.map((r) => r.result)),
    'threads.csv': threadsCsv(run.runs.map((r) => r.result)),
    'latency-cdf.svg': await latencyCdfChart(run.runs.map((r) => r.result)),
  });
}

/** vqsim run: simulate, then write outputs once every variant succeeded, then print the table. */
export async function runCommand(opts: RunOptions, log: (line: string) => void): Promise<{ dir: string; summaries: Row[] }> {
  const run = runScenario(loadScenario(opts.file, { seed: opts.seed, variants: opts.variants }));
  for (const w of new Set(run.scenario.points.flatMap((p) => p.warnings))) process.stderr.write(`vqsim: warning: ${w}\n`);
  const dir = opts.out ?? join('results', run.scenario.name);
  const written = await writeRunOutputs(dir, run);
  log(`${run.scenario.name}: ${run.scenario.description}`.trim());
  log(textTable(run.summaries, run.columns.includes('gbit_s') ? NET_TABLE : BLK_TABLE));
  log(`wrote ${written.join(', ')}`);
  return { dir, summaries: run.summaries };
}
