import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, extname, join } from 'node:path';
import { estimateRun, type Estimate } from '../model/estimate.js';
import { ScenarioError } from '../scenario/errors.js';
import type { FioOutputFormat } from '../output/fio-json.js';
import { pointOutputs, runFiles, type PointOutputs } from '../output/point-outputs.js';
import { textTable } from '../output/table.js';
import { writeFilesAtomically } from '../output/write.js';
import { loadScenario, scenarioFromText, type LoadedScenario } from '../scenario/load.js';
import type { Row } from '../stats/summary.js';
import { layoutOf, summaryColumns } from '../stats/host-summary.js';
import { Interrupted, simulatePoint, simulatePointAsync, type PointRun } from '../run/simulate.js';
import { shipped } from '../package-root.js';
import { inWorkers, serveUnits } from './workers.js';

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
  /** Worker processes for the variants (1: all in this process). */
  jobs?: number;
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

/** A run's files (summary.csv, latency.csv, threads.csv, jobs.csv, the latency CDF; with a fio format,
 *  each variant's fio-<variant>.json), by name. */
export async function runOutputs(run: ScenarioRun, format: RunOptions['outputFormat'] = 'normal'): Promise<Record<string, string>> {
  return runFiles(run.runs.map((r) => pointOutputs(r, run.scenario, run.columns.includes('vm'), format)), run.columns);
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

/** Runs longer than this (estimated, on the worker processes given) get a progress bar on a terminal
 *  and a one-line estimate otherwise: nobody should wait in silence for more than a few seconds. */
const LONG_RUN_SECONDS = 5;

/** The memory a run may take: half the machine's. */
function memoryLimit(): number {
  return totalmem() / 2;
}

/**
 * vqsim run: estimate (refusing a run that cannot fit in memory), simulate every variant in slices, or
 * the variants in `jobs` worker processes (a signal stops it with nothing written), write the outputs
 * once every variant succeeded, print the table. The bytes are the same for any `jobs`.
 */
export async function runCommand(opts: RunOptions, log: (line: string) => void, ui: RunUi = { warn: () => {} }): Promise<{ dir: string; summaries: Row[] }> {
  const scenario = loadScenario(opts.file, { seed: opts.seed, variants: opts.variants, fio: opts.fio });
  const configs = scenario.points.map((p) => p.config(0));
  const estimates = configs.map(estimateRun);
  const workers = Math.min(opts.jobs ?? 1, configs.length);
  // Each worker holds one variant at a time: the largest ones side by side.
  const largest = estimates.map((e) => e.bytes).sort((a, b) => b - a);
  const total: Estimate = {
    events: estimates.reduce((s, e) => s + e.events, 0),
    wallSeconds: estimates.reduce((s, e) => s + e.wallSeconds, 0) / workers,
    bytes: largest.slice(0, workers).reduce((s, b) => s + b, 0),
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
  const columns = summaryColumns(layout, configs);
  const progress = total.wallSeconds > LONG_RUN_SECONDS ? ui.longRun?.(total) : undefined;
  const share = (i: number) => (total.events > 0 ? estimates[i].events / total.events : 1 / configs.length);
  const spec: RunSpec = { file: opts.file, text: scenario.text, seed: opts.seed, variants: opts.variants, fio: opts.fio, format: opts.outputFormat ?? 'normal' };
  const parts = new Array<PointDone>(configs.length);
  if (workers > 1) {
    let done = 0;
    // The longest (estimated) first, so that none is left running alone at the end.
    const longestFirst = configs.map((_, i) => i).sort((a, b) => estimates[b].wallSeconds - estimates[a].wallSeconds);
    await inWorkers('run', spec, longestFirst, workers, (i: number, r: PointDone) => {
      parts[i] = r;
      done += share(i);
      progress?.(done);
    }, ui.stop ?? (() => undefined), 'nothing written for this run',
    async (i) => pointDone(await simulatePointAsync(configs[i], { layout, stop: ui.stop }), scenario, columns, spec.format));
  } else {
    let done = 0;
    for (let i = 0; i < configs.length; i++) {
      const run = await simulatePointAsync(configs[i], { layout, onProgress: (f) => progress?.(done + f * share(i)), stop: ui.stop });
      parts[i] = pointDone(run, scenario, columns, spec.format);
      done += share(i);
    }
  }
  // A job file's run goes beside the scenario's own results, not over them.
  const dir = opts.out ?? join('results', scenario.slug, ...(opts.fio ? [`fio-${basename(opts.fio, extname(opts.fio))}`] : []));
  const files = await runFiles(parts.map((p) => p.outputs), columns);
  // The scenario beside its results (vqsim report reads it), unless it is the shipped one of its name.
  if (!isShipped(scenario)) files['scenario.yaml'] = scenario.text;
  const signal = ui.stop?.();
  if (signal) throw new Interrupted(signal);
  for (const line of parts.flatMap((p) => p.starved)) ui.warn(`warning: ${line}`);
  const written = writeFilesAtomically(dir, files);
  const summaries = parts.flatMap((p) => p.outputs.rows);
  log(`${scenario.name}: ${scenario.description}`.trim());
  log(textTable(summaries, tableColumns(columns)));
  log(`wrote ${written.join(', ')}`);
  return { dir, summaries };
}

/** What a run's worker is handed: the scenario as the parent read it, and the run's options. */
interface RunSpec {
  file: string;
  text: string;
  seed?: number;
  variants?: string[];
  fio?: string;
  format: 'normal' | FioOutputFormat;
}

/** A finished variant: its share of the outputs, and its starved-clone warnings. */
interface PointDone {
  outputs: PointOutputs;
  starved: string[];
}

function pointDone(run: PointRun, scenario: LoadedScenario, columns: readonly string[], format: RunSpec['format']): PointDone {
  return { outputs: pointOutputs(run, scenario, columns.includes('vm'), format), starved: starvedClones([run]) };
}

/** The worker side of a parallel run: loads the scenario as the parent did, then simulates the
 *  variants (by index) it is sent. */
export function runWorker(): void {
  serveUnits((spec: RunSpec) => {
    const scenario = scenarioFromText(spec.file, spec.text, { seed: spec.seed, variants: spec.variants, fio: spec.fio });
    const configs = scenario.points.map((p) => p.config(0));
    const layout = layoutOf(configs);
    const columns = summaryColumns(layout, configs);
    return (i: number) => pointDone(simulatePoint(configs[i], layout), scenario, columns, spec.format);
  });
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

function isShipped(s: LoadedScenario): boolean {
  const file = shipped('scenarios', `${s.slug}.yaml`);
  return existsSync(file) && readFileSync(file, 'utf8') === s.text;
}
