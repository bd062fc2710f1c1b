import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateCalibration } from '../../src/calibration/report.js';
import { fit, leaveOneSourceOut, speedIn, SPEED_RANGE, trialOf } from '../../src/calibration/fit.js';
import { mapStep, solve } from '../../src/calibration/least-squares.js';
import { machineOf, REFERENCE_MACHINE, type CalibrationRow } from '../../src/calibration/rows.js';
import { DEFAULT_COSTS } from '../../src/model/costs.js';

describe('calibration against published measurements (shared/reference/published.md)', () => {
  const c = evaluateCalibration();

  it('has at least 30 numeric rows', () => {
    expect(c.rows.length).toBeGreaterThanOrEqual(30);
  });

  it('the rows explained in docs/calibration.md are exactly those outside their stated uncertainty', () => {
    const outside = c.rows.filter((r) => Math.abs(r.error) > r.row.tol).map((r) => r.row.id);
    expect(outside).toEqual(c.rows.filter((r) => r.row.explained).map((r) => r.row.id));
  });

  it('docs/calibration.md gives every explanation as the rows have it', () => {
    const doc = readFileSync('docs/calibration.md', 'utf8');
    for (const r of [...c.rows.map((x) => x.row), ...c.checks.map((x) => x.check)]) if (r.explained) expect(doc, r.id).toContain(r.explained);
  });

  it('the checks explained are exactly those outside their band', () => {
    expect(c.checks.filter((x) => !x.within).map((x) => x.check.id)).toEqual(c.checks.filter((x) => x.check.explained).map((x) => x.check.id));
  });

  it('the committed fit matches the committed costs and speeds, so both out-of-sample errors are reported', () => {
    expect(c.fitNote).toBeUndefined();
    expect(c.rows.every((r) => r.looError !== undefined && r.losoError !== undefined)).toBe(true);
  });

  it('each source machine has one speed, within 0.6-1.6, the reference machine\'s 1', () => {
    for (const r of c.rows) {
      expect(r.speed, r.row.id).toBe(c.rows.find((x) => machineOf(x.row) === machineOf(r.row))!.speed);
      expect(r.speed).toBeGreaterThanOrEqual(SPEED_RANGE[0]);
      expect(r.speed).toBeLessThanOrEqual(SPEED_RANGE[1]);
    }
    expect(c.rows.filter((r) => machineOf(r.row) === REFERENCE_MACHINE).every((r) => r.speed === 1)).toBe(true);
  });
});

describe('the fit (least squares on log ratios)', () => {
  // A toy model: every row's figure is c / speed of its machine, c = wakeup_ns. The reference machine's
  // rows ask for 10 % more than the default; P7's are 25 % slower still, P8's 20 % faster.
  const row = (id: string, want: number): CalibrationRow => ({ id, what: id, scenario: id, published: want, source: '', tol: 0.1, figure: () => 0 });
  const c0 = DEFAULT_COSTS.wakeup_ns;
  const rows = [row('P10a', 1.1), row('P10b', 1.1), row('P7a', 1.1 / 0.8), row('P7b', 1.1 / 0.8), row('P8a', 1.1 / 1.2)];
  const toy = (t: ReturnType<typeof trialOf>) => rows.map((r) => Math.log((t.costs.wakeup_ns ?? c0) / c0 / (t.speeds[machineOf(r)] ?? 1) / r.published));

  it('recovers each machine\'s speed and the cost, the reference held at 1; leave-one-source-out predicts a machine at the others\' median', () => {
    const lin = fit(rows, toy, 3);
    const { costs } = trialOf(lin.names, lin.theta);
    expect(costs.wakeup_ns! / c0).toBeCloseTo(1.1, 2);
    expect(speedIn(lin, 'P10')).toBe(1);
    expect(speedIn(lin, 'P7')).toBeCloseTo(0.8, 1);
    expect(speedIn(lin, 'P8')).toBeCloseTo(1.2, 1);
    const loso = leaveOneSourceOut(rows, lin);
    // P7 predicted at the median of 1 and 1.2: 1.1 where it is 0.8.
    expect(Math.exp(loso[2])).toBeCloseTo(0.8 / 1.1, 1);
    expect(Math.exp(loso[0])).toBeCloseTo(1, 1);
  });

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
