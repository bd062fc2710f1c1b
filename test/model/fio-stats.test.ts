import { describe, expect, it } from 'vitest';
import { FioJobStats, Samples } from '../../src/model/blk/fio-stats.js';

const samples = (...v: number[]) => {
  const s = new Samples();
  for (const x of v) s.add(x);
  return s;
};

describe('fio\'s statistics pooled as group_reporting pools them (stat.c sum_thread_stats)', () => {
  it('bw and iops samples add as fio\'s pure sum: means, minima, maxima and squared deviations summed', () => {
    const a = samples(10, 20, 30), b = samples(100, 300);
    const s = samples(10, 20, 30);
    s.addPure(b);
    expect(s.mean).toBeCloseTo(20 + 200, 9);
    expect(s.min).toBe(110);
    expect(s.max).toBe(330);
    expect(s.n).toBe(5);
    // fio's stddev of the sum: sqrt((S_a + S_b) / (n - 1)), S the squared deviations.
    const S = (x: Samples) => (x.n - 1) * x.stddev ** 2;
    expect(s.stddev).toBeCloseTo(Math.sqrt((S(a) + S(b)) / 4), 9);
    const empty = new Samples();
    empty.addPure(a);
    expect([empty.mean, empty.min, empty.max, empty.n]).toEqual([a.mean, a.min, a.max, a.n]);
  });

  it('latencies, counts, depths and CPU add up; a job pooled with itself doubles every count', () => {
    const j = new FioJobStats(true, false);
    j.reset(0);
    for (let t = 1; t <= 100; t++) j.dirs[0].record(t * 1000, t * 1000 - 50_000, t * 1000 - 49_000, 4096);
    j.depth[3] = 7;
    j.cpuNs = 123;
    const pooled = new FioJobStats(true, false);
    pooled.add(j);
    pooled.add(j);
    expect(pooled.dirs[0].ios).toBe(200);
    expect(pooled.dirs[0].bytes).toBe(200 * 4096);
    expect(pooled.dirs[0].lat.count).toBe(200);
    expect(pooled.dirs[0].lat.mean).toBeCloseTo(j.dirs[0].lat.mean, 9);
    expect(pooled.depth[3]).toBe(14);
    expect(pooled.cpuNs).toBe(246);
  });
});
