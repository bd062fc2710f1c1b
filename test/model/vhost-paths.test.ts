import { describe, expect, it } from 'vitest';
import { DEFAULT_COSTS } from '../../src/model/costs.js';
import { Host } from '../../src/model/host.js';
import { iops, scenario, simulate } from '../helpers.js';

const c = DEFAULT_COSTS;
/** One 4-queue disk on null_blk with a QD32 job per vCPU: the data path is the bound. */
const base = (disk: object, job: object = {}) => ({
  duration: '50ms', warmup: '5ms', exact_costs: true, vm: { vcpus: 4 },
  disk: { device: 'null_blk', 'num-queues': 4, ...disk },
  job: { rw: 'randread', bs: '4k', iodepth: 32, numjobs: 4, ...job },
});
const busyPct = (threads: { role: string; busyNs: number }[], role: string, windowNs: number) =>
  threads.filter((t) => t.role === role).map((t) => (100 * t.busyNs) / windowNs);

describe('vhost-scsi', () => {
  it('one worker serves every queue and saturates; a worker per virtqueue scales with the queues', () => {
    const eight = { vm: { vcpus: 8 }, job: { rw: 'randread', bs: '4k', iodepth: 32, numjobs: 8 } };
    const one = simulate({ ...base({ bus: 'scsi', backend: 'vhost', 'num-queues': 8 }), ...eight });
    const perVq = simulate({ ...base({ bus: 'scsi', backend: 'vhost', 'num-queues': 8, worker_per_virtqueue: true }), ...eight });
    expect(one.vm.backends.length).toBe(1);
    expect(perVq.vm.backends.length).toBe(8);
    expect(busyPct(one.result.threads, 'vhost-scsi', one.result.windowNs)[0]).toBeGreaterThan(99);
    // The saturated worker's capacity: each request's ring accesses and vhost-scsi/LIO work, and an
    // irqfd signal per interrupt raised.
    const perRequest = c.ring_split_pop_ns + c.vhost_scsi_cmd_ns + c.ring_split_push_ns + c.vhost_scsi_complete_ns;
    const perIo = perRequest + (c.irqfd_notify_ns * one.result.irqs) / one.result.ios;
    expect(iops(one.result) * perIo / 1e9).toBeCloseTo(1, 1);
    expect(iops(perVq.result)).toBeGreaterThan(2.5 * iops(one.result));
  });

  it('a drive\'s command and completion interrupt take the worker\'s CPU; null_blk has neither', () => {
    const eight = { vm: { vcpus: 8 }, job: { rw: 'randread', bs: '4k', iodepth: 32, numjobs: 8 } };
    const on = (driver: string, backend: string, bus: string) =>
      simulate({ ...base({ bus, backend, 'num-queues': 8, device: { preset: 'null_blk', driver } }), ...eight }).result;
    const nvme = on('nvme', 'vhost', 'scsi');
    const perIo = c.ring_split_pop_ns + c.vhost_scsi_cmd_ns + c.ring_split_push_ns + c.vhost_scsi_complete_ns +
      c.nvme_queue_rq_ns + c.nvme_irq_ns + (c.irqfd_notify_ns * nvme.irqs) / nvme.ios;
    expect(iops(nvme) * perIo / 1e9).toBeCloseTo(1, 1);
    expect(iops(nvme)).toBeLessThan(0.85 * iops(on('null_blk', 'vhost', 'scsi')));
    // A vhost-user target polls the drive from user space: the kernel's driver is not on its path.
    expect(iops(on('nvme', 'vhost-user', 'virtio'))).toBe(iops(on('null_blk', 'vhost-user', 'virtio')));
  });

  it('sleeps between requests at QD1: a kick wakes the worker, LIO\'s two workqueue hops and the completion wake-up follow', () => {
    const { result } = simulate(base({ bus: 'scsi', backend: 'vhost' }, { iodepth: 1, numjobs: 1 }));
    expect(result.kicks / result.ios).toBeCloseTo(1, 2);
    const lat = result.latency.mean;
    // At least the three wake-ups (worker, submission kworker, completion kworker + worker) and the device.
    expect(lat).toBeGreaterThan(3 * c.wakeup_ns);
  });

  it('needs bus scsi, takes none of QEMU\'s fields, and gets worker_per_virtqueue from QEMU 9.0 and Linux 6.4', () => {
    expect(() => scenario(base({ backend: 'vhost' }))).toThrow(/disk\.backend: vhost is vhost-scsi-pci: it needs bus: scsi/);
    expect(() => scenario(base({ bus: 'scsi', backend: 'vhost', handler: 'pool' })))
      .toThrow(/disk\.handler: applies to disks QEMU serves \(backend: qemu\); this disk's backend is vhost/);
    expect(() => scenario({ ...base({ bus: 'scsi', backend: 'vhost', worker_per_virtqueue: true }), versions: { host_kernel: '6.1' } }))
      .toThrow(/disk\.worker_per_virtqueue: needs a host kernel with VHOST_NEW_WORKER, Linux 6\.4 or later/);
    expect(() => scenario({ ...base({ bus: 'scsi', backend: 'vhost', worker_per_virtqueue: true }), versions: { qemu: '8.2' } }))
      .toThrow(/disk\.worker_per_virtqueue: needs QEMU 9\.0 or later/);
    expect(() => scenario(base({ worker_per_virtqueue: false }))).toThrow(/applies only to backend: vhost/);
  });
});

describe('vhost-user-blk', () => {
  it('a polling reactor takes no kicks and burns its core at idle', () => {
    const { result } = simulate(base({ backend: 'vhost-user' }, { rate_iops: 1000, numjobs: 1, iodepth: 4 }));
    expect(result.ios).toBeGreaterThan(0);
    expect(result.kicks).toBe(0);
    const reactor = result.threads.find((t) => t.role === 'reactor')!;
    expect((reactor.busyNs + reactor.pollNs) / result.windowNs).toBeCloseTo(1, 6);
    expect(reactor.pollNs / result.windowNs).toBeGreaterThan(0.99);
  });

  it('a pass polls every virtqueue of its controllers: QD1 latency grows with the idle queues on its reactor', () => {
    const qd1 = (queues: number) => simulate(base({ backend: 'vhost-user', 'num-queues': queues }, { iodepth: 1, numjobs: 1 })).result.latency.mean;
    const few = qd1(1), many = qd1(256);
    // 255 more pollers of poll_handler_ns each: a pass is ~15 us longer, and the request and its
    // completion each wait up to a pass for their poller's turn (half of one on average).
    expect(many - few).toBeGreaterThan(0.5 * 255 * c.poll_handler_ns);
    expect(many - few).toBeLessThan(2 * 257 * c.poll_handler_ns);
  });

  it('places controllers on the target\'s reactors in turn, shared by the host\'s VMs, listed once as the host\'s', () => {
    const s = scenario({
      duration: '20ms', warmup: '2ms',
      host: { vhost_user: { reactors: 2 }, devices: { nvme0: { preset: 'null_blk' } } },
      vms: [{ name: 'a', count: 3, vm: { vcpus: 2 }, disk: { device: 'nvme0', backend: 'vhost-user' }, job: { iodepth: 8 } }],
    });
    const host = new Host(s.points[0].config(0));
    const r = host.run();
    expect(host.blk.backends.map((b) => [b.acct.name, b.vqs.length])).toEqual([['reactor0', 4], ['reactor1', 2]]);
    expect(r.threads.filter((t) => t.role === 'reactor').map((t) => t.name)).toEqual(['reactor0', 'reactor1']);
    expect(r.vms.every((v) => v.threads.every((t) => t.role !== 'reactor'))).toBe(true);
    expect(r.vms.every((v) => v.blk!.ios > 0 && v.blk!.kicks === 0)).toBe(true);
    expect(() => scenario(base({ bus: 'scsi', backend: 'vhost-user' }))).toThrow(/vhost-user is vhost-user-blk-pci here: it needs bus: virtio/);
  });
});

describe('the QEMU path is unchanged by the backends beside it', () => {
  it('a qemu disk and a vhost-user disk in one VM each reach their own server', () => {
    const { vm, result } = simulate({
      ...base({}), disks: [{ name: 'q', handler: 'dedicated' }, { name: 'v', backend: 'vhost-user' }],
      jobs: [{ name: 'jq', disk: 'q' }, { name: 'jv', disk: 'v' }],
    });
    expect(vm.ctxs.length).toBe(1);
    expect(vm.backends.length).toBe(1);
    expect(result.jobs.every((j) => j.dirs.some((d) => d.ios > 0))).toBe(true);
  });
});
