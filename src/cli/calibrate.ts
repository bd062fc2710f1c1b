import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fit, trialOf } from '../calibration/fit.js';
import { FIT_FILE, type SavedFit } from '../calibration/report.js';
import { machineOf, REFERENCE_MACHINE, ROWS, scenarioFile, trialResiduals } from '../calibration/rows.js';
import { COST_TABLE } from '../model/costs.js';
import { shipped } from '../package-root.js';
import { setField } from '../scenario/edit.js';

// In the repository: the fitted defaults are source, compiled with the rest.
const FITTED_COSTS_FILE = shipped('src', 'model', 'fitted-costs.ts');

/**
 * vqsim calibrate: fits the costs and each source machine's speed, prints them beside their ranges,
 * writes the cost defaults, each published scenario's host.cpu_speed and the fit.
 */
export function calibrateCommand(iterations: number, log: (line: string) => void): void {
  const residuals = trialResiduals(ROWS);
  const lin = fit(ROWS, (t) => residuals(t.costs, t.speeds), iterations, log);
  const { costs, speeds } = trialOf(lin.names, lin.theta);
  for (const [name, value] of Object.entries(costs)) {
    const e = COST_TABLE[name as keyof typeof COST_TABLE];
    log(`${name.padEnd(24)} ${String(value).padStart(6)} ns  (start ${e.value}, range ${e.range[0]}-${e.range[1]})`);
  }
  const body = JSON.stringify(costs, null, 2).replace(/"(\w+)":/g, '$1:');
  writeFileSync(FITTED_COSTS_FILE,
    `/** Written by \`vqsim calibrate\` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */\nexport const FITTED_COSTS = ${body};\n`);
  for (const scenario of new Set(ROWS.map((r) => r.scenario))) {
    const machine = machineOf(ROWS.find((r) => r.scenario === scenario)!);
    log(`${machine.padEnd(5)} host.cpu_speed ${speeds[machine].toFixed(2)}${machine === REFERENCE_MACHINE ? ' (the reference machine)' : ''}  ${scenario}`);
    const file = scenarioFile(scenario);
    writeFileSync(file, setField(readFileSync(file, 'utf8'), ['host', 'cpu_speed'], speeds[machine]));
  }
  const saved: SavedFit = { ...lin, rows: ROWS.map((r) => r.id) };
  mkdirSync(dirname(FIT_FILE), { recursive: true });
  writeFileSync(FIT_FILE, `${JSON.stringify(saved, null, 1)}\n`);
  log(`wrote ${FITTED_COSTS_FILE}, ${FIT_FILE} and the speeds; rebuild, then vqsim calibration and vqsim check --update`);
}
