import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_COSTS, type CostName } from '../model/costs.js';
import { leaveOneOut, type Linearization } from './fit.js';
import { CHECKS, ROWS, rowResiduals, runScenarios, type CalibrationCheck, type CalibrationRow, type EvalOptions } from './rows.js';
import { shipped } from '../package-root.js';

/** Where `vqsim calibrate` keeps the linearization at its fit, for leave-one-out. */
export const FIT_FILE = shipped('results', 'calibration', 'fit.json');

export interface RowResult {
  row: CalibrationRow;
  value: number;
  /** vqsim / published - 1, in sample and predicted without the row. */
  error: number;
  looError: number | undefined;
}

export interface CheckResult {
  check: CalibrationCheck;
  value: number;
  within: boolean;
}

export interface Calibration {
  rows: RowResult[];
  checks: CheckResult[];
  /** Why the leave-one-out column is empty or may be stale, if it is. */
  fitNote: string | undefined;
}

export interface SavedFit extends Linearization {
  rows: string[];
}

/** Runs every row and check; leave-one-out errors come from the saved fit when it matches today's costs. */
export function evaluateCalibration(opts: EvalOptions = {}, rows = ROWS, checks = CHECKS): Calibration {
  const runs = runScenarios([...rows, ...checks].map((r) => r.scenario), opts);
  const residuals = rowResiduals(rows, runs);
  const { loo, note } = looFromSavedFit(rows, residuals);
  return {
    rows: rows.map((row, i) => ({
      row, value: row.figure(runs.get(row.scenario)!), error: Math.expm1(residuals[i]), looError: loo ? Math.expm1(loo[i]) : undefined,
    })),
    checks: checks.map((check) => {
      const value = check.figure(runs.get(check.scenario)!);
      return { check, value, within: value >= check.min && value <= check.max };
    }),
    fitNote: note,
  };
}

function looFromSavedFit(rows: CalibrationRow[], residuals: number[]): { loo?: number[]; note?: string } {
  if (!existsSync(FIT_FILE)) return { note: `no ${FIT_FILE}: run vqsim calibrate` };
  const fit = JSON.parse(readFileSync(FIT_FILE, 'utf8')) as SavedFit;
  if (fit.rows.join() !== rows.map((r) => r.id).join()) return { note: `${FIT_FILE} has other rows: run vqsim calibrate` };
  const stale = fit.names.filter((n: CostName, j) => Math.round(Math.exp(fit.theta[j])) !== DEFAULT_COSTS[n]);
  // Leave-one-out in the fit's linearization, from today's in-sample residuals.
  const loo = leaveOneOut(rows, { ...fit, residuals });
  return { loo, note: stale.length ? `fitted costs differ from ${FIT_FILE} (${stale.join(', ')}): run vqsim calibrate` : undefined };
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
const num = (x: number) => (!Number.isFinite(x) ? '-' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));

/** The rows and checks as Markdown tables (docs/calibration.md embeds them). */
export function calibrationTables(c: Calibration): string {
  const lines = [
    '| row | figure | published | vqsim | in sample | leave-one-out | uncertainty |',
    '|---|---|---|---|---|---|---|',
    ...c.rows.map(({ row, value, error, looError }) =>
      `| ${row.id} | ${row.what} | ${row.source} | ${num(value)} | ${pct(error)} | ${pct(looError)} | ±${Math.round(row.tol * 100)} % |`),
    '',
    '| check | figure | published | vqsim | band | within |',
    '|---|---|---|---|---|---|',
    ...c.checks.map(({ check, value, within }) =>
      `| ${check.id} | ${check.what} | ${check.published} | ${num(value)} | ${num(check.min)} to ${num(check.max)} | ${within ? 'yes' : 'no'} |`),
  ];
  return lines.join('\n');
}

/** The headline figures the fidelity issue asks for. */
export function calibrationScore(c: Calibration): string {
  const n = c.rows.length;
  const inTen = c.rows.filter((r) => Math.abs(r.error) <= 0.10).length;
  const inTol = c.rows.filter((r) => Math.abs(r.error) <= r.row.tol).length;
  const loo = c.rows.map((r) => r.looError).filter((x): x is number => x !== undefined).map(Math.abs).sort((a, b) => a - b);
  const median = loo.length ? loo[Math.floor((loo.length - 1) / 2)] : undefined;
  const checks = c.checks.filter((x) => x.within).length;
  return `${n} numeric rows: ${inTen} within ±10 % in sample (${inTol} within their stated uncertainty); `
    + `median leave-one-out error ${median === undefined ? '-' : pct(median).replace('+', '')}; ${checks} of ${c.checks.length} checks within their bands`;
}
