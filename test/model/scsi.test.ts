import { describe, expect, it } from 'vitest';
import { DEFAULT_COSTS } from '../../src/model/costs.js';
import { iops, scenario, simulate } from '../helpers.js';

/** One disk on one iothread, 8 jobs: the iothread is the bound at QD32. */
const disk = (bus: string, rw: string, extra: object = {}) => ({
  duration: '100ms', warmup: '10ms', exact_costs: true, versions: { qemu: '10.0' }, vm: { vcpus: 8 },
  disk: { device: 'nvme-tlc', bus, 'num-queues': 8, handler: 'pool', iothreads: 1 },
  job: { rw, bs: '4k', iodepth: 32, numjobs: 8 }, ...extra,
});

describe('virtio-scsi', () => {
  it('costs the SCSI emulation per command on the iothread: where it is the bound, IOPS fall by its share', () => {
    const blk = iops(simulate(disk('virtio', 'randread')).result);
    const scsi = iops(simulate(disk('scsi', 'randread')).result);
    // virtio-blk's iothread time per request, and virtio-scsi's on top of it.
    const expected = blk / (1 + (DEFAULT_COSTS.scsi_request_ns * blk) / 1e9);
    expect(scsi / expected).toBeCloseTo(1, 1);
    expect(scsi).toBeLessThan(0.9 * blk);
  });

  it('merges nothing: sequential reads gain on virtio-blk (MultiReqBuffer) and not on virtio-scsi', () => {
    const gain = (bus: string) => iops(simulate(disk(bus, 'read')).result) / iops(simulate(disk(bus, 'randread')).result);
    expect(gain('virtio')).toBeGreaterThan(1.2);
    expect(gain('scsi')).toBeCloseTo(1, 1);
  });

  it('LUNs on one controller share its virtqueues, each with its own device behind it', () => {
    const obj = {
      duration: '50ms', warmup: '5ms', versions: { qemu: '10.0' }, vm: { vcpus: 4 },
      disk: { bus: 'scsi', controller: 'scsi0', 'num-queues': 4, handler: 'pool', iothreads: 2 },
      disks: [{ name: 'a' }, { name: 'b', device: 'null_blk' }],
      jobs: [{ name: 'ja', disk: 'a', iodepth: 4 }, { name: 'jb', disk: 'b', iodepth: 4 }],
    };
    const { vm, result } = simulate(obj);
    expect(vm.vqs.length).toBe(4); // one controller's queues, not 2 x 4
    expect(vm.devices.map((d) => d.completions > 0)).toEqual([true, true]);
    expect(result.ios).toBeGreaterThan(0);
    expect(() => scenario({ ...obj, disks: [{ name: 'a' }, { name: 'b', 'num-queues': 2 }] }))
      .toThrow(/disks\.1\.num-queues: LUNs of controller scsi0 share its queues: num-queues must be as on a/);
    expect(() => scenario({ ...obj, disk: { controller: 'c' } })).toThrow(/disk\.controller: a controller holds LUNs of bus: scsi only/);
  });

  it('lets cmd_per_lun commands of a LUN reach the driver: the rest wait in the guest, and kblockd runs dispatch them', () => {
    // 4 jobs at QD64 on one LUN: 256 I/Os for a depth of 128 (cmd_per_lun's default).
    const obj = (disk: object = {}, costs: object = {}) => ({
      duration: '40ms', warmup: '5ms', versions: { qemu: '10.0' }, vm: { vcpus: 4 }, costs,
      disk: { device: 'optane', bus: 'scsi', 'num-queues': 4, handler: 'pool', iothreads: 4, ...disk },
      job: { rw: 'randread', bs: '4k', iodepth: 64, numjobs: 4 },
    });
    const capped = simulate(obj());
    expect(capped.vm.devices[0].maxAdmitted).toBeLessThanOrEqual(128);
    expect(capped.vm.budget.runs).toBeGreaterThan(0);
    // cmd_per_lun past the ring: the ring's 256 caps it, and every I/O fits.
    const open = simulate(obj({ cmd_per_lun: 1024 }));
    expect(open.vm.devices[0].maxAdmitted).toBeGreaterThan(128);
    expect(open.vm.budget.runs).toBe(0);
    expect(simulate(obj({ bus: 'virtio' })).vm.budget.limits(0)).toBe(false);
    // Each kblockd run is guest CPU: with the driver's own costs and the IPI at 0, the vCPUs' busy time
    // grows by about the runs' cost (the runs' timing moves the interrupts' batching a little).
    const bare = (run: string) => simulate({ ...obj({}, { guest_kblockd_run_ns: run, guest_scsi_ns: 0, ring_split_add_ns: 0, vmexit_ns: 0 }), warmup: '0ms' });
    const busy = (s: ReturnType<typeof simulate>) => s.host.vcpus.reduce((n, v) => n + v.acct.busyNs, 0) / s.result.ios;
    const dear = bare('20us');
    const perRun = ((busy(dear) - busy(bare('0ns'))) * dear.result.ios) / dear.vm.budget.runs;
    expect(perRun / 20_000).toBeGreaterThan(0.7);
    expect(perRun / 20_000).toBeLessThan(1.2);
    expect(() => scenario(obj({ bus: 'virtio', cmd_per_lun: 64 })))
      .toThrow(/disk\.cmd_per_lun: is a virtio-scsi controller's property: it applies only with bus: scsi/);
  });

  it('spreads a controller\'s queues over iothreads only since QEMU 10.0', () => {
    expect(() => scenario(disk('scsi', 'randread', { versions: { qemu: '9.2' } })))
      .toThrow(/disk\.handler: a virtio-scsi controller spreads its queues over iothreads \(iothread-vq-mapping\) only since QEMU 10\.0/);
    const one = scenario({ ...disk('scsi', 'randread', { versions: { qemu: '9.2' } }), disk: { bus: 'scsi', handler: 'dedicated' } });
    expect(new Set(one.points[0].config(0).vms[0].disks[0].vqContexts).size).toBe(1);
  });

  it('KubeVirt: scsi disks are LUNs of the controller, in the main loop unless one asks for a dedicated iothread', () => {
    const kv = (dedicated: boolean) => scenario({
      vm: { vcpus: 4 },
      kubevirt: { domain: { ioThreadsPolicy: 'shared', devices: { disks: [{ name: 'a', disk: { bus: 'scsi' }, dedicatedIOThread: dedicated }] } } },
    });
    const off = kv(false);
    expect(off.points[0].warnings).toEqual([]);
    expect(off.points[0].config(0).vms[0].disks[0]).toMatchObject({ bus: 'scsi', numQueues: 4, vqContexts: ['main-loop', 'main-loop', 'main-loop', 'main-loop'] });
    expect(kv(true).points[0].config(0).vms[0].disks[0].vqContexts[0]).toMatch(/^kubevirt-iothread/);
  });
});
