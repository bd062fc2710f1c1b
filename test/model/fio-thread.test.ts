import { describe, expect, it } from 'vitest';
import { simulate } from '../helpers.js';

/** fio's thread on its vCPU: it goes on from reaping to issuing, and sleeps in io_submit for a tag. */
const base = {
  duration: '40ms', warmup: '10ms', seed: 3, vm: { vcpus: 1 },
  devices: { fast: { preset: 'null_blk', read: { dist: 'constant', value: '200us' } } },
  disk: { device: 'fast', handler: 'dedicated', 'queue-size': 64 },
  job: { rw: 'randread', bs: '4k', iodepth: 8, numjobs: 4 },
};

/** Per clone: fio's Little's L (iops x mean lat) and its time-averaged I/Os in flight. */
function clones(obj: object) {
  const { result } = simulate(obj);
  const T = result.windowNs;
  const vcpuBusy = result.threads.find((t) => t.role === 'vcpu')!.busyNs / T;
  return {
    vcpuBusy,
    clones: result.clones.map((c) => ({ l: (c.completions / T) * (c.latSumNs / c.completions), inFlight: c.meanInFlight, iodepth: c.iodepth })),
  };
}

describe('a fio job\'s thread', () => {
  it('re-issues what it reaped before the vCPU\'s other jobs run: iodepth stays in flight but for its own CPU time', () => {
    // Eight jobs on one vCPU, 100 us a read: the vCPU is busy, but no job waits behind the others to
    // refill its iodepth (queued behind them, the worst kept 69 % of it in flight).
    const { vcpuBusy, clones: cs } = clones({ ...base, devices: { fast: { preset: 'null_blk', read: { dist: 'constant', value: '100us' } } }, disk: { device: 'fast', handler: 'dedicated' }, job: { ...base.job, iodepth: 16, numjobs: 8 } });
    expect(vcpuBusy).toBeLessThan(0.9);
    for (const c of cs) {
      expect(c.l).toBeGreaterThan(0.93 * c.iodepth);
      // Little's law per clone: fio's iops x lat is its mean number in flight.
      expect(c.l).toBeCloseTo(c.inFlight, 0);
    }
  });

  it('sleeps in io_submit for a blk-mq tag once its queue\'s descriptors are in use: at most the queue\'s size (and a blocked I/O per job) in flight', () => {
    const deep = { ...base, job: { ...base.job, iodepth: 32 } };
    const { clones: cs } = clones(deep);
    const inFlight = cs.reduce((s, c) => s + c.inFlight, 0);
    // 4 x 32 wanted, 64 tags: beyond them, one I/O per sleeping job and the completions it cannot reap
    // while it sleeps; the rest of its iodepth is not issued.
    expect(inFlight).toBeGreaterThan(64);
    expect(inFlight).toBeLessThan(100);
    // The jobs share the tags fairly (sbitmap wakes the waiters in turn).
    const ls = cs.map((c) => c.inFlight);
    expect(Math.max(...ls) / Math.min(...ls)).toBeLessThan(1.1);
  });

  it('jobs sleeping for tags get their share: the woken thread runs before the running one takes the tags', () => {
    // 8 jobs of 61 on one vCPU's 256 tags: the job that runs took every freed tag before a woken one
    // could (four jobs at 47 K IOPS, four at 2 K); the guest's wake-up preemption runs the sleeper first.
    const { result } = simulate({
      duration: '200ms', warmup: '10ms', seed: 0, versions: { qemu: '9.2' }, vm: { vcpus: 1 },
      disk: { device: 'optane', 'num-queues': 1, aio: 'threads', handler: 'pool', iothreads: 1 },
      job: { rw: 'randread', bs: '4k', iodepth: 61, numjobs: 8 },
    });
    const n = result.clones.map((c) => c.completions);
    expect(Math.max(...n) / Math.min(...n)).toBeLessThan(1.05);
  });

  it('pays a guest wake-up and switch each time it slept for tags, and never when its queue has room', () => {
    const deep = { ...base, job: { ...base.job, iodepth: 32 } };
    const busy = (ns: string, obj: object = deep) => {
      const { result } = simulate({ ...obj, costs: { guest_tag_wakeup_ns: ns } });
      return result.threads.find((t) => t.role === 'vcpu')!.busyNs / result.ios;
    };
    // A wake-up per sleep, not per I/O: a job woken late takes every tag freed for it meanwhile.
    expect(busy('3us') - busy('0')).toBeGreaterThan(300);
    expect(busy('3us') - busy('0')).toBeLessThan(3000);
    expect(busy('3us', { ...deep, job: { ...deep.job, iodepth: 8 } })).toBe(busy('0', { ...deep, job: { ...deep.job, iodepth: 8 } }));
  });
});
