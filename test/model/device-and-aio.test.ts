import { describe, expect, it } from 'vitest';
import { iops, simulate } from '../helpers.js';

/** 64 I/Os in flight on a device that admits 8: on one unit (parallelism 1), or on 64 (so that the 8
 *  admitted are nearly always in service at once). */
const shallow = (aio: string, parallelism = 1) => ({
  duration: '50ms', warmup: '5ms', vm: { vcpus: 4 },
  iothread: { 'poll-max-ns': 0 },
  disk: { aio, handler: 'pool', iothreads: 1, device: { preset: 'nvme-tlc', queue_depth: 8, parallelism } },
  job: { rw: 'randread', iodepth: 16, numjobs: 4 },
});

describe('device queue depth', () => {
  for (const aio of ['native', 'io_uring', 'threads']) {
    it(`never admits more than its depth; the excess waits in the host (aio=${aio})`, () => {
      const { vm, result } = simulate(shallow(aio));
      expect(vm.devices[0].maxAdmitted).toBe(8);
      expect(result.meanOutstanding).toBeGreaterThan(40); // 64 I/Os in flight, 8 in the device
      expect(result.deviceUtil[0]).toBeGreaterThan(0.8);
    });
  }

  it('paces service starts at the IOPS cap', () => {
    const { result } = simulate({
      duration: '200ms', warmup: '20ms', vm: { vcpus: 4 }, zero_overheads: true,
      disk: { device: { preset: 'null_blk', iops_cap: 100_000 } },
      job: { iodepth: 8, numjobs: 4 },
    });
    expect(result.ios / 0.2).toBeCloseTo(100_000, -2);
  });

  it("drains writes at the media's bandwidth, reads at the controller's (nvme-tlc: 3.8 and 7 GB/s)", () => {
    const run = (rw: string) => simulate({
      duration: '50ms', warmup: '10ms', vm: { vcpus: 4 }, zero_overheads: true,
      disk: { device: 'nvme-tlc' },
      job: { rw, bs: '128k', iodepth: 32, numjobs: 4 },
    }).result;
    const write = run('write'), read = run('read');
    expect(write.bytes / (write.windowNs / 1e9)).toBeCloseTo(3.8e9, -8);
    expect(read.bytes / (read.windowNs / 1e9)).toBeCloseTo(7e9, -8);
    // The paced media is the device's limit: its utilization says so.
    expect(write.deviceUtil[0]).toBeGreaterThan(0.97);
  });

  it('reports a saturated cap as fully used, never past it (1 MiB writes paced at 524 us each)', () => {
    const { result } = simulate({
      duration: '100ms', warmup: '10ms', vm: { vcpus: 4 },
      disk: { device: 'optane', aio: 'native', handler: 'dedicated' },
      job: { rw: 'write', bs: '1m', iodepth: 8 },
    });
    expect(result.deviceUtil[0]).toBeGreaterThan(0.99);
    expect(result.deviceUtil[0]).toBeLessThanOrEqual(1);
  });

  it('paces writes alone at write_iops_cap: a 50/50 mix on an instant device runs both at the cap', () => {
    const { result } = simulate({
      duration: '200ms', warmup: '20ms', vm: { vcpus: 4 }, zero_overheads: true,
      disk: { device: { preset: 'null_blk', write_iops_cap: 50_000 } },
      job: { rw: 'randrw', rwmixread: 50, iodepth: 8, numjobs: 4 },
    });
    const writes = (result.ios - result.reads) / 0.2;
    expect(writes).toBeCloseTo(50_000, -3);
    // Reads never wait for the media, but each clone's next write does: as many reads as writes.
    expect(result.reads / 0.2).toBeGreaterThan(0.9 * writes);
    expect(result.reads / 0.2).toBeLessThan(1.1 * writes);
  });
});

describe('aio engines', () => {
  it('native: io_submit blocks the iothread on a full device; io_uring does not', () => {
    const native = simulate(shallow('native', 64));
    const uring = simulate(shallow('io_uring', 64));
    expect(native.vm.ctxs[0].submitBlocks).toBeGreaterThan(0);
    expect(uring.vm.ctxs[0].submitBlocks).toBe(0);
    // Blocked in io_submit, the thread cannot reap completions: the device idles while it wakes.
    expect(native.result.deviceUtil[0]).toBeLessThan(0.95 * uring.result.deviceUtil[0]);
  });

  it('native: a handler pass submits in batches of at most aio-max-batch', () => {
    const base = {
      duration: '20ms', warmup: '2ms', vm: { vcpus: 1 },
      iothread: { 'poll-max-ns': 0 },
      disk: { device: 'null_blk' },
      job: { iodepth: 128 },
    };
    const batched = simulate(base).result;
    const single = simulate({ ...base, iothread: { 'poll-max-ns': 0, 'aio-max-batch': 1 } }).result;
    // One io_submit per request costs native_submit_batch_ns each time: fewer IOPS when CPU-bound.
    expect(batched.ios).toBeGreaterThan(single.ios * 1.05);
  });

  it('threads: each request occupies a pool worker; the pool never exceeds 64', () => {
    const { vm } = simulate({
      duration: '20ms', warmup: '2ms', vm: { vcpus: 4 },
      // A slow device keeps every worker blocked in preadv, so the pool grows to its cap.
      disk: { aio: 'threads', handler: 'pool', iothreads: 1, device: { read: { dist: 'constant', value: '2ms' } } },
      job: { iodepth: 64, numjobs: 4 },
    });
    expect(vm.workers.length).toBe(64);
  });
});

describe('thread pool spawn semantics (util/thread-pool.c)', () => {
  it('a woken worker counts as idle until it runs: a burst meanwhile waits on the list and spawns nothing', async () => {
    const { scenario } = await import('../helpers.js');
    const { Host } = await import('../../src/model/host.js');
    const host = new Host(scenario({
      duration: '10ms', warmup: '0ms', exact_costs: true, vm: { vcpus: 1 },
      disk: { aio: 'threads', device: 'null_blk' }, job: { iodepth: 16, thinktime: '9ms' },
    }).points[0].config(0));
    const vm = host.blk;
    const engine = vm.ctxs[0].engines[0];
    const burst = (n: number) => {
      for (let i = 0; i < n; i++) engine.queue(vm.requests.alloc(0, 0, false, vm.sim.now));
      engine.commit(n);
    };
    burst(3); // no worker yet: three are spawned
    expect(vm.workers.length).toBe(3);
    vm.sim.runUntil(1e6, host); // they finish and go idle
    burst(10); // three idle workers are signalled; the other seven wait for them
    expect(vm.workers.length).toBe(3);
    vm.sim.runUntil(3e6, host);
    expect(vm.workers.length).toBe(3);
    expect(vm.requests.census()[0]).toBe(16); // every request came back
  });
});

describe('request merging (virtio_blk_submit_multireq)', () => {
  const run = (rw: string, merging = true) => simulate({
    duration: '30ms', warmup: '3ms', vm: { vcpus: 8 },
    disk: { device: 'nvme-tlc', 'request-merging': merging }, job: { rw, iodepth: 32, numjobs: 8 },
  });

  it('adjacent sequential requests popped together become one host I/O, up to max_transfer', () => {
    const seq = run('read');
    const perHostIo = seq.result.ios / seq.vm.devices[0].completions;
    expect(perHostIo).toBeGreaterThan(8);
    expect(perHostIo).toBeLessThanOrEqual(32); // 128 KiB of 4 KiB requests
  });

  it('so rw: read outruns rw: randread on a saturated iothread, and request-merging=off removes the gap', () => {
    const seq = iops(run('read').result), rand = iops(run('randread').result), off = iops(run('read', false).result);
    expect(seq / rand).toBeGreaterThan(1.2);
    expect(Math.abs(off / rand - 1)).toBeLessThan(0.05);
  });
});
