import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DEFAULT_COSTS, type CostName } from '../model/costs.js';
import { leaveOneOut, leaveOneSourceOut, speedIn, trialOf, type Linearization } from './fit.js';
import {
  CHECKS, machineOf, machinesOf, ROWS, rowResiduals, runScenarios, scenarioFile, type CalibrationCheck, type CalibrationRow, type EvalOptions,
} from './rows.js';
import { shipped } from '../package-root.js';

/** Where `vqsim calibrate` keeps the linearization at its fit, for leave-one-out. */
export const FIT_FILE = shipped('results', 'calibration', 'fit.json');

export interface RowResult {
  row: CalibrationRow;
  value: number;
  /** host.cpu_speed of the row's machine, as its scenario gives it. */
  speed: number;
  /** vqsim / published - 1: in sample, predicted without the row, and without any row of its machine. */
  error: number;
  looError: number | undefined;
  losoError: number | undefined;
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

/** A scenario file's host.cpu_speed (1 where it gives none). */
function speedOf(scenario: string, opts: EvalOptions): number {
  const doc = parse(readFileSync(scenarioFile(scenario, opts.scenariosDir), 'utf8')) as { host?: { cpu_speed?: number } };
  return doc.host?.cpu_speed ?? 1;
}

/** Runs every row and check; the out-of-sample errors come from the saved fit when it matches today's. */
export function evaluateCalibration(opts: EvalOptions = {}, rows = ROWS, checks = CHECKS): Calibration {
  const runs = runScenarios([...rows, ...checks].map((r) => r.scenario), opts);
  const residuals = rowResiduals(rows, runs);
  const speeds = rows.map((r) => speedOf(r.scenario, opts));
  const { loo, loso, note } = outOfSample(rows, residuals, speeds);
  return {
    rows: rows.map((row, i) => ({
      row, value: row.figure(runs.get(row.scenario)!), speed: speeds[i], error: Math.expm1(residuals[i]),
      looError: loo ? Math.expm1(loo[i]) : undefined, losoError: loso ? Math.expm1(loso[i]) : undefined,
    })),
    checks: checks.map((check) => {
      const value = check.figure(runs.get(check.scenario)!);
      return { check, value, within: value >= check.min && value <= check.max };
    }),
    fitNote: note,
  };
}

/** Leave-one-out and leave-one-source-out in the saved fit's linearization, from today's residuals. */
function outOfSample(rows: CalibrationRow[], residuals: number[], speeds: number[]): { loo?: number[]; loso?: number[]; note?: string } {
  if (!existsSync(FIT_FILE)) return { note: `no ${FIT_FILE}: run vqsim calibrate` };
  const fit = JSON.parse(readFileSync(FIT_FILE, 'utf8')) as SavedFit;
  if (fit.rows.join() !== rows.map((r) => r.id).join()) return { note: `${FIT_FILE} has other rows: run vqsim calibrate` };
  const { costs } = trialOf(fit.names, fit.theta);
  const stale = [
    ...Object.entries(costs).filter(([n, v]) => v !== DEFAULT_COSTS[n as CostName]).map(([n]) => n),
    ...machinesOf(rows).filter((m) => speedIn(fit, m) !== speeds[rows.findIndex((r) => machineOf(r) === m)]).map((m) => `${m}'s host.cpu_speed`),
  ];
  const lin = { ...fit, residuals };
  return {
    loo: leaveOneOut(rows, lin),
    loso: leaveOneSourceOut(rows, lin),
    note: stale.length ? `the fitted values differ from ${FIT_FILE} (${stale.join(', ')}): run vqsim calibrate` : undefined,
  };
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
const num = (x: number) => (!Number.isFinite(x) ? '-' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));

/** The rows and checks as Markdown tables (docs/calibration.md embeds them). */
export function calibrationTables(c: Calibration): string {
  const lines = [
    '| row | figure | published | vqsim | host speed | in sample | leave-one-out | leave-one-source-out | uncertainty |',
    '|---|---|---|---|---|---|---|---|---|',
    ...c.rows.map(({ row, value, speed, error, looError, losoError }) =>
      `| ${row.id} | ${row.what} | ${row.source} | ${num(value)} | ${speed.toFixed(2)} | ${pct(error)} | ${pct(looError)} | ${pct(losoError)} | ±${Math.round(row.tol * 100)} % |`),
    '',
    '| check | figure | published | vqsim | band | within |',
    '|---|---|---|---|---|---|',
    ...c.checks.map(({ check, value, within }) =>
      `| ${check.id} | ${check.what} | ${check.published} | ${num(value)} | ${num(check.min)} to ${num(check.max)} | ${within ? 'yes' : 'no'} |`),
  ];
  return lines.join('\n');
}

const medianAbs = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => x !== undefined).map(Math.abs).sort((a, b) => a - b);
  return v.length ? pct(v[Math.floor((v.length - 1) / 2)]).replace('+', '') : '-';
};

/** The headline figures the fidelity issue asks for. */
export function calibrationScore(c: Calibration): string {
  const n = c.rows.length;
  const inTen = c.rows.filter((r) => Math.abs(r.error) <= 0.10).length;
  const inTol = c.rows.filter((r) => Math.abs(r.error) <= r.row.tol).length;
  const checks = c.checks.filter((x) => x.within).length;
  const speeds = c.rows.map((r) => r.speed);
  return `${n} numeric rows: ${inTen} within ±10 % in sample (${inTol} within their stated uncertainty); `
    + `median leave-one-out error ${medianAbs(c.rows.map((r) => r.looError))}, leave-one-source-out ${medianAbs(c.rows.map((r) => r.losoError))}; `
    + `host speeds ${Math.min(...speeds).toFixed(2)}-${Math.max(...speeds).toFixed(2)}; ${checks} of ${c.checks.length} checks within their bands`;
}
