import { describe, expect, it } from 'vitest';
import { iops, scenario, simulate } from '../helpers.js';

const base = (vcpus: number, extra: object = {}) => ({
  duration: '30ms', warmup: '5ms', vm: { vcpus }, versions: { guest_kernel: '6.1' },
  disk: { device: 'null_blk', 'num-queues': 1, handler: 'dedicated' }, job: { rw: 'randread', bs: '4k', iodepth: 16, numjobs: vcpus },
  ...extra,
});

describe('the guest\'s I/O scheduler', () => {
  it('mq-deadline where the guest sees one hardware queue (Linux 4.11 on), none otherwise', () => {
    const sched = (o: object) => scenario(o).points[0].config(0).vms[0].disks[0].scheduler;
    expect(sched({ vm: { vcpus: 1 } })).toBe('mq-deadline'); // one vCPU: one queue
    expect(sched({ vm: { vcpus: 4 } })).toBe('none'); // a queue per vCPU (5.2+ machine types)
    expect(sched({ vm: { vcpus: 4 }, versions: { machine: '5.1' } })).toBe('mq-deadline');
    expect(sched({ vm: { vcpus: 4 }, disk: { 'num-queues': 8 } })).toBe('none');
    expect(sched({ vm: { vcpus: 1 }, versions: { guest_kernel: '4.10' } })).toBe('none');
    expect(sched({ vm: { vcpus: 1 }, disk: { scheduler: 'none' } })).toBe('none');
    expect(() => scenario({ vm: { vcpus: 1 }, versions: { guest_kernel: '4.10' }, disk: { scheduler: 'mq-deadline' } }))
      .toThrow(/disk\.scheduler: mq-deadline needs guest Linux 4\.11/);
  });

  it('dd->lock serializes the vCPUs that submit to the disk: IOPS at most one per hold, the waiters spinning', () => {
    // A contended hold far above everything else makes the lock the bound: 1 / 20 us = 50 k IOPS.
    const run = (scheduler: string) => simulate(base(4, { costs: { guest_mq_deadline_contended_ns: '20us' }, disk: { ...base(4).disk, scheduler } })).result;
    const dl = run('mq-deadline'), none = run('none');
    // Held nearly always (the jobs' other steps leave it free now and then: 96 % at least).
    expect(iops(dl)).toBeGreaterThan(48_000);
    expect(iops(dl)).toBeLessThanOrEqual(50_100);
    expect(iops(none)).toBeGreaterThan(4 * iops(dl));
    const vcpuBusy = (r: typeof dl) => r.threads.filter((t) => t.role === 'vcpu').reduce((s, t) => s + t.busyNs, 0) / r.windowNs;
    expect(vcpuBusy(dl)).toBeGreaterThan(3.9); // four vCPUs spin on the lock
  });

  it('uncontended the lock costs its sections only; contended, Linux 6.9\'s insertion lists hold it a third as long', () => {
    const busyPerIo = (o: object) => {
      const r = simulate(base(1, { job: { rw: 'randread', bs: '4k', iodepth: 1, numjobs: 1 }, exact_costs: true, ...o })).result;
      return r.threads.find((t) => t.role === 'vcpu')!.busyNs / r.ios;
    };
    // One vCPU at QD1 never finds it held: guest_mq_deadline_ns, 300 ns per request.
    expect(busyPerIo({}) - busyPerIo({ disk: { ...base(1).disk, scheduler: 'none' } })).toBeCloseTo(300, -1);
    // Four vCPUs on one queue contend: 1140 ns per request before 6.9, 330 from it.
    const contendedPerIo = (guest: string) => {
      const r = simulate(base(4, { versions: { guest_kernel: guest }, exact_costs: true })).result;
      return r.threads.filter((t) => t.role === 'vcpu').reduce((s, t) => s + t.busyNs, 0) / r.ios;
    };
    expect(contendedPerIo('6.8') - contendedPerIo('6.9')).toBeGreaterThan(500);
  });

  it('bfq (Fedora and RHEL guests\' choice for sd* disks) holds one lock per request on every hardware queue, longer than mq-deadline; from Linux 4.12', () => {
    const scsi = (scheduler: string) => simulate({
      duration: '30ms', warmup: '5ms', vm: { vcpus: 4 }, versions: { guest_kernel: '6.12' }, exact_costs: true,
      disk: { device: 'null_blk', bus: 'scsi', 'num-queues': 4, handler: 'pool', iothreads: 4, scheduler },
      job: { rw: 'randread', bs: '4k', iodepth: 16, numjobs: 4 },
    }).result;
    const bfq = scsi('bfq'), dl = scsi('mq-deadline');
    // Four queues, one bfqd->lock: the LUN is bound by its contended hold, 1 / 1.76 us = 568 k IOPS.
    expect(iops(bfq)).toBeLessThanOrEqual(1e9 / 1760 + 1000);
    expect(iops(bfq)).toBeGreaterThan(0.9e9 / 1760);
    expect(iops(bfq)).toBeLessThan(iops(dl));
    expect(() => scenario({ vm: { vcpus: 1 }, versions: { guest_kernel: '4.11' }, disk: { scheduler: 'bfq' } }))
      .toThrow(/disk\.scheduler: bfq needs guest Linux 4\.12/);
  });
});
