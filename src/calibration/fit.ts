import { COST_NAMES, COST_TABLE, DEFAULT_COSTS, type CostName, type Costs } from '../model/costs.js';
import { mapStep } from './least-squares.js';
import { machineOf, machinesOf, REFERENCE_MACHINE, type CalibrationRow } from './rows.js';

/** Relative step of the finite differences, in log space. */
const STEP = Math.log(1.15);

/** The bounds of a machine's speed factor: a source needing more is missing a mechanism, not slower. */
export const SPEED_RANGE = [0.6, 1.6] as const;

/** The costs `vqsim calibrate` fits: those costs.ts marks fitted, each within its range. */
export function fittedCosts(): CostName[] {
  return COST_NAMES.filter((n) => COST_TABLE[n].kind === 'fitted');
}

/** A point of the fit: cost values, and each source machine's host.cpu_speed. */
export interface Trial {
  costs: Partial<Costs>;
  speeds: Record<string, number>;
}

/** What the model gives for a trial: log(vqsim / published) per row. */
export type Residuals = (trial: Trial) => number[];

/** The fit's state at a point: its unknowns (fitted costs, then `speed:<machine>`), their log values,
 *  the residuals and their sensitivities (d r_i / d theta_j). */
export interface Linearization {
  names: string[];
  theta: number[];
  residuals: number[];
  jacobian: number[][];
}

const SPEED = 'speed:';
const speedName = (machine: string) => `${SPEED}${machine}`;

/** The unknowns for these rows: the fitted costs, then one speed per source machine. */
export function unknowns(rows: CalibrationRow[]): string[] {
  return [...fittedCosts(), ...machinesOf(rows).map(speedName)];
}

/** Costs round to the ns, speeds to the hundredth, as they are written (fitted-costs.ts, host.cpu_speed). */
export function trialOf(names: string[], theta: number[]): Trial {
  const trial: Trial = { costs: {}, speeds: {} };
  names.forEach((n, j) => {
    if (n.startsWith(SPEED)) trial.speeds[n.slice(SPEED.length)] = Math.round(Math.exp(theta[j]) * 100) / 100;
    else trial.costs[n as CostName] = Math.round(Math.exp(theta[j]));
  });
  return trial;
}

/** Residuals and forward-difference sensitivities at theta (one run of the rows per unknown). */
export function linearize(names: string[], theta: number[], residuals: Residuals, progress: (s: string) => void = () => {}): Linearization {
  const r0 = residuals(trialOf(names, theta));
  const J = r0.map(() => new Array<number>(names.length).fill(0));
  names.forEach((name, j) => {
    progress(`sensitivity to ${name} (${j + 1}/${names.length})`);
    const t = [...theta];
    t[j] += STEP;
    const r = residuals(trialOf(names, t));
    for (let i = 0; i < r0.length; i++) J[i][j] = (r[i] - r0[i]) / STEP;
  });
  return { names, theta, residuals: r0, jacobian: J };
}

/**
 * Per-unknown prior and bounds, in log space: a cost's prior is its reasoned value, log width a
 * quarter of its range; a speed's is 1 within SPEED_RANGE, and the reference machine's is held at 1
 * (the costs are its).
 */
function bounds(names: string[]) {
  const speedLo = Math.log(SPEED_RANGE[0]), speedHi = Math.log(SPEED_RANGE[1]);
  const rows = names.map((n) => {
    if (n.startsWith(SPEED)) {
      const ref = n === speedName(REFERENCE_MACHINE);
      return { prior: 0, lo: ref ? 0 : speedLo, hi: ref ? 0 : speedHi, s: (speedHi - speedLo) / 4 };
    }
    const e = COST_TABLE[n as CostName];
    const lo = Math.log(Math.max(1, e.range[0])), hi = Math.log(e.range[1]);
    return { prior: Math.log(e.value), lo, hi, s: (hi - lo) / 4 };
  });
  return { prior: rows.map((r) => r.prior), lo: rows.map((r) => r.lo), hi: rows.map((r) => r.hi), s: rows.map((r) => r.s) };
}

/** Residuals beyond this many times a row's uncertainty count less and less (Cauchy loss). */
const ROBUST_SCALE = 2;

/**
 * Weights: a row counts by the inverse square of its stated uncertainty, and, by a Cauchy loss
 * (iteratively reweighted), less when it misses by far more than that: a row the model cannot
 * reach for want of a mechanism must not drag every cost away from the rows it can.
 */
const weights = (rows: CalibrationRow[], residuals: number[]) => rows.map((r, i) => {
  const z = residuals[i] / (ROBUST_SCALE * r.tol);
  return 1 / (r.tol * r.tol) / (1 + z * z);
});

/** The step that refits without the rows `use` leaves out, in the linearization. */
export function step(rows: CalibrationRow[], lin: Linearization, use: boolean[] = rows.map(() => true)): number[] {
  const { prior, lo, hi, s } = bounds(lin.names);
  return mapStep(lin.jacobian, lin.residuals, weights(rows, lin.residuals), use, lin.theta, prior, s, lo, hi);
}

/**
 * Least squares on log ratios (weighted by each row's uncertainty, robust to rows far out), each
 * fitted cost within its range and pulled weakly towards its reasoned value, each source machine's
 * speed within SPEED_RANGE: Gauss-Newton, relinearized (and reweighted) each iteration.
 */
export function fit(rows: CalibrationRow[], residuals: Residuals, iterations: number, progress: (s: string) => void = () => {}): Linearization {
  const names = unknowns(rows);
  let theta = names.map((n) => (n.startsWith(SPEED) ? 0 : Math.log(DEFAULT_COSTS[n as CostName])));
  let lin = linearize(names, theta, residuals, progress);
  for (let it = 0; it < iterations; it++) {
    const d = step(rows, lin);
    theta = theta.map((t, j) => t + d[j]);
    progress(`iteration ${it + 1}: ${JSON.stringify(trialOf(names, theta))}`);
    lin = linearize(names, theta, residuals, progress);
  }
  return lin;
}

/** The log residual of row i after the step d, in the linearization. */
const predict = (lin: Linearization, i: number, d: number[]) =>
  d.reduce((r, dj, j) => r + lin.jacobian[i][j] * dj, lin.residuals[i]);

/**
 * Leave-one-out: for each row, refit without it (in the linearization at the fit) and predict it.
 * Returns the predicted log ratio of each row.
 */
export function leaveOneOut(rows: CalibrationRow[], lin: Linearization): number[] {
  return rows.map((_, i) => predict(lin, i, step(rows, lin, rows.map((__, k) => k !== i))));
}

/**
 * Leave-one-source-out: for each source machine, refit without any of its rows and predict them with
 * its speed set to the median of the other machines' (the reference's 1 among them). Returns the
 * predicted log ratio of each row.
 */
export function leaveOneSourceOut(rows: CalibrationRow[], lin: Linearization): number[] {
  const out = new Array<number>(rows.length).fill(NaN);
  for (const m of machinesOf(rows)) {
    const d = step(rows, lin, rows.map((r) => machineOf(r) !== m));
    const others = machinesOf(rows).filter((x) => x !== m).map((x) => {
      const j = lin.names.indexOf(speedName(x));
      return lin.theta[j] + d[j];
    }).sort((a, b) => a - b);
    const mid = others.length / 2;
    const median = others.length % 2 ? others[Math.floor(mid)] : (others[mid - 1] + others[mid]) / 2;
    const j = lin.names.indexOf(speedName(m));
    d[j] = median - lin.theta[j];
    rows.forEach((r, i) => { if (machineOf(r) === m) out[i] = predict(lin, i, d); });
  }
  return out;
}

/** A machine's speed in a linearization (1 for one it does not hold). */
export function speedIn(lin: Pick<Linearization, 'names' | 'theta'>, machine: string): number {
  const j = lin.names.indexOf(speedName(machine));
  return j < 0 ? 1 : Math.round(Math.exp(lin.theta[j]) * 100) / 100;
}
