import { describe, expect, it } from 'vitest';
import { knee } from '../../src/stats/knee.js';

const e = (mean: number, ci95 = NaN) => ({ mean, ci95 });

describe('the knee of a list of settings', () => {
  it('is the smallest setting within the share of the best, not the best itself', () => {
    // 0, 1, 2, 4 threads: 100, 192, 200, 201 k IOPS.
    const k = knee([e(100), e(192), e(200), e(201)], [0, 1, 2, 4], true, 0.05);
    expect(k.best).toBe(3);
    expect(k.knee).toBe(1);
    expect(k.ties).toEqual([1, 2, 3]);
    expect(knee([e(100), e(192), e(200), e(201)], [0, 1, 2, 4], true, 0).knee).toBe(3);
  });

  it('counts a setting whose confidence interval overlaps the best\'s as a tie', () => {
    // 180 +- 15 reaches 195; the best 200 +- 6 starts at 194: the replications cannot tell them apart.
    expect(knee([e(180, 15), e(200, 6)], [1, 2], true, 0.05).knee).toBe(0);
    expect(knee([e(180, 5), e(200, 6)], [1, 2], true, 0.05).knee).toBe(1);
  });

  it('minimizes when lower is better (latency), with the share above the best', () => {
    const k = knee([e(900), e(520), e(500), e(505)], [0, 1, 2, 3], false, 0.05);
    expect(k.best).toBe(2);
    expect(k.knee).toBe(1);
  });

  it('takes the better of the settings of the smallest size', () => {
    // Two engines at one thread, both within the share: the better one.
    expect(knee([e(195), e(198), e(200)], [1, 1, 2], true, 0.05).knee).toBe(1);
  });

  it('leaves out settings where nothing completed, and refuses when none has the figure', () => {
    expect(knee([e(NaN), e(100), e(101)], [0, 1, 2], true, 0.05).knee).toBe(1);
    expect(() => knee([e(NaN)], [0], true, 0.05)).toThrow(/nothing completed/);
  });
});
