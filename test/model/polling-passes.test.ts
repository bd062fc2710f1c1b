import { describe, expect, it } from 'vitest';
import { AioPolling } from '../../src/model/qemu/poll-handlers.js';
import { summarize } from '../../src/stats/summary.js';
import { iops, simulate } from '../helpers.js';

const params = { pollMaxNs: 32768, pollGrow: 0, pollShrink: 0 };

describe('polling passes (run_poll_handlers_once)', () => {
  it('a pass costs one io_poll per handler on the list, plus the AioContext notifier', () => {
    const p = new AioPolling(params, false, 50, 10);
    for (let h = 0; h < 4; h++) p.add(h);
    expect(p.passNs).toBe(5 * 50);
  });

  it('work is seen at the end of the pass in which its handler is polled', () => {
    const p = new AioPolling(params, false, 100, 4);
    for (let h = 0; h < 4; h++) p.add(h); // pass = 500 ns; handler h is polled at 100 (h + 1)
    p.begin(1000);
    expect(p.seenAt(1050, 2)).toBe(1500); // its turn (1300) still to come in this pass
    expect(p.seenAt(1350, 2)).toBe(2000); // polled already: the next pass sees it
    expect(p.seenAt(1600, 0)).toBe(2000);
  });

  it('a window is a whole number of passes, at least one', () => {
    const p = new AioPolling(params, false, 1000, 8);
    for (let h = 0; h < 8; h++) p.add(h); // pass = 9 us
    p.windowNs = 4000;
    expect(p.begin(0)).toBe(9000);
    p.windowNs = 20000;
    expect(p.begin(0)).toBe(27000);
  });
});

describe('adaptive polling per handler (QEMU >= 10.0) and per AioContext (before)', () => {
  it('only handlers that were ready adjust; the window is the largest', () => {
    const p = new AioPolling(params, true, 0, 3);
    for (let h = 0; h < 3; h++) p.add(h);
    p.adjust(2000, [0], 1); // 0 -> 4 us
    p.adjust(5000, [0], 1); // -> 8 us
    expect(p.windowNs).toBe(8000);
    p.adjust(100_000, [1], 1); // handler 1 waited long: it shrinks (it is 0 already), 0 keeps its window
    expect(p.windowNs).toBe(8000);
    p.adjust(100_000, [0], 1); // now handler 0 had the long wait
    expect(p.windowNs).toBe(0);
  });

  it('per AioContext, any long wait resets the one window', () => {
    const p = new AioPolling(params, false, 0, 3);
    p.adjust(2000, [], 0);
    p.adjust(5000, [], 0);
    expect(p.windowNs).toBe(8000);
    p.adjust(100_000, [1], 1);
    expect(p.windowNs).toBe(0);
  });
});

describe('an iothread with many virtqueues', () => {
  const qd1 = (queues: number, qemu: string) => ({
    duration: '100ms', warmup: '10ms', exact_costs: true, versions: { qemu },
    vm: { vcpus: 1 }, disk: { device: 'optane', 'num-queues': queues }, job: { iodepth: 1 },
  });

  it('QEMU < 5.0 polls every handler: QD1 IOPS falls as idle virtqueues are added', () => {
    const r = [1, 16, 64, 256].map((q) => iops(simulate(qd1(q, '4.2')).result));
    for (let i = 1; i < r.length; i++) expect(r[i]).toBeLessThan(r[i - 1]);
    expect(r[3] / r[0]).toBeLessThan(0.6);
  });

  it('fdmon-io_uring (QEMU >= 5.0) drops idle handlers from the poll list: no loss', () => {
    const one = iops(simulate(qd1(1, '10.1')).result);
    const many = iops(simulate(qd1(256, '10.1')).result);
    expect(many / one).toBeGreaterThan(0.99);
  });

  it('ppoll walks every fd: without polling, CPU per I/O grows with queues until epoll takes over at 64 fds', () => {
    const cpuPerIo = (queues: number) => {
      const s = { ...qd1(queues, '4.2'), iothread: { 'poll-max-ns': 0 } };
      const row = summarize(simulate(s).result);
      return Number(row.iothread_busy_max_pct) / Number(row.iops);
    };
    const [q1, q32, q64] = [1, 32, 64].map(cpuPerIo);
    expect(q32).toBeGreaterThan(q1 * 1.3);
    expect(q64).toBeLessThan(q32 * 0.8);
  });
});

describe('submission as virtio_blk_handle_vq and linux-aio interleave it', () => {
  it('pops at most one MultiReqBuffer (32) between submissions', () => {
    const { vm } = simulate({
      duration: '20ms', warmup: '2ms', vm: { vcpus: 1 }, disk: { device: 'null_blk', 'queue-size': 1024 },
      job: { iodepth: 256 },
    });
    expect(vm.ctxs[0].largestPop).toBe(32);
  });

  it('holds iocbs beyond Linux AIO MAX_EVENTS in QEMU: 128 before QEMU 5.0, 1024 since', () => {
    const deep = (qemu: string) => simulate({
      duration: '20ms', warmup: '2ms', versions: { qemu }, vm: { vcpus: 4 },
      disk: { device: { preset: 'nvme-tlc', read: { dist: 'constant', value: '500us' } }, 'queue-size': 1024 },
      job: { iodepth: 128, numjobs: 4 },
    }).vm.devices[0].maxAdmitted;
    expect(deep('4.2')).toBe(128);
    expect(deep('10.1')).toBeGreaterThan(256);
  });
});

describe('polling off before QEMU 5.0: one forced pass per wait (e4346192f1c2)', () => {
  // Many queues on one iothread, one of them busy at depth 1, poll-max-ns=0; fdmon and aio fixed so
  // that only the pass differs between 4.2 and 5.0.
  const doc = (qemu: string) => ({
    duration: '20ms', warmup: '5ms', versions: { qemu },
    vm: { vcpus: 1 }, iothread: { 'poll-max-ns': 0, fdmon: 'poll' },
    disk: { handler: 'dedicated', aio: 'threads', 'num-queues': 32, device: 'null_blk' },
    job: { rw: 'randread', iodepth: 1 },
  });

  it('each wait costs the iothread a pass over every handler in 4.2, none in 5.0, and IOPS follow', () => {
    const old = simulate(doc('4.2')), now = simulate(doc('5.0'));
    const perIo = (r: typeof old.result) => summarize(r).iothread_busy_pct / iops(r);
    // 32 queues + the pool's completion handler + the notifier: 34 io_poll calls per wait.
    const passNs = 34 * old.host.config.costs.poll_handler_ns;
    expect(perIo(old.result)).toBeGreaterThan(perIo(now.result));
    // busy % of the window per I/O per second = ns of iothread time per I/O / 1e7.
    const waitsPerIo = old.vm.ctxs[0].iterations / old.result.ios;
    expect((perIo(old.result) - perIo(now.result)) * 1e7).toBeGreaterThan(0.8 * waitsPerIo * passNs);
  });

  it('with many handlers the pass is the loop\'s bottleneck (the commit: 100 disks of 32 queues, 10k -> 60k IOPS)', () => {
    const many = (qemu: string) => ({
      ...doc(qemu), disk: { handler: 'shared', iothread: 'io0', aio: 'threads', 'num-queues': 32, device: 'null_blk' },
      disks: Array.from({ length: 32 }, (_, i) => ({ name: `d${i}` })), job: { rw: 'randread', iodepth: 1, disk: 'd0' },
    });
    expect(iops(simulate(many('5.0')).result) / iops(simulate(many('4.2')).result)).toBeGreaterThan(2);
  });
});
