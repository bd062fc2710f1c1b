import { describe, expect, it } from 'vitest';
import { evaluateRows, ROWS } from '../../src/calibration/rows.js';

describe('calibration against published measurements (shared/reference/published.md)', () => {
  const results = evaluateRows();

  for (const r of results.filter((x) => !x.row.unreachable)) {
    it(`${r.row.id}: ${r.row.what} is within ${r.row.min.toFixed(2)} to ${r.row.max.toFixed(2)}`, () => {
      expect(r.value).toBeGreaterThanOrEqual(r.row.min);
      expect(r.value).toBeLessThanOrEqual(r.row.max);
    });
  }

  it('the rows documented as unreachable are exactly those outside their band', () => {
    const outside = results.filter((r) => !r.within).map((r) => r.row.id);
    expect(outside).toEqual(ROWS.filter((r) => r.unreachable).map((r) => r.id));
  });
});
