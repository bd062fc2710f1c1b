import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Costs } from '../model/costs.js';
import { estimateRun } from '../model/estimate.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import type { DriftRow } from '../output/check-report.js';
import { drifted, toleranceOf } from '../stats/tolerances.js';
import { shipped } from '../package-root.js';
import { UsageError } from './errors.js';
import { runScenario, writeRunOutputs } from './run.js';
import type { Progress } from './sweep.js';
import { inWorkers, serveUnits } from './workers.js';

export type Drift = DriftRow;

export interface CheckOptions {
  update?: boolean;
  scenariosDir?: string;
  resultsDir?: string;
  /** Replaces cost defaults: lets a test prove that the gate catches a perturbed default. */
  defaultCosts?: Partial<Costs>;
  /** After each scenario file: how many of them are done. */
  onProgress?: (p: Progress) => void;
  /** Worker processes (1: every file in this process). */
  jobs?: number;
}

/** One scenario file's check: its name (undefined: no reference, skipped) and its drifts; with update,
 *  its references rewritten instead. */
interface Checked {
  name?: string;
  drifts: Drift[];
}

type CheckOne = Pick<CheckOptions, 'update' | 'defaultCosts'> & { scenariosDir: string; resultsDir: string };

async function checkOne(f: string, opts: CheckOne, loaded?: LoadedScenario): Promise<Checked> {
  const scenario = loaded ?? loadScenario(join(opts.scenariosDir, f), { defaultCosts: opts.defaultCosts });
  const dir = join(opts.resultsDir, scenario.slug);
  const refFile = join(dir, 'summary.csv');
  if (!opts.update && !existsSync(refFile)) return { drifts: [] };
  const run = runScenario(scenario);
  if (opts.update) {
    await writeRunOutputs(dir, run);
    return { name: scenario.name, drifts: [] };
  }
  const drifts: Drift[] = [];
  const reference = parse(readFileSync(refFile, 'utf8'), { columns: true }) as Record<string, string>[];
  // A row is a variant's, or in the host form a variant's VM entry or host total.
  const label = (row: Record<string, unknown>) => (row.vm === undefined || row.vm === '' ? String(row.variant) : `${String(row.variant)} ${String(row.vm)}`);
  const current = new Map(run.summaries.map((s) => [label(s), s]));
  for (const ref of reference) {
    const cur = current.get(label(ref));
    if (!cur) {
      drifts.push({ scenario: scenario.name, variant: label(ref), metric: '(variant)', reference: 'present', current: 'missing', change: '', tolerance: '' });
      continue;
    }
    for (const metric of Object.keys(ref)) {
      if (metric === 'variant' || typeof cur[metric] !== 'number') continue;
      const r = ref[metric] === '' ? NaN : Number(ref[metric]), c = cur[metric] as number;
      if (!drifted(metric, r, c)) continue;
      const t = toleranceOf(metric);
      drifts.push({
        scenario: scenario.name, variant: label(ref), metric,
        reference: ref[metric] === '' ? '(none)' : ref[metric], current: Number.isNaN(c) ? '(none)' : c.toPrecision(6),
        change: Number.isNaN(r - c) ? '' : r !== 0 ? `${(((c - r) / Math.abs(r)) * 100).toFixed(1)} %` : `${(c - r).toPrecision(3)}`,
        tolerance: `±max(${t.abs}, ${(t.rel * 100).toFixed(0)} %)`,
      });
    }
  }
  for (const v of current.keys()) {
    if (!reference.some((r) => label(r) === v)) {
      drifts.push({ scenario: scenario.name, variant: v, metric: '(variant)', reference: 'missing', current: 'present', change: '', tolerance: '' });
    }
  }
  return { name: scenario.name, drifts };
}

/** The worker side of a parallel check: checks the scenario files it is sent. */
export function checkWorker(): void {
  serveUnits((opts: CheckOne) => (f: string) => checkOne(f, opts));
}

/**
 * vqsim check: reruns every scenario (the shipped ones, or --scenarios) that has a reference summary
 * (the shipped results/, or --results) and compares each metric with its tolerance. With update, rewrites
 * the references instead. With jobs > 1 the files are checked in worker processes; the result is the
 * same, in the files' order.
 */
export async function checkCommand(opts: CheckOptions): Promise<{ checked: string[]; drifts: Drift[] }> {
  const scenariosDir = opts.scenariosDir ?? shipped('scenarios');
  const resultsDir = opts.resultsDir ?? shipped('results');
  if (!existsSync(scenariosDir)) throw new UsageError(`--scenarios ${scenariosDir}: no such directory`);
  const files = readdirSync(scenariosDir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  // Every file loads here first: a scenario error is reported by this process, once. The longest
  // (estimated) go to the workers first, so that none is left running alone at the end.
  const loaded = new Map(files.map((f) => [f, loadScenario(join(scenariosDir, f), { defaultCosts: opts.defaultCosts })]));
  const one: CheckOne = { update: opts.update, defaultCosts: opts.defaultCosts, scenariosDir, resultsDir };
  const results = new Array<Checked>(files.length);
  let done = 0;
  opts.onProgress?.({ done, total: files.length });
  const collect = (i: number, r: Checked) => {
    results[i] = r;
    opts.onProgress?.({ done: ++done, total: files.length });
  };
  if ((opts.jobs ?? 1) > 1 && files.length > 1) {
    const seconds = new Map(files.map((f) => [f, loaded.get(f)!.points.reduce((sum, p) => sum + estimateRun(p.config(0)).wallSeconds, 0)]));
    const longestFirst = [...files].sort((a, b) => seconds.get(b)! - seconds.get(a)!);
    await inWorkers('check', one, longestFirst, opts.jobs!, (f: string, r: Checked) => collect(files.indexOf(f), r), () => undefined, 'nothing compared');
  } else {
    for (const [i, f] of files.entries()) collect(i, await checkOne(f, one, loaded.get(f)));
  }
  const checked = results.flatMap((r) => (r.name === undefined ? [] : [r.name]));
  // A gate that checks nothing must not pass.
  if (checked.length === 0) throw new UsageError(`--results ${resultsDir}: no reference (<scenario name>/summary.csv) for any scenario in ${scenariosDir}: run vqsim check --update to write them`);
  return { checked, drifts: results.flatMap((r) => r.drifts) };
}
