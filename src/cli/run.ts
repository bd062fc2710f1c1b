import { totalmem } from 'node:os';
import { basename, extname, join } from 'node:path';
import { estimateRun, type Estimate } from '../model/estimate.js';
import { ScenarioError } from '../scenario/errors.js';
import { latencyCdfChart } from '../output/charts.js';
import { fioJson, type FioOutputFormat } from '../output/fio-json.js';
import { jobsCsv, latencyCsv, summaryCsv, threadsCsv } from '../output/csv.js';
import { textTable } from '../output/table.js';
import { writeFilesAtomically } from '../output/write.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import type { Row } from '../stats/summary.js';
import { layoutOf, summaryColumns } from '../stats/host-summary.js';
import { Interrupted, simulatePoint, simulatePointAsync, type PointRun } from '../run/simulate.js';

const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);

export interface RunOptions {
  file: string;
  out?: string;
  seed?: number;
  variants?: string[];
  /** A fio job file as the workload, in place of the scenario's jobs. */
  fio?: string;
  /** Also fio's JSON output (fio-<variant>.json), as fio --output-format=json or json+ writes it. */
  outputFormat?: 'normal' | FioOutputFormat;
  /** Run even when the estimate is past MAX_RUN_SECONDS. */
  force?: boolean;
}

/** A run estimated past a day of wall time is refused unless forced: a duration typed in the wrong
 *  unit, not a run anyone waits for. */
const MAX_RUN_SECONDS = 86_400;

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

/** The columns of the printed table: the summary's most read ones. */
function tableColumns(columns: readonly string[]): string[] {
  if (!columns.includes('vm')) {
    if (!columns.includes('net_lat_p99_us')) return columns.includes('iops') ? BLK_TABLE : NET_TABLE;
    return ['variant', 'iops', 'lat_mean_us', 'lat_p99_us', 'trans_s', 'net_lat_mean_us', 'net_lat_p99_us',
      'vcpu_busy_pct', 'vhost_busy_pct', 'host_cpus', 'host_core_util_pct'];
  }
  const wanted = ['variant', 'vm', 'vms', 'iops', 'lat_p50_us', 'lat_p99_us', 'min_iops', 'max_iops', 'lat_p99_max_us',
    'trans_s', 'gbit_s', 'net_lat_p99_us', 'host_cpus', 'host_core_util_pct', 'device_util_pct'];
  return wanted.filter((c) => columns.includes(c));
}

/** Every point of a loaded scenario, one replication each. */
export function runScenario(scenario: LoadedScenario): ScenarioRun {
  const configs = scenario.points.map((p) => p.config(0));
  const layout = layoutOf(configs);
  const runs = configs.map((c) => simulatePoint(c, layout));
  return { scenario, runs, summaries: runs.flatMap((r) => r.rows), columns: summaryColumns(layout, configs) };
}

/** summary.csv, latency.csv, threads.csv and the latency CDF, by name; with a fio format, each
 *  variant's fio-<variant>.json too. */
export async function runOutputs(run: ScenarioRun, format: RunOptions['outputFormat'] = 'normal'): Promise<Record<string, string>> {
  const files: Record<string, string> = {
    'summary.csv': summaryCsv(run.summaries, run.columns),
    'latency.csv': latencyCsv(run.runs.flatMap((r) => r.latencies)),
    'threads.csv': threadsCsv(run.runs.map((r) => r.result), run.columns.includes('vm')),
    ...(run.runs.some((r) => r.config.vms.some((vm) => vm.jobs.length > 0))
      ? { 'jobs.csv': jobsCsv(run.runs.map((r) => r.result), run.columns.includes('vm')) } : {}),
    'latency-cdf.svg': await latencyCdfChart(run.runs.flatMap((r) => r.latencies)),
  };
  if (format !== 'normal') {
    // A variant's name may hold any character; its file name only those safe everywhere.
    for (const r of run.runs) {
      if (!r.config.vms.some((vm) => vm.jobs.length > 0)) continue; // a network-only run has no fio job to report
      files[`fio-${r.config.variant.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`] = fioJson(r.result, r.config, run.scenario, format);
    }
  }
  return files;
}

/** The outputs of a run, all renamed into place together. */
export async function writeRunOutputs(dir: string, run: ScenarioRun): Promise<string[]> {
  return writeFilesAtomically(dir, await runOutputs(run));
}

/** How a run talks to its user beyond the result table (the CLI layer decides what a terminal shows). */
export interface RunUi {
  warn(line: string): void;
  /** A run estimated past a minute: shown before it starts, then its progress (0..1). */
  longRun?(estimate: Estimate): (fraction: number) => void;
  /** A signal that asks the run to stop, if one came. */
  stop?(): NodeJS.Signals | undefined;
}

/** Runs longer than this (estimated) get a progress bar on a terminal and a one-line estimate otherwise. */
const LONG_RUN_SECONDS = 60;

/** The memory a run may take: half the machine's. */
function memoryLimit(): number {
  return totalmem() / 2;
}

/**
 * vqsim run: estimate (refusing a run that cannot fit in memory), simulate every variant in slices
 * (a signal stops it with nothing written), write the outputs once every variant succeeded, print
 * the table.
 */
export async function runCommand(opts: RunOptions, log: (line: string) => void, ui: RunUi = { warn: () => {} }): Promise<{ dir: string; summaries: Row[] }> {
  const scenario = loadScenario(opts.file, { seed: opts.seed, variants: opts.variants, fio: opts.fio });
  const configs = scenario.points.map((p) => p.config(0));
  const estimates = configs.map(estimateRun);
  const total: Estimate = {
    events: estimates.reduce((s, e) => s + e.events, 0),
    wallSeconds: estimates.reduce((s, e) => s + e.wallSeconds, 0),
    bytes: Math.max(...estimates.map((e) => e.bytes)),
  };
  if (total.bytes > memoryLimit()) {
    throw new ScenarioError(opts.file, [], undefined, `needs about ${gib(total.bytes)} GiB for its request tables and threads `
      + `(estimate), more than the ${gib(memoryLimit())} GiB this machine can give it: lower iodepth, numjobs, vcpus, queues or flows`);
  }
  if (total.wallSeconds > MAX_RUN_SECONDS && !opts.force) {
    throw new ScenarioError(opts.file, [], undefined, `estimated ${(total.wallSeconds / 3600).toLocaleString('en-US', { maximumFractionDigits: 0 })} hours of wall time `
      + `(${total.events.toExponential(1)} events): past a day; shorten duration, or give --force`);
  }
  // Warnings once the run is sure to start: a refused run says one thing only.
  for (const w of new Set(scenario.points.flatMap((p) => p.warnings))) ui.warn(`warning: ${w}`);
  const layout = layoutOf(configs);
  const progress = total.wallSeconds > LONG_RUN_SECONDS ? ui.longRun?.(total) : undefined;
  const runs: PointRun[] = [];
  let done = 0;
  for (let i = 0; i < configs.length; i++) {
    const share = total.events > 0 ? estimates[i].events / total.events : 1 / configs.length;
    runs.push(await simulatePointAsync(configs[i], { layout, onProgress: (f) => progress?.(done + f * share), stop: ui.stop }));
    done += share;
  }
  const run: ScenarioRun = { scenario, runs, summaries: runs.flatMap((r) => r.rows), columns: summaryColumns(layout, configs) };
  // A job file's run goes beside the scenario's own results, not over them.
  const dir = opts.out ?? join('results', run.scenario.slug, ...(opts.fio ? [`fio-${basename(opts.fio, extname(opts.fio))}`] : []));
  const files = await runOutputs(run, opts.outputFormat);
  const signal = ui.stop?.();
  if (signal) throw new Interrupted(signal);
  for (const line of starvedClones(runs)) ui.warn(`warning: ${line}`);
  const written = writeFilesAtomically(dir, files);
  log(`${run.scenario.name}: ${run.scenario.description}`.trim());
  log(textTable(run.summaries, tableColumns(run.columns)));
  log(`wrote ${written.join(', ')}`);
  return { dir, summaries: run.summaries };
}

/** fio jobs that completed nothing in the window, one line per variant and VM: fio would show them at
 *  0 IOPS, and the totals hide them; or a VM that completed nothing at all. */
function starvedClones(runs: PointRun[]): string[] {
  return runs.flatMap((r) => r.result.vms.flatMap((vm) => {
    const clones = vm.blk?.clones ?? [];
    const idle = clones.filter((c) => c.completions === 0);
    if (idle.length === 0) return [];
    const where = `${r.config.variant}${r.result.vms.length > 1 ? ` ${vm.name}` : ''}`;
    if (idle.length === clones.length) {
      return [`${where}: no I/O completed in the window: its latency columns are empty (a thinktime, rate or latency `
        + 'longer than the window: lengthen duration, or shorten warmup where the I/Os completed in it)'];
    }
    const vcpus = [...new Set(idle.map((c) => c.vcpu))].join(', ');
    return [`${where}: ${idle.length} of ${clones.length} fio job clones (on ${vcpus}) completed no I/O in the window (jobs.csv): `
      + 'a latency longer than the window, or a virtqueue its AioContext never served (docs/model.md, virtio_blk_handle_vq)'];
  }));
}
