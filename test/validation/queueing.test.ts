import { describe, expect, it } from 'vitest';
import { iops, simulate } from '../helpers.js';

/** With every overhead cost zero, the VM is a plain queueing network around the device. */
function zeroOverheads(device: object, job: object, duration = '20s') {
  return simulate({
    duration, warmup: '100ms', zero_overheads: true, vm: { vcpus: 4 },
    disk: { device: { preset: 'nvme-tlc', iops_cap: 0, bw_cap_mib_s: 0, ...device } },
    job: { rw: 'randread', ...job },
  }).result;
}

const exp100us = { read: { dist: 'exponential', mean: '100us' } };

/** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = lambda/mu. */
function erlangC(c: number, a: number): number {
  let term = 1, sum = 1;
  for (let k = 1; k < c; k++) { term *= a / k; sum += term; }
  const last = (term * a) / c * (c / (c - a));
  return last / (sum + last);
}

describe('zero overheads reduce the model to queueing theory', () => {
  it('one job at iodepth 1 on an exponential device: IOPS = 1 / mean service (within 1 %)', () => {
    const r = zeroOverheads({ ...exp100us, parallelism: 1 }, { iodepth: 1 });
    expect(Math.abs(iops(r) / 10_000 - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.latency.mean / 100_000 - 1)).toBeLessThan(0.01);
  });

  it('iodepth k on a c-slot exponential device: the closed network X = min(k, c) / S, W = k / X', () => {
    for (const [k, c] of [[2, 4], [8, 4], [16, 4]]) {
      const r = zeroOverheads({ ...exp100us, parallelism: c, queue_depth: c }, { iodepth: k }, '10s');
      const X = Math.min(k, c) / 100e-6;
      expect(Math.abs(iops(r) / X - 1)).toBeLessThan(0.01);
      expect(Math.abs(r.latency.mean / ((k / X) * 1e9) - 1)).toBeLessThan(0.01);
    }
  });

  it('Poisson arrivals on a c-channel exponential device: M/M/c mean response (Erlang C) within 2 %', () => {
    const c = 4, S = 100e-6, lambda = 32_000;
    const r = zeroOverheads({ ...exp100us, parallelism: c }, { iodepth: 1024, rate_iops: lambda, rate_process: 'poisson' }, '10s');
    const a = lambda * S;
    const W = S + erlangC(c, a) * S / (c - a);
    expect(Math.abs(iops(r) / lambda - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.latency.mean / (W * 1e9) - 1)).toBeLessThan(0.02);
  });

  it('constant service at iodepth 1 gives exactly the service time', () => {
    const r = zeroOverheads({ read: { dist: 'constant', value: '50us' }, parallelism: 1 }, { iodepth: 1 }, '100ms');
    expect(r.latency.min).toBe(50_000);
    expect(r.latency.max).toBe(50_000);
  });
});
