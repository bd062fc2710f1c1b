import { describe, expect, it } from 'vitest';
import { bucketIndex, bucketUpper, BUCKETS, Histogram } from '../../src/engine/histogram.js';
import { stream } from '../../src/engine/random.js';

describe('Histogram', () => {
  it('buckets are contiguous and at most 1 % wide', () => {
    let lower = 0;
    for (let i = 0; i < BUCKETS - 1; i++) {
      const upper = bucketUpper(i);
      expect(bucketIndex(lower)).toBe(i);
      expect(bucketIndex(upper - 1)).toBe(i);
      if (lower >= 100) expect((upper - lower) / lower).toBeLessThanOrEqual(0.01);
      lower = upper;
    }
  });

  it('quantiles are within 1 % of the exact order statistics', () => {
    const rng = stream(3, 'h', 0, 't');
    const h = new Histogram();
    const xs: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const v = Math.floor(1000 + 1e6 * -Math.log(1 - rng()));
      xs.push(v);
      h.record(v);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const exact = xs[Math.ceil(q * xs.length) - 1];
      const est = h.quantile(q);
      expect(est).toBeGreaterThanOrEqual(exact);
      expect(est / exact - 1).toBeLessThanOrEqual(0.01);
    }
    expect(h.quantile(1)).toBe(xs[xs.length - 1]);
    expect(h.mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 6);
  });

  it('keeps a fixed size however many samples it records', () => {
    const h = new Histogram();
    for (let i = 0; i < 1_000_000; i++) h.record(i * 997);
    expect(h.counts.length).toBe(BUCKETS);
    expect(h.count).toBe(1_000_000);
  });
});
