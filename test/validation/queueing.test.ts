import { describe, expect, it } from 'vitest';
import { Host } from '../../src/model/host.js';
import { iops, scenario, simulate } from '../helpers.js';

/** With every overhead cost zero, the VM is a plain queueing network around the device. */
function zeroOverheads(device: object, job: object, duration = '20s') {
  return simulate({
    duration, warmup: '100ms', zero_overheads: true, vm: { vcpus: 4 },
    disk: { device: { preset: 'nvme-tlc', iops_cap: 0, bw_cap_mib_s: 0, write_bw_cap_mib_s: 0, ...device } },
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

  it('iodepth k on c exponential units, each request on a random one: the closed network by exact MVA', () => {
    // k customers; each visit goes to one of c FIFO stations with probability 1/c (demand S/c each).
    for (const [k, c] of [[2, 4], [8, 4], [16, 4]]) {
      const S = 100e-6, D = S / c;
      let Q = 0, R = 0, X = 0;
      for (let n = 1; n <= k; n++) {
        R = D * (1 + Q);
        X = n / (c * R);
        Q = X * R;
      }
      const r = zeroOverheads({ ...exp100us, parallelism: c }, { iodepth: k }, '10s');
      expect(Math.abs(iops(r) / X - 1)).toBeLessThan(0.01);
      expect(Math.abs(r.latency.mean / (c * R * 1e9) - 1)).toBeLessThan(0.01);
    }
  });

  it('Poisson arrivals split at random over c exponential units: each an M/M/1 at lambda / c, within 2 %', () => {
    const c = 4, mu = 10_000, lambda = 24_000;
    const r = zeroOverheads({ ...exp100us, parallelism: c }, { iodepth: 1024, rate_iops: lambda, rate_process: 'poisson' }, '10s');
    const W = 1 / (mu - lambda / c);
    expect(Math.abs(iops(r) / lambda - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.latency.mean / (W * 1e9) - 1)).toBeLessThan(0.02);
  });

  it('Poisson arrivals on c exponential units any of which serves any request (dispatch any): M/M/c mean response (Erlang C) within 2 %', () => {
    const c = 4, S = 100e-6, lambda = 32_000;
    const r = zeroOverheads({ ...exp100us, parallelism: c, dispatch: 'any' }, { iodepth: 1024, rate_iops: lambda, rate_process: 'poisson' }, '10s');
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

describe('more queueing theory, on long runs', () => {
  it('M/G/1 with lognormal service: Pollaczek-Khinchine mean response within 1 %', () => {
    // Lognormal with mean 100 us and p99 300 us: sigma from the p99 (as Distribution does).
    const mean = 100e-6, p99 = 300e-6, Z99 = 2.3263478740408408;
    const sigma = Z99 - Math.sqrt(Z99 * Z99 - 2 * Math.log(p99 / mean));
    const ES2 = mean * mean * Math.exp(sigma * sigma);
    const lambda = 6000, rho = lambda * mean;
    const W = mean + (lambda * ES2) / (2 * (1 - rho));
    const r = zeroOverheads({ read: { dist: 'lognormal', mean: '100us', p99: '300us' }, parallelism: 1 },
      { iodepth: 1024, rate_iops: lambda, rate_process: 'poisson' }, '60s');
    expect(Math.abs(r.latency.mean / (W * 1e9) - 1)).toBeLessThan(0.01);
  });

  it('M/M/1: response-time percentiles (exponential with rate mu - lambda) within 2 %', () => {
    const mu = 10_000, lambda = 7000;
    const r = zeroOverheads({ ...exp100us, parallelism: 1 }, { iodepth: 1024, rate_iops: lambda, rate_process: 'poisson' }, '30s');
    for (const p of [50, 90, 99]) {
      const expected = (-Math.log(1 - p / 100) / (mu - lambda)) * 1e9;
      expect(Math.abs(r.latency.quantile(p / 100) / expected - 1)).toBeLessThan(0.02);
    }
  });

  it('a finite buffer in front of a server (writeback with dirty_ratio): M/M/1 writers blocked at K, within 2 %', () => {
    // Writes go into a page cache that holds K of them (dirty_ratio 100 % of K x 4 KiB) and are written
    // back at once (dirty_background_ratio 0) by an exponential device, one at a time; a writer that
    // finds K in the buffer waits in FIFO order. The requests in the host are an M/M/1 (n with
    // probability (1 - rho) rho^n); a write waits only if it finds n >= K, for n - K + 1 departures:
    // P(W > t) = rho^K exp(-(mu - lambda) t), mean rho^K / (mu - lambda).
    const mu = 10_000, lambda = 8000, K = 4, rho = lambda / mu;
    const r = simulate({
      duration: '30s', warmup: '100ms', zero_overheads: true, vm: { vcpus: 4 },
      host: { page_cache: { size: `${4 * K}k`, dirty_ratio: 100, dirty_background_ratio: 0 } },
      disk: { device: { preset: 'nvme-tlc', iops_cap: 0, bw_cap_mib_s: 0, write_bw_cap_mib_s: 0, write: { dist: 'exponential', mean: '100us' }, parallelism: 1 }, aio: 'io_uring', cache: 'writeback' },
      job: { rw: 'randwrite', iodepth: 1024, rate_iops: lambda, rate_process: 'poisson' },
    }).result;
    expect(Math.abs(iops(r) / lambda - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.latency.mean / ((rho ** K / (mu - lambda)) * 1e9) - 1)).toBeLessThan(0.02);
    for (const p of [0.9, 0.99]) {
      const expected = (Math.log(rho ** K / (1 - p)) / (mu - lambda)) * 1e9;
      expect(Math.abs(r.latency.quantile(p) / expected - 1)).toBeLessThan(0.02);
    }
  });

  it('closed network with think time (fio thinktime): throughput and response by exact MVA within 1 %', () => {
    const S = 100e-6, Z = 300e-6, N = 6;
    let Q = 0, R = 0, X = 0;
    for (let n = 1; n <= N; n++) {
      R = S * (1 + Q);
      X = n / (R + Z);
      Q = X * R;
    }
    const r = zeroOverheads({ ...exp100us, parallelism: 1 }, { iodepth: 1, numjobs: N, thinktime: '300us' }, '30s');
    expect(Math.abs(iops(r) / X - 1)).toBeLessThan(0.01);
    expect(Math.abs(r.latency.mean / (R * 1e9) - 1)).toBeLessThan(0.01);
  });
});

describe('queueing theory on every storage path', () => {
  /** Exact MVA for k customers over c FIFO stations visited at random (each demand S / c). */
  function mva(k: number, c: number, S: number): { X: number; R: number } {
    let Q = 0, R = 0, X = 0;
    for (let n = 1; n <= k; n++) {
      R = (S / c) * (1 + Q);
      X = n / (c * R);
      Q = X * R;
    }
    return { X, R: c * R };
  }
  const device = { preset: 'nvme-tlc', iops_cap: 0, bw_cap_mib_s: 0, write_bw_cap_mib_s: 0, ...exp100us, parallelism: 4 };
  const { X, R } = mva(8, 4, 100e-6);

  for (const [path, disk] of [
    ['virtio-scsi', { bus: 'scsi' }],
    ['vhost-scsi (one worker)', { bus: 'scsi', backend: 'vhost' }],
    ['vhost-scsi (a worker per virtqueue)', { bus: 'scsi', backend: 'vhost', worker_per_virtqueue: true }],
    ['vhost-user-blk', { backend: 'vhost-user' }],
  ] as const) {
    it(`${path}: iodepth 8 on 4 exponential dies by exact MVA within 2 %`, () => {
      const r = simulate({
        duration: '3s', warmup: '100ms', zero_overheads: true, vm: { vcpus: 4 },
        disk: { device, ...disk }, job: { rw: 'randread', iodepth: 8 },
      }).result;
      expect(Math.abs(iops(r) / X - 1)).toBeLessThan(0.02);
      expect(Math.abs(r.latency.mean / (R * 1e9) - 1)).toBeLessThan(0.02);
    });
  }

  it('the host form: 4 VMs of iodepth 2 on one shared device are the same closed network, within 2 %', () => {
    const r = new Host(scenario({
      duration: '3s', warmup: '100ms', zero_overheads: true,
      host: { devices: { nvme0: device } },
      vms: [{ name: 'vm', count: 4, vm: { vcpus: 1 }, disk: { device: 'nvme0' }, job: { rw: 'randread', iodepth: 2 } }],
    }).points[0].config(0)).run();
    const ios = r.vms.reduce((s, v) => s + v.blk!.ios, 0);
    expect(Math.abs(ios / (r.windowNs / 1e9) / X - 1)).toBeLessThan(0.02);
    const lat = r.vms.reduce((s, v) => s + v.blk!.latency.mean * v.blk!.ios, 0) / ios;
    expect(Math.abs(lat / (R * 1e9) - 1)).toBeLessThan(0.02);
  });
});
