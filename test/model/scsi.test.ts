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
