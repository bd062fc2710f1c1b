import type { PointRun } from '../run/simulate.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Row } from '../stats/summary.js';
import { cdfRows, latencyCdfChart, type CdfRow } from './charts.js';
import { jobRows, jobsCsv, latencyCsv, latencyRows, summaryCsv, threadRows, threadsCsv } from './csv.js';
import { fioJson, type FioOutputFormat } from './fio-json.js';

/**
 * One point's share of a run's outputs, as plain data: what a worker process sends back, and what the
 * files are made of whether the points ran in one process or several (so the bytes cannot differ).
 */
export interface PointOutputs {
  rows: Row[];
  latency: string[][];
  threads: string[][];
  /** null: the point has no fio job. */
  jobs: string[][] | null;
  cdf: CdfRow[];
  /** fio's JSON for the point, with a fio format. */
  fio: { file: string; text: string } | null;
}

export function pointOutputs(run: PointRun, scenario: LoadedScenario, withVm: boolean, format: 'normal' | FioOutputFormat = 'normal'): PointOutputs {
  const hasJobs = run.config.vms.some((vm) => vm.jobs.length > 0);
  return {
    rows: run.rows,
    latency: latencyRows(run.latencies, withVm),
    threads: threadRows([run.result], withVm),
    jobs: hasJobs ? jobRows([run.result], withVm) : null,
    cdf: cdfRows(run.latencies),
    // A variant's name may hold any character; its file name only those safe everywhere.
    fio: format !== 'normal' && hasJobs
      ? { file: `fio-${run.config.variant.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`, text: fioJson(run.result, run.config, scenario, format) }
      : null,
  };
}

/** summary.csv, latency.csv, threads.csv, jobs.csv (where a point has a fio job), the latency CDF and
 *  any fio JSON, by name, from the points in their order. */
export async function runFiles(parts: PointOutputs[], columns: readonly string[]): Promise<Record<string, string>> {
  const withVm = columns.includes('vm');
  const files: Record<string, string> = {
    'summary.csv': summaryCsv(parts.flatMap((p) => p.rows), columns),
    'latency.csv': latencyCsv(parts.flatMap((p) => p.latency), withVm),
    'threads.csv': threadsCsv(parts.flatMap((p) => p.threads), withVm),
    ...(parts.some((p) => p.jobs !== null) ? { 'jobs.csv': jobsCsv(parts.flatMap((p) => p.jobs ?? []), withVm) } : {}),
    'latency-cdf.svg': await latencyCdfChart(parts.flatMap((p) => p.cdf)),
  };
  for (const p of parts) if (p.fio) files[p.fio.file] = p.fio.text;
  return files;
}
