import { describe, expect, it } from 'vitest';
import { deviation, mean } from 'd3-array';
import { Jitter, NO_JITTER } from '../../src/engine/jitter.js';
import { stream } from '../../src/engine/random.js';

describe('Jitter (lognormal factors, mean 1)', () => {
  it('has mean 1 and the asked coefficient of variation', () => {
    const j = new Jitter(0.3, stream(1, 'p', 0, 'jitter'));
    const xs = Array.from({ length: 200_000 }, () => j.factor());
    expect(mean(xs)!).toBeCloseTo(1, 2);
    expect(deviation(xs)! / mean(xs)!).toBeCloseTo(0.3, 2);
    expect(xs.every((x) => x > 0)).toBe(true);
  });

  it('a CV of 0 is exactly 1; the owner\'s stream only seeds it', () => {
    expect(NO_JITTER.factor()).toBe(1);
    let draws = 0;
    const j = new Jitter(0, () => { draws++; return 0.5; });
    expect(Array.from({ length: 1000 }, () => j.factor()).every((x) => x === 1)).toBe(true);
    expect(draws).toBe(1);
  });

  it('replays from the same stream', () => {
    const a = new Jitter(0.2, stream(7, 'p', 0, 'x')), b = new Jitter(0.2, stream(7, 'p', 0, 'x'));
    const xa = Array.from({ length: 600 }, () => a.factor()), xb = Array.from({ length: 600 }, () => b.factor());
    expect(xa).toEqual(xb);
  });
});
