import { join } from 'node:path';
import { Vm } from '../model/vm.js';
import type { RunResult } from '../model/result.js';
import { latencyCdfChart } from '../output/charts.js';
import { latencyCsv, summaryCsv, threadsCsv } from '../output/csv.js';
import { textTable } from '../output/table.js';
import { writeFilesAtomically } from '../output/write.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { summarize, type Summary } from '../stats/summary.js';

export interface RunOptions {
  file: string;
  out?: string;
  seed?: number;
  variants?: string[];
}

export interface ScenarioRun {
  scenario: LoadedScenario;
  results: RunResult[];
  summaries: Summary[];
}

const TABLE: (keyof Summary)[] = [
  'variant', 'iops', 'bw_mib_s', 'lat_mean_us', 'lat_p99_us', 'vcpu_busy_pct', 'iothread_busy_max_pct',
  'iothread_poll_pct', 'host_cpus', 'kicks_per_io', 'irqs_per_io', 'device_util_pct',
];

/** Every point of a loaded scenario, one replication each. */
export function runScenario(scenario: LoadedScenario): ScenarioRun {
  const results = scenario.points.map((p) => new Vm(p.config(0)).run());
  return { scenario, results, summaries: results.map(summarize) };
}

/** summary.csv, latency.csv, threads.csv and the latency CDF, all renamed into place together. */
export async function writeRunOutputs(dir: string, run: ScenarioRun): Promise<string[]> {
  return writeFilesAtomically(dir, {
    'summary.csv': summaryCsv(run.summaries),
    'latency.csv': latencyCsv(run.results),
    'threads.csv': threadsCsv(run.results),
    'latency-cdf.svg': await latencyCdfChart(run.results),
  });
}

/** vqsim run: simulate, then write outputs once every variant succeeded, then print the table. */
export async function runCommand(opts: RunOptions, log: (line: string) => void): Promise<{ dir: string; summaries: Summary[] }> {
  const run = runScenario(loadScenario(opts.file, { seed: opts.seed, variants: opts.variants }));
  for (const w of new Set(run.scenario.points.flatMap((p) => p.warnings))) process.stderr.write(`vqsim: warning: ${w}\n`);
  const dir = opts.out ?? join('results', run.scenario.name);
  const written = await writeRunOutputs(dir, run);
  log(`${run.scenario.name}: ${run.scenario.description}`.trim());
  log(textTable(run.summaries, TABLE));
  log(`wrote ${written.join(', ')}`);
  return { dir, summaries: run.summaries };
}
