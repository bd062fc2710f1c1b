import { COST_NAMES, COST_TABLE, DEFAULT_COSTS, type CostName, type Costs } from '../model/costs.js';
import { mapStep } from './least-squares.js';
import type { CalibrationRow } from './rows.js';

/** Relative step of the finite differences, in log space. */
const STEP = Math.log(1.15);

/** The costs `vqsim calibrate` fits: those costs.ts marks fitted, each within its range. */
export function fittedCosts(): CostName[] {
  return COST_NAMES.filter((n) => COST_TABLE[n].kind === 'fitted');
}

/** What the model gives for trial cost values: log(vqsim / published) per row. */
export type Residuals = (costs: Partial<Costs>) => number[];

/** The fit's state at a point: log cost values, residuals and their sensitivities (d r_i / d log c_j). */
export interface Linearization {
  names: CostName[];
  theta: number[];
  residuals: number[];
  jacobian: number[][];
}

export function costsOf(names: CostName[], theta: number[]): Partial<Costs> {
  return Object.fromEntries(names.map((n, j) => [n, Math.round(Math.exp(theta[j]))]));
}

/** Residuals and forward-difference sensitivities at theta (one run of the rows per fitted cost). */
export function linearize(names: CostName[], theta: number[], residuals: Residuals, progress: (s: string) => void = () => {}): Linearization {
  const r0 = residuals(costsOf(names, theta));
  const J = r0.map(() => new Array<number>(names.length).fill(0));
  names.forEach((name, j) => {
    progress(`sensitivity to ${name} (${j + 1}/${names.length})`);
    const t = [...theta];
    t[j] += STEP;
    const r = residuals(costsOf(names, t));
    for (let i = 0; i < r0.length; i++) J[i][j] = (r[i] - r0[i]) / STEP;
  });
  return { names, theta, residuals: r0, jacobian: J };
}

/** Per-cost prior (its starting value, log width a quarter of its range) and bounds, in log space. */
function bounds(names: CostName[]) {
  const prior = names.map((n) => Math.log(COST_TABLE[n].value));
  const lo = names.map((n) => Math.log(Math.max(1, COST_TABLE[n].range[0])));
  const hi = names.map((n) => Math.log(COST_TABLE[n].range[1]));
  const s = names.map((_, j) => (hi[j] - lo[j]) / 4);
  return { prior, lo, hi, s };
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
 * fitted cost within its range and pulled weakly towards its reasoned value: Gauss-Newton,
 * relinearized (and reweighted) each iteration.
 */
export function fit(rows: CalibrationRow[], residuals: Residuals, iterations: number, progress: (s: string) => void = () => {}): Linearization {
  const names = fittedCosts();
  let theta = names.map((n) => Math.log(DEFAULT_COSTS[n]));
  let lin = linearize(names, theta, residuals, progress);
  for (let it = 0; it < iterations; it++) {
    const d = step(rows, lin);
    theta = theta.map((t, j) => t + d[j]);
    progress(`iteration ${it + 1}: ${JSON.stringify(costsOf(names, theta))}`);
    lin = linearize(names, theta, residuals, progress);
  }
  return lin;
}

/**
 * Leave-one-out: for each row, refit without it (in the linearization at the fit) and predict it.
 * Returns the predicted log ratio of each row.
 */
export function leaveOneOut(rows: CalibrationRow[], lin: Linearization): number[] {
  return rows.map((_, i) => {
    const use = rows.map((__, k) => k !== i);
    const d = step(rows, lin, use);
    let r = lin.residuals[i];
    for (let j = 0; j < d.length; j++) r += lin.jacobian[i][j] * d[j];
    return r;
  });
}
