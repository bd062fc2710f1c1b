import { describe, expect, it } from 'vitest';
import { FlushQueue } from '../../src/model/blk/blk-flush.js';
import { DEFAULT_COSTS } from '../../src/model/costs.js';
import { iops, scenario, simulate } from '../helpers.js';

const c = DEFAULT_COSTS;
/** One disk on nvme-tlc, io_uring on its own iothread, 4 jobs: the host page cache in front of it. */
const base = (cache: string, job: object = {}, host: object = {}) => ({
  duration: '50ms', warmup: '5ms', exact_costs: true, vm: { vcpus: 4 },
  host: { page_cache: { size: '4g' }, ...host },
  disk: { device: 'nvme-tlc', 'num-queues': 4, aio: 'io_uring', cache },
  job: { rw: 'randread', bs: '4k', iodepth: 8, numjobs: 4, size: '2g', ...job },
});
const deviceIos = (vm: { devices: { completions: number }[] }) => vm.devices.reduce((s, d) => s + d.completions, 0);

describe('host page cache (cache writeback, writethrough, unsafe)', () => {
  it('serves a working set that fits from memory: no device I/O, latency of the copy rather than the flash', () => {
    const qd1 = { iodepth: 1, numjobs: 1 };
    const cached = simulate(base('writeback', qd1));
    const direct = simulate(base('none', qd1));
    expect(deviceIos(cached.vm)).toBe(0);
    expect(deviceIos(direct.vm)).toBeGreaterThan(0);
    expect(cached.result.latency.quantile(0.5)).toBeLessThan(direct.result.latency.quantile(0.5) / 3);
  });

  it('hits in proportion to the cache\'s share of the working set', () => {
    const { vm, result } = simulate(base('writethrough', { size: '16g' }));
    // 4 GiB of 16: a quarter of the reads hit; the rest read the device.
    expect(deviceIos(vm) / result.ios).toBeCloseTo(0.75, 1);
  });

  it('reads ahead for sequential readers: one device read per read_ahead_kb window', () => {
    const { vm, result } = simulate(base('writeback', { rw: 'read', iodepth: 4, numjobs: 1 }));
    const windows = deviceIos(vm);
    expect(result.ios / windows).toBeGreaterThan(0.8 * (128 * 1024) / 4096);
    expect(vm.devices[0].bytesDone / windows).toBe(128 * 1024);
  });

  it('a sequential reader whose reads reach the cache out of order (a thread pool) loses none of them', () => {
    // Merged reads of one job through 40-odd pool workers arrive out of file order: a read past the
    // read-ahead restarts it, and the reads still waiting on the earlier windows are freed by them
    // (they were orphaned: a third of a job's iodepth stuck for the whole run).
    const { result } = simulate({
      duration: '30ms', warmup: '10ms', seed: 0, versions: { qemu: '4.2', host_kernel: '4.19', guest_kernel: '4.19' }, vm: { vcpus: 2 },
      disk: { device: 'optane', 'num-queues': 2, aio: 'threads', handler: 'main-loop', cache: 'writethrough' },
      job: { rw: 'read', bs: '16k', iodepth: 41, numjobs: 2 },
    });
    for (const clone of result.clones) {
      const l = (clone.completions / result.windowNs) * (clone.latSumNs / clone.completions);
      expect(Math.abs(l / clone.meanInFlight - 1)).toBeLessThan(0.05);
    }
  });

  it('absorbs writes until dirty_ratio, writes back past dirty_background_ratio, and throttles writers at the limit', () => {
    // A device that writes 4 KiB in 100 us, one at a time: 10 k writes/s, 40 MB/s. 16 MiB of cache:
    // writeback starts at 1.6 MiB dirty, writers wait at 3.2 MiB, reached within the warmup.
    const slow = { preset: 'null_blk', parallelism: 1, write: { dist: 'constant', value: '100us' } };
    const small = simulate({ ...base('writeback', { rw: 'randwrite' }, { page_cache: { size: '16m' } }), disk: { device: slow, aio: 'io_uring', cache: 'writeback' } });
    const pc = small.vm.pageCache!;
    expect(pc.maxHeld).toBeLessThanOrEqual(0.2 * 16 * 2 ** 20);
    expect(pc.maxHeld).toBeGreaterThan(0.2 * 16 * 2 ** 20 - 4096);
    // Throttled, the writers go at the device's pace.
    expect(iops(small.result) / 10_000).toBeCloseTo(1, 1);
    // A cache far larger than what a short run writes: nothing reaches the device.
    const large = simulate(base('writeback', { rw: 'randwrite' }, { page_cache: { size: '64g' } }));
    expect(deviceIos(large.vm)).toBe(0);
    expect(large.vm.pageCache!.dirty).toBeGreaterThan(0);
  });

  it('a write larger than the dirty limit goes in alone rather than waiting forever; a background ratio above it is half of it', () => {
    const { vm, result } = simulate(base('writeback', { rw: 'write', bs: '64k', iodepth: 4, numjobs: 2 },
      { page_cache: { size: '64k', dirty_ratio: 20, dirty_background_ratio: 50 } }));
    expect(iops(result)).toBeGreaterThan(1000);
    // Merged by virtio-blk's MultiReqBuffer, a write may be larger still: each goes in alone.
    expect(vm.pageCache!.maxHeld).toBeGreaterThan(0.2 * 64 * 1024);
    expect(vm.pageCache!.violations()).toEqual([]);
    expect(deviceIos(vm)).toBeGreaterThan(0);
  });

  it('writethrough and directsync write every request to the device and flush it', () => {
    for (const cache of ['writethrough', 'directsync']) {
      const { vm, result } = simulate(base(cache, { rw: 'randwrite', iodepth: 1, numjobs: 1 }));
      expect(deviceIos(vm)).toBeGreaterThanOrEqual(result.ios - 1);
      const none = simulate(base('none', { rw: 'randwrite', iodepth: 1, numjobs: 1 })).result;
      expect(result.latency.mean - none.latency.mean).toBeGreaterThan(0.9 * c.fdatasync_ns);
    }
  });

  it('aio=threads: a hit is served inside the pool worker\'s syscall, the copy on its CPU, with no wake-up', () => {
    const { result } = simulate({ ...base('writeback', { iodepth: 1, numjobs: 1 }), disk: { device: 'nvme-tlc', aio: 'threads', cache: 'writeback' } });
    const worker = result.threads.filter((t) => t.role === 'aio-worker').reduce((s, t) => s + t.busyNs, 0);
    const copy = c.page_cache_op_ns + 4 * c.page_cache_copy_per_kib_ns;
    expect(worker / result.ios).toBeCloseTo(c.threads_worker_io_ns + copy + c.threads_worker_done_ns, -2);
    // The worker's own wake-up is the only one it takes: on the request's hand-off.
    expect(result.latency.quantile(0.5)).toBeLessThan(c.wakeup_ns * 2 + c.threads_worker_io_ns + copy + c.threads_worker_done_ns + 10_000);
  });

  it('aio=io_uring: a read hit completes inside io_uring_enter, its copy on the iothread', () => {
    // 4 jobs at QD4 on one iothread: it is the bound, so the copy it makes shows in the IOPS (with
    // jitter: exact costs can lock the vCPUs' and the iothread's steps into a cycle that leaves it idle).
    const run = (rw: string) => simulate({ ...base('writeback', { rw, iodepth: 4 }), exact_costs: false, host: { page_cache: { size: '64g' } } }).result;
    const reads = run('randread'), writes = run('randwrite');
    const iothread = reads.threads.find((t) => t.role === 'iothread')!;
    expect(iothread.busyNs / reads.windowNs).toBeGreaterThan(0.97);
    // Absorbed writes go on as a device's would (io-wq), so the iothread carries no copy for them.
    expect(iops(reads) / iops(writes)).toBeLessThan(0.93);
  });

  it('cache none stays the O_DIRECT path: no page cache is built', () => {
    expect(simulate(base('none')).vm.pageCache).toBeNull();
    expect(iops(simulate(base('none')).result)).toBeGreaterThan(0);
  });

  it('refuses aio=native with the page cache, as QEMU does, and takes threads by default there', () => {
    expect(() => scenario({ ...base('writeback'), disk: { cache: 'writeback', aio: 'native' } }))
      .toThrow(/disk\.aio: aio=native requires cache\.direct=on \(QEMU refuses it\)/);
    const s = scenario({ ...base('writeback'), disk: { cache: 'writeback' } });
    expect(s.points[0].config(0).vms[0].disks[0].aio).toBe('threads');
    expect(() => scenario({ ...base('none'), disk: { backend: 'vhost-user', cache: 'writeback' } }))
      .toThrow(/disk\.cache: applies to disks QEMU serves/);
  });
});

describe('fio fsync: a flush the guest sends where it sees a write cache', () => {
  const qd1 = (cache: string, job: object = {}) => simulate(base(cache, { rw: 'randwrite', iodepth: 1, numjobs: 1, fsync: 1, ...job }));
  const syncP50 = (r: { syncLatency: { quantile(q: number): number } }) => r.syncLatency.quantile(0.5);

  it('after every fsync writes an fsync of its own, in the iodepth, not among the IOPS', () => {
    const { result } = qd1('none', { fsync: 4 });
    expect(result.syncs * 4 / result.ios).toBeCloseTo(1, 1);
    expect(result.reads).toBe(0);
  });

  it('cache none: the flush goes through the virtqueue and QEMU to an fdatasync, never to the device as I/O', () => {
    const { vm, result } = qd1('none');
    expect(deviceIos(vm)).toBeLessThanOrEqual(result.ios + 1);
    expect(syncP50(result)).toBeGreaterThan(c.fdatasync_ns);
  });

  it('writethrough and directsync: no write cache in the guest, so the fsync completes there', () => {
    const none = qd1('none').result;
    for (const cache of ['writethrough', 'directsync']) {
      const { result } = qd1(cache);
      expect(syncP50(result)).toBeLessThan(syncP50(none) / 3);
    }
  });

  it('unsafe: QEMU ignores the flush (no fdatasync)', () => {
    const unsafe = qd1('unsafe').result, none = qd1('none').result;
    expect(syncP50(none) - syncP50(unsafe)).toBeGreaterThan(0.8 * c.fdatasync_ns);
  });

  it('writeback: the fsync writes back the data dirtied before it and waits for it', () => {
    const bigCache = { page_cache: { size: '64g' } };
    const synced = simulate(base('writeback', { rw: 'randwrite', fsync: 8 }, bigCache));
    const unsynced = simulate(base('writeback', { rw: 'randwrite' }, bigCache));
    expect(deviceIos(unsynced.vm)).toBe(0);
    // Everything written is written back, less what the last fsyncs had not yet asked for.
    expect(deviceIos(synced.vm)).toBeGreaterThan(0.9 * synced.result.ios);
    expect(syncP50(synced.result)).toBeGreaterThan(c.fdatasync_ns + 20_000);
  });

  it('blk-flush: one flush at a time per hardware queue, the fsyncs issued meanwhile riding on the next', () => {
    const fq = new FlushQueue();
    expect(fq.add(1)).toBe(1);
    expect([fq.add(2), fq.add(3)]).toEqual([-1, -1]);
    expect(fq.complete()).toEqual({ riders: [], next: 2 });
    expect(fq.complete()).toEqual({ riders: [3], next: -1 });
    expect(fq.add(4)).toBe(4);
    // At iodepth 16 with an fsync after every write, several fsyncs are in flight on the job's queue.
    const { vm, result } = simulate(base('none', { rw: 'randwrite', iodepth: 16, numjobs: 1, fsync: 1 }));
    expect(vm.pageCache!.flushes).toBeLessThan(0.7 * result.syncs);
    expect(vm.pageCache!.flushes).toBeGreaterThan(0);
  });

  it('refuses fsync on a job that never writes', () => {
    expect(() => scenario(base('none', { fsync: 4 }))).toThrow(/job\.fsync: fsync follows writes; this job \(rw randread\) does none/);
  });
});
