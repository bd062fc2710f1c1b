import { describe, expect, it } from 'vitest';
import { Distribution } from '../../src/engine/distribution.js';
import { stream } from '../../src/engine/random.js';

function samples(d: Distribution, n: number, seed = 1): number[] {
  const rng = stream(seed, 'dist', 0, 'test');
  return Array.from({ length: n }, () => d.sample(rng));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)];

describe('Distribution', () => {
  it('constant', () => {
    expect(samples(new Distribution({ dist: 'constant', value: 7 }), 10)).toEqual(new Array(10).fill(7));
  });

  it('exponential has its mean and memoryless tail', () => {
    const xs = samples(new Distribution({ dist: 'exponential', mean: 100 }), 200_000);
    expect(mean(xs)).toBeCloseTo(100, -0.5);
    expect(quantile(xs, 0.5)).toBeCloseTo(100 * Math.LN2, -0.5);
  });

  it('uniform stays in range with its mean', () => {
    const xs = samples(new Distribution({ dist: 'uniform', min: 10, max: 30 }), 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThan(30);
    expect(mean(xs)).toBeCloseTo(20, 0);
  });

  it('lognormal given mean and p99 reproduces both', () => {
    const d = new Distribution({ dist: 'lognormal', mean: 85_000, p99: 250_000 });
    const xs = samples(d, 400_000);
    expect(Math.abs(mean(xs) / 85_000 - 1)).toBeLessThan(0.01);
    expect(Math.abs(quantile(xs, 0.99) / 250_000 - 1)).toBeLessThan(0.02);
  });

  it('lognormal rejects a p99 it cannot reach', () => {
    expect(() => new Distribution({ dist: 'lognormal', mean: 10, p99: 5 })).toThrow(/lognormal/);
    expect(() => new Distribution({ dist: 'lognormal', mean: 10, p99: 1000 })).toThrow(/lognormal/);
  });

  it('empirical interpolates its quantile table', () => {
    const d = new Distribution({ dist: 'empirical', quantiles: [[0, 0], [0.5, 100], [1, 300]] });
    const xs = samples(d, 200_000);
    expect(quantile(xs, 0.5)).toBeCloseTo(100, -1);
    expect(quantile(xs, 0.75)).toBeCloseTo(200, -1);
    expect(d.mean).toBeCloseTo(0.5 * 50 + 0.5 * 200);
    expect(mean(xs)).toBeCloseTo(d.mean, -0.5);
  });
});

describe('random streams', () => {
  it('are reproducible and independent per component', () => {
    const a1 = stream(1, 'v', 0, 'device'), a2 = stream(1, 'v', 0, 'device');
    const b = stream(1, 'v', 0, 'job'), c = stream(1, 'v', 1, 'device');
    const first = [a1(), a1(), a1()];
    expect([a2(), a2(), a2()]).toEqual(first);
    expect(b()).not.toBe(first[0]);
    expect(c()).not.toBe(first[0]);
  });
});
