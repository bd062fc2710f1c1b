import { describe, expect, it } from 'vitest';
import { CoroutinePool } from '../../src/model/qemu/coroutine-pool.js';
import { behaviourOf } from '../../src/model/versions.js';
import { iops, simulate } from '../helpers.js';

const NEW = 1500, DEL = 1000;

describe('QEMU coroutine pool', () => {
  it('keeps 128 in the release pool and 64 per thread before 7.0, deleting the rest', () => {
    const pool = new CoroutinePool('fixed', 512, NEW, DEL);
    const t = pool.addThread();
    expect(pool.size).toBe(64);
    expect(pool.create(t, 200)).toBe(200 * NEW);
    let freed = 0;
    for (let i = 0; i < 200; i++) freed += pool.terminate(t);
    expect(freed).toBe(8 * DEL);
    // 64 from the thread's pool, then the 128 released move over: 192 reused, 8 made afresh.
    expect(pool.create(t, 200)).toBe(8 * NEW);
    expect([pool.created, pool.deleted]).toEqual([208, 8]);
  });

  it('reuses the release pool only once it holds more than the batch size', () => {
    const pool = new CoroutinePool('fixed', 0, NEW, DEL);
    const t = pool.addThread();
    pool.create(t, 64);
    for (let i = 0; i < 64; i++) pool.terminate(t);
    // 64 wait in the release pool, not more than 64: a new request still maps a stack.
    expect(pool.create(t, 1)).toBe(NEW);
    pool.terminate(t);
    pool.terminate(t);
    expect(pool.create(t, 1)).toBe(0);
  });

  it('grows with the virtio-blk queues from 7.0, whose reuse threshold grew too until 7.1', () => {
    const buggy = new CoroutinePool('sized-batch', 4 * 256 / 2, NEW, DEL);
    const fixed = new CoroutinePool('sized', 4 * 256 / 2, NEW, DEL);
    expect(buggy.size).toBe(576);
    expect(fixed.size).toBe(576);
    for (const pool of [buggy, fixed]) {
      const t = pool.addThread();
      pool.create(t, 100);
      for (let i = 0; i < 100; i++) expect(pool.terminate(t)).toBe(0);
    }
    // 100 released: the 7.0 pool waits for 577 before it reuses them, 7.1 reuses them at once.
    expect(buggy.create(0, 1)).toBe(NEW);
    expect(fixed.create(0, 1)).toBe(0);
  });

  it('is a pool per QEMU release', () => {
    const kind = (qemu: string) => behaviourOf({ qemu, host_kernel: '6.12', guest_kernel: '6.12' }).coroutinePool;
    expect(kind('6.2')).toBe('fixed');
    expect(kind('7.0')).toBe('sized-batch');
    expect(kind('8.2')).toBe('sized');
    expect(kind('9.0')).toBe('global');
  });

  // The aio-max-batch series' setup: 16 jobs at QD64 on 4 vCPUs, 4 queues on one iothread.
  const sim = (qemu: string, maxBatch: number, zeroPool = false) => simulate({
    duration: '40ms', warmup: '10ms', versions: { qemu }, vm: { vcpus: 4 },
    ...(zeroPool ? { costs: { coroutine_new_ns: 0, coroutine_delete_ns: 0 } } : {}),
    iothread: { 'aio-max-batch': maxBatch },
    disk: { device: 'optane', aio: 'native', handler: 'dedicated', 'num-queues': 4 },
    job: { rw: 'randread', bs: '4k', iodepth: 64, numjobs: 16 },
  });
  const run = (qemu: string, maxBatch: number, zeroPool = false) => iops(sim(qemu, maxBatch, zeroPool).result);

  it('maps a coroutine afresh for about every other request with unbounded batches, and next to none with 32', () => {
    const perIo = (qemu: string) => {
      const { vm, result } = sim(qemu, 0);
      return vm.qemu.coroutinePools[0]!.created / result.ios;
    };
    expect(perIo('6.0')).toBeGreaterThan(0.3);
    expect(perIo('6.1')).toBeLessThan(0.02);
  });

  it('costs unbounded batches their coroutines before QEMU 7.0, and nothing once the pool is sized', () => {
    const unbounded = run('6.0', 0), batched = run('6.1', 0);
    expect(batched / unbounded).toBeGreaterThan(1.25);
    // Without what a coroutine costs to map and unmap, batching changes little.
    expect(run('6.1', 0, true) / run('6.0', 0, true)).toBeLessThan(1.05);
    // 7.1's pool holds the 4 x 256 / 2 its queues add: unbounded batches cost nothing there.
    expect(run('7.1', 0) / run('7.1', 1024)).toBeLessThan(1.05);
  });
});
