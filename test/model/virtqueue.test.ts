import { describe, expect, it } from 'vitest';
import { Virtqueue, vringNeedEvent } from '../../src/model/virtio/virtqueue.js';
import { simulate } from '../helpers.js';
import { summarize } from '../../src/stats/summary.js';

const vq = (packed = false, eventIdx = true) => new Virtqueue(0, 0, 256, packed, eventIdx, 0, 0);

describe('vring_need_event', () => {
  it('is true only when the event index lies in [old, new)', () => {
    expect(vringNeedEvent(5, 6, 5)).toBe(true);
    expect(vringNeedEvent(4, 6, 5)).toBe(false);
    expect(vringNeedEvent(5, 9, 2)).toBe(true);
    expect(vringNeedEvent(9, 9, 2)).toBe(false);
  });

  it('wraps at 16 bits like the ring indices', () => {
    expect(vringNeedEvent(0xffff, 0x10000, 0xffff)).toBe(true);
    expect(vringNeedEvent(0xffff, 0x10001, 0x10000)).toBe(false);
  });
});

describe('EVENT_IDX kick suppression', () => {
  for (const packed of [false, true]) {
    it(`${packed ? 'packed' : 'split'}: kicks while the host waits, not while it processes with notifications off`, () => {
      const q = vq(packed);
      q.setNotification(true);
      q.driverAdd(1);
      expect(q.driverKickPrepare(1)).toBe(true); // host idle: notify
      // The host's handler runs: notifications off while it pops (virtio_blk_handle_vq).
      q.setNotification(false);
      q.devicePop();
      q.driverAdd(2);
      expect(q.driverKickPrepare(1)).toBe(false);
      q.driverAdd(3);
      expect(q.driverKickPrepare(1)).toBe(false);
      q.devicePop();
      q.devicePop();
      // Handler done: notifications back on; the next request kicks again.
      q.setNotification(true);
      q.driverAdd(4);
      expect(q.driverKickPrepare(1)).toBe(true);
    });
  }

  it('split ring: a frozen avail_event allows at most one kick', () => {
    const q = vq(false);
    q.setNotification(true); // avail_event = 0
    q.setNotification(false); // disabled: avail_event stays 0
    q.driverAdd(1);
    expect(q.driverKickPrepare(1)).toBe(true);
    q.driverAdd(2);
    expect(q.driverKickPrepare(1)).toBe(false);
  });

  it('without EVENT_IDX the NO_NOTIFY flag decides', () => {
    const q = vq(false, false);
    q.setNotification(false);
    q.driverAdd(1);
    expect(q.driverKickPrepare(1)).toBe(false);
    q.setNotification(true);
    q.driverAdd(2);
    expect(q.driverKickPrepare(1)).toBe(true);
  });
});

describe('interrupt suppression (used_event)', () => {
  it('notifies once, then not until the guest has caught up', () => {
    const q = vq();
    q.driverAdd(1); q.driverAdd(2); q.driverAdd(3);
    q.devicePop(); q.devicePop(); q.devicePop();
    q.devicePush(1);
    expect(q.shouldNotify()).toBe(true);
    q.devicePush(2);
    expect(q.shouldNotify()).toBe(false); // guest has not reaped entry 0 yet
    q.driverDisableCb();
    q.driverReap();
    q.driverReap();
    expect(q.driverEnableCb()).toBe(true);
    q.devicePush(3);
    expect(q.shouldNotify()).toBe(true);
  });
});

describe('EVENT_IDX in a run', () => {
  const base = {
    duration: '100ms', warmup: '10ms', vm: { vcpus: 4 },
    iothread: { 'poll-max-ns': 0 },
    disk: { device: 'nvme-tlc', handler: 'pool', iothreads: 1, 'num-queues': 4 },
    job: { rw: 'randread', iodepth: 32, numjobs: 4 },
  };

  it('suppresses kicks and interrupts while the iothread is busy, far more than the NO_NOTIFY flag', () => {
    const on = simulate(base).result;
    const off = simulate({ ...base, disk: { ...base.disk, event_idx: false } }).result;
    expect(on.kicks / on.ios).toBeLessThan(0.1);
    expect(on.irqs / on.ios).toBeLessThan(0.2);
    // NO_NOTIFY only covers the handler's own pops: the guest kicks whenever the host is doing anything else.
    expect(off.kicks / off.ios).toBeGreaterThan(0.5);
    const light = simulate({ ...base, job: { rw: 'randread', iodepth: 1, numjobs: 1 } }).result;
    expect(light.kicks / light.ios).toBeGreaterThan(0.95);
    expect(light.irqs / light.ios).toBeGreaterThan(0.95);
  });
});

describe('fio batched submission (iodepth_batch_submit) and reaping', () => {
  const run = (job: object) => summarize(simulate({
    duration: '50ms', warmup: '5ms', vm: { vcpus: 1 }, disk: { device: 'optane', event_idx: false, handler: 'main-loop' },
    job: { iodepth: 32, ...job },
  }).result);

  it('the guest decides on a kick once per io_submit batch (bd->last), so kicks per I/O fall', () => {
    const one = run({}), sixteen = run({ iodepth_batch_submit: 16, iodepth_batch_complete_min: 16 });
    expect(Number(sixteen.kicks_per_io)).toBeLessThan(Number(one.kicks_per_io) / 2);
    expect(Number(sixteen.kicks_per_io)).toBeLessThanOrEqual(1 / 16 + 0.01);
  });

  it('one io_submit and one io_getevents syscall per batch: fio\'s CPU per I/O falls by what the calls cost', () => {
    // fio's own CPU per I/O (its submit and reap steps), constant costs.
    const fioNsPerIo = (job: object, costs: object = {}) => {
      const { vm, result } = simulate({
        duration: '20ms', warmup: '2ms', exact_costs: true, costs, vm: { vcpus: 1 },
        disk: { device: 'optane', handler: 'main-loop' }, job: { iodepth: 32, ...job },
      });
      return vm.loads[0].jobs[0].cpuNs / result.ios;
    };
    const batched = { iodepth_batch_submit: 16, iodepth_batch_complete_min: 16 };
    // Unbatched, each io_submit carries one I/O (300 ns a call) and a reap often one or two.
    expect(fioNsPerIo({}) - fioNsPerIo(batched)).toBeGreaterThan(250);
    const free = { guest_submit_call_ns: 0, guest_getevents_call_ns: 0 };
    expect(Math.abs(fioNsPerIo({}, free) - fioNsPerIo(batched, free))).toBeLessThan(20);
  });
});
