import { describe, expect, it } from 'vitest';
import { evaluateCalibration } from '../../src/calibration/report.js';
import { mapStep, solve } from '../../src/calibration/least-squares.js';

describe('calibration against published measurements (shared/reference/published.md)', () => {
  const c = evaluateCalibration();

  it('has at least 30 numeric rows', () => {
    expect(c.rows.length).toBeGreaterThanOrEqual(30);
  });

  it('the rows explained in docs/calibration.md are exactly those outside their stated uncertainty', () => {
    const outside = c.rows.filter((r) => Math.abs(r.error) > r.row.tol).map((r) => r.row.id);
    expect(outside).toEqual(c.rows.filter((r) => r.row.explained).map((r) => r.row.id));
  });

  it('the checks explained are exactly those outside their band', () => {
    expect(c.checks.filter((x) => !x.within).map((x) => x.check.id)).toEqual(c.checks.filter((x) => x.check.explained).map((x) => x.check.id));
  });

  it('the committed fit matches the committed costs, so leave-one-out errors are reported', () => {
    expect(c.fitNote).toBeUndefined();
    expect(c.rows.every((r) => r.looError !== undefined)).toBe(true);
  });
});

describe('the fit (least squares on log ratios)', () => {
  it('solves a linear system', () => {
    expect(solve([[2, 1], [1, 3]], [3, 5]).map((x) => Number(x.toFixed(9)))).toEqual([0.8, 1.4]);
  });

  it('recovers the costs that make a linear model meet its rows, and honours the bounds', () => {
    // r = J (theta - truth): the step from 0 lands on truth when the prior is weak.
    const J = [[1, 0], [0, 1], [1, 1]], truth = [0.3, -0.2];
    const r = J.map((row) => -(row[0] * truth[0] + row[1] * truth[1]));
    const all = [true, true, true];
    const d = mapStep(J, r, [1, 1, 1], all, [0, 0], [0, 0], [1e6, 1e6], [-1, -1], [1, 1]);
    expect(d[0]).toBeCloseTo(0.3, 6);
    expect(d[1]).toBeCloseTo(-0.2, 6);
    const bounded = mapStep(J, r, [1, 1, 1], all, [0, 0], [0, 0], [1e6, 1e6], [-1, 0], [0.1, 1]);
    expect(bounded[0]).toBeCloseTo(0.1, 9);
    expect(bounded[1]).toBeCloseTo(0, 9);
  });
});
