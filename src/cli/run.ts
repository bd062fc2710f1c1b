import { join } from 'node:path';
import { Vm } from '../model/vm.js';
import type { RunResult } from '../model/result.js';
import { latencyCsv, summaryCsv, threadsCsv } from '../output/csv.js';
import { textTable } from '../output/table.js';
import { writeFilesAtomically } from '../output/write.js';
import { loadScenario } from '../scenario/load.js';
import { summarize, type Summary } from '../stats/summary.js';

export interface RunOptions {
  file: string;
  out?: string;
  seed?: number;
  variants?: string[];
}

const TABLE: (keyof Summary)[] = [
  'variant', 'iops', 'bw_mib_s', 'lat_mean_us', 'lat_p99_us', 'vcpu_busy_pct', 'iothread_busy_max_pct',
  'iothread_poll_pct', 'host_cpus', 'kicks_per_io', 'irqs_per_io', 'device_util_pct',
];

/** vqsim run: every variant of a scenario, one replication each; CSVs written once all succeeded. */
export function runCommand(opts: RunOptions, log: (line: string) => void): { dir: string; summaries: Summary[] } {
  const scenario = loadScenario(opts.file, { seed: opts.seed, variants: opts.variants });
  const results: RunResult[] = scenario.points.map((p) => new Vm(p.config(0)).run());
  const summaries = results.map(summarize);
  const dir = opts.out ?? join('results', scenario.name);
  const written = writeFilesAtomically(dir, {
    'summary.csv': summaryCsv(summaries),
    'latency.csv': latencyCsv(results),
    'threads.csv': threadsCsv(results),
  });
  log(`${scenario.name}: ${scenario.description}`.trim());
  log(textTable(summaries, TABLE));
  log(`wrote ${written.join(', ')}`);
  return { dir, summaries };
}
