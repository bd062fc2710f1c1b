import { describe, expect, it } from 'vitest';
import { SharedBlockState } from '../../src/model/qemu/block-state.js';
import { iops, simulate } from '../helpers.js';

describe('shared block-layer state', () => {
  it('costs nothing alone, and the share b / (b + 1) of half its cost with b others inside', () => {
    const bs = new SharedBlockState([1, 3], [1200, 1200]);
    expect(bs.isShared(0)).toBe(false);
    expect(bs.isShared(1)).toBe(true);
    expect(bs.enter(1)).toBe(0);
    expect(bs.enter(1)).toBe(300);
    expect(bs.enter(1)).toBeCloseTo(400);
    bs.leave(1);
    bs.leave(1);
    expect(bs.enter(1)).toBe(300);
    expect(new SharedBlockState([4], [0]).isShared(0)).toBe(false);
  });

  // 8 jobs at QD64 on a device that never bounds: the iothreads are the bound.
  const base = (disks: object[], jobs: object[], blockStateNs?: number) => ({
    duration: '20ms', warmup: '4ms', vm: { vcpus: 8 }, exact_costs: true,
    ...(blockStateNs === undefined ? {} : { costs: { block_state_ns: blockStateNs } }),
    devices: { fast: { preset: 'null_blk' } },
    disks, jobs,
  });
  const oneDisk = (iothreads: number, ns?: number) => iops(simulate(base(
    [{ name: 'vda', device: 'fast', handler: 'pool', iothreads }],
    [{ name: 'j', disk: 'vda', iodepth: 64, numjobs: 8 }], ns)).result);

  it('makes a second iothread on one disk gain less than twice, as its cache lines move between cores', () => {
    const gain = oneDisk(2) / oneDisk(1);
    expect(gain).toBeLessThan(1.85);
    expect(gain).toBeGreaterThan(1.5);
    // Without the cost the two iothreads scale as two servers do.
    expect(oneDisk(2, 0) / oneDisk(1, 0)).toBeGreaterThan(1.95);
  });

  it('leaves two disks on two iothreads of their own uncontended', () => {
    const twoDisks = (ns?: number) => iops(simulate(base(
      [{ name: 'vda', device: 'fast', handler: 'dedicated' }, { name: 'vdb', device: 'fast', handler: 'dedicated' }],
      [{ name: 'a', disk: 'vda', iodepth: 64, numjobs: 4 }, { name: 'b', disk: 'vdb', iodepth: 64, numjobs: 4 }], ns)).result);
    expect(twoDisks() / twoDisks(0)).toBeCloseTo(1, 3);
  });

  it('costs a virtio-scsi LUN its request list too (requests_lock, QEMU 10.0) when its queues are spread', () => {
    // 8 jobs at QD16: the LUN's 128 commands fit its guest budget (cmd_per_lun), which QD64 would hit.
    const lun = (bus: string, iothreads: number, scsiNs?: number) => iops(simulate({
      ...base([{ name: 'sda', device: 'fast', bus, handler: 'pool', iothreads }], [{ name: 'j', disk: 'sda', iodepth: 16, numjobs: 8 }]),
      versions: { qemu: '10.0' }, ...(scsiNs === undefined ? {} : { costs: { scsi_requests_ns: scsiNs } }),
    }).result);
    // With one iothread the list stays in its cache: the cost changes nothing.
    expect(lun('scsi', 1)).toBe(lun('scsi', 1, 0));
    // With two, a LUN gains less than it would without the list's lines moving.
    expect(lun('scsi', 2) / lun('scsi', 1)).toBeLessThan(0.97 * (lun('scsi', 2, 0) / lun('scsi', 1, 0)));
  });
});

