import { describe, expect, it } from 'vitest';
import { CPU_COST_NAMES, DEFAULT_COSTS, resolveCosts } from '../../src/model/costs.js';
import { iops, simulate } from '../helpers.js';

describe('host.cpu_speed (the host against the calibration\'s reference machine)', () => {
  it('divides every CPU cost, the scenario\'s own too, and not the flush a faster CPU does not shorten', () => {
    const c = resolveCosts({ vmexit_ns: 3000 }, false, 1.25);
    expect(c.vmexit_ns).toBe(2400);
    expect(c.wakeup_ns).toBeCloseTo(DEFAULT_COSTS.wakeup_ns / 1.25, 9);
    expect(c.fdatasync_ns).toBe(DEFAULT_COSTS.fdatasync_ns);
    expect(CPU_COST_NAMES).not.toContain('fdatasync_ns');
    expect(CPU_COST_NAMES.length).toBeGreaterThan(60);
  });

  it('leaves zero overheads at zero', () => {
    expect(Object.values(resolveCosts({}, true, 0.5)).every((v) => v === 0)).toBe(true);
  });

  // The main loop bound on CPU (a 2 us device, QD64): its IOPS follow the speed, less the device's share.
  const bound = (speed?: number) => iops(simulate({
    duration: '100ms', warmup: '10ms', exact_costs: true, vm: { vcpus: 4 },
    disk: { device: { preset: 'null_blk', read: { dist: 'constant', value: '2us' }, queue_depth: 1024, parallelism: 1024 }, handler: 'main-loop' },
    job: { rw: 'randread', bs: '4k', iodepth: 64, numjobs: 4 },
    ...(speed ? { host: { cpu_speed: speed } } : {}),
  }).result);

  it('a CPU-bound VM on a host 1.5 times as fast does 1.3 to 1.5 times the IOPS (its 2 us device does not shrink); a slower one fewer', () => {
    const ref = bound();
    expect(bound(1)).toBe(ref);
    expect(bound(1.5) / ref).toBeGreaterThan(1.3);
    expect(bound(1.5) / ref).toBeLessThan(1.52);
    expect(bound(0.75) / ref).toBeLessThan(0.8);
  });

  it('is refused outside 0.25-4, naming the field', () => {
    expect(() => simulate({ vm: { vcpus: 1 }, disk: {}, job: {}, host: { cpu_speed: 5 } })).toThrow(/host\.cpu_speed.*at most 4/);
  });
});
