import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { costsOf, fit } from '../calibration/fit.js';
import { FIT_FILE, type SavedFit } from '../calibration/report.js';
import { ROWS, rowResiduals, runScenarios } from '../calibration/rows.js';
import { COST_TABLE } from '../model/costs.js';
import { shipped } from '../package-root.js';

// In the repository: the fitted defaults are source, compiled with the rest.
const FITTED_COSTS_FILE = shipped('src', 'model', 'fitted-costs.ts');

/** vqsim calibrate: fits, prints each fitted cost beside its range, writes the defaults and the fit. */
export function calibrateCommand(iterations: number, log: (line: string) => void): void {
  const scenarios = ROWS.map((r) => r.scenario);
  const lin = fit(ROWS, (costs) => rowResiduals(ROWS, runScenarios(scenarios, { defaultCosts: costs })), iterations, log);
  const costs = costsOf(lin.names, lin.theta);
  for (const [name, value] of Object.entries(costs)) {
    const e = COST_TABLE[name as keyof typeof COST_TABLE];
    log(`${name.padEnd(24)} ${String(value).padStart(6)} ns  (start ${e.value}, range ${e.range[0]}-${e.range[1]})`);
  }
  const body = JSON.stringify(costs, null, 2).replace(/"(\w+)":/g, '$1:');
  writeFileSync(FITTED_COSTS_FILE,
    `/** Written by \`vqsim calibrate\` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */\nexport const FITTED_COSTS = ${body};\n`);
  const saved: SavedFit = { ...lin, rows: ROWS.map((r) => r.id) };
  mkdirSync(dirname(FIT_FILE), { recursive: true });
  writeFileSync(FIT_FILE, `${JSON.stringify(saved, null, 1)}\n`);
  log(`wrote ${FITTED_COSTS_FILE} and ${FIT_FILE}; rebuild, then vqsim calibration and vqsim check --update`);
}
