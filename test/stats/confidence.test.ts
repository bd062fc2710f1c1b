import { describe, expect, it } from 'vitest';
import { meanCi95, t975 } from '../../src/stats/confidence.js';

describe('95 % confidence intervals', () => {
  it('use Student t quantiles', () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(4)).toBe(2.776);
    expect(t975(35)).toBeCloseTo(2.0315, 3);
    expect(t975(1000)).toBe(1.96);
  });

  it('mean and half-width of five samples', () => {
    const { mean, ci95 } = meanCi95([10, 12, 11, 13, 9]);
    expect(mean).toBe(11);
    // sd = sqrt(2.5); half-width = 2.776 * sd / sqrt(5)
    expect(ci95).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 9);
  });

  it('has no interval for a single sample', () => {
    expect(meanCi95([4])).toEqual({ mean: 4, ci95: NaN });
  });
});
