import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Costs } from '../model/costs.js';
import { loadScenario } from '../scenario/load.js';
import type { DriftRow } from '../output/check-report.js';
import { drifted, toleranceOf } from '../stats/tolerances.js';
import { shipped } from '../package-root.js';
import { UsageError } from './errors.js';
import { runScenario, writeRunOutputs } from './run.js';
import type { Progress } from './sweep.js';

export type Drift = DriftRow;

export interface CheckOptions {
  update?: boolean;
  scenariosDir?: string;
  resultsDir?: string;
  /** Replaces cost defaults: lets a test prove that the gate catches a perturbed default. */
  defaultCosts?: Partial<Costs>;
  /** After each scenario file: how many of them are done. */
  onProgress?: (p: Progress) => void;
}

/**
 * vqsim check: reruns every scenario (the shipped ones, or --scenarios) that has a reference summary
 * (the shipped results/, or --results) and compares each metric with its tolerance. With update, rewrites
 * the references instead.
 */
export async function checkCommand(opts: CheckOptions): Promise<{ checked: string[]; drifts: Drift[] }> {
  const scenariosDir = opts.scenariosDir ?? shipped('scenarios');
  const resultsDir = opts.resultsDir ?? shipped('results');
  if (!existsSync(scenariosDir)) throw new UsageError(`--scenarios ${scenariosDir}: no such directory`);
  const files = readdirSync(scenariosDir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const checked: string[] = [];
  const drifts: Drift[] = [];
  for (const [done, f] of files.entries()) {
    opts.onProgress?.({ done, total: files.length });
    const scenario = loadScenario(join(scenariosDir, f), { defaultCosts: opts.defaultCosts });
    const dir = join(resultsDir, scenario.slug);
    const refFile = join(dir, 'summary.csv');
    if (!opts.update && !existsSync(refFile)) continue;
    const run = runScenario(scenario);
    checked.push(scenario.name);
    if (opts.update) {
      await writeRunOutputs(dir, run);
      continue;
    }
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
  }
  opts.onProgress?.({ done: files.length, total: files.length });
  // A gate that checks nothing must not pass.
  if (checked.length === 0) throw new UsageError(`--results ${resultsDir}: no reference (<scenario name>/summary.csv) for any scenario in ${scenariosDir}: run vqsim check --update to write them`);
  return { checked, drifts };
}
