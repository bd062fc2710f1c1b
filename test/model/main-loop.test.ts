import { describe, expect, it } from 'vitest';
import { Host } from '../../src/model/host.js';
import type { VmResult } from '../../src/model/result.js';
import { scenario } from '../helpers.js';

/** One VM of a scenario object: its threads, fio's I/Os and the network's transactions and bytes. */
function vm(obj: object): VmResult {
  return new Host(scenario({ duration: '60ms', warmup: '10ms', ...obj }).points[0].config(0)).run().vms[0];
}
const busy = (v: VmResult, name: string) => v.threads.find((t) => t.name === name)!.busyNs;

describe('one QEMU main loop per VM, whichever devices use it', () => {
  const disk = { vm: { vcpus: 4 }, disk: { handler: 'main-loop' }, job: { rw: 'randread', iodepth: 8 } };
  const rr = { net: { mode: 'rr', flows: 4 }, peer: { target: 'host' } };

  it('a disk and a userspace NIC on the main loop: one main-loop thread in the VM\'s threads', () => {
    const both = vm({ ...disk, ...rr, nic: { queues: 2, mq: true, vhost: false } });
    expect(both.threads.map((t) => t.role).filter((r) => r === 'main-loop')).toEqual(['main-loop']);
    expect(both.threads.map((t) => t.name)).not.toContain('virtio-net');
    expect(both.blk!.ios).toBeGreaterThan(0);
    expect(both.net!.transactions).toBeGreaterThan(0);
  });

  it('the NIC\'s work takes the main loop\'s time from the disk: with vhost-net it does not', () => {
    const alone = vm(disk);
    const vhost = vm({ ...disk, ...rr, nic: { queues: 2, mq: true } });
    const qemu = vm({ ...disk, ...rr, nic: { queues: 2, mq: true, vhost: false } });
    // vhost-net's workers are threads of their own: the main loop spends on each I/O what it did alone.
    const perIo = (v: VmResult) => busy(v, 'main-loop') / v.blk!.ios;
    expect(perIo(vhost) / perIo(alone)).toBeGreaterThan(0.95);
    expect(perIo(vhost) / perIo(alone)).toBeLessThan(1.05);
    // In userspace the same thread runs both: more of its time per I/O, and the disk waits for it.
    expect(perIo(qemu)).toBeGreaterThan(1.2 * perIo(vhost));
    const lat = (v: VmResult) => v.blk!.latency.mean;
    expect(lat(qemu)).toBeGreaterThan(lat(vhost));
  });

  it('a NIC-only VM without vhost runs its queues on the main loop thread, the VM\'s only QEMU thread', () => {
    const v = vm({ vm: { vcpus: 2 }, nic: { queues: 2, mq: true, vhost: false }, ...rr });
    expect(v.threads.filter((t) => t.role !== 'vcpu').map((t) => t.name)).toEqual(['main-loop']);
    expect(busy(v, 'main-loop')).toBeGreaterThan(0);
  });

  it('a saturating stream does not starve the disk beside it: tap_send reads 50 packets and a TX flush sends 256 per loop iteration', () => {
    const stream = { net: { mode: 'stream', direction: 'both', flows: 8, msg_size: '64k', window: 8 }, peer: { line_rate_gbit: 100 } };
    const v = vm({ ...disk, ...stream, nic: { queues: 1, vhost: false } });
    expect(busy(v, 'main-loop') / 50e6).toBeGreaterThan(0.95);
    expect(v.blk!.ios).toBeGreaterThan(100);
    expect(v.net!.bytes).toBeGreaterThan(0);
  });
});
