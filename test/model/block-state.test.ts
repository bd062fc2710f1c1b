import { describe, expect, it } from 'vitest';
import { SharedBlockState } from '../../src/model/qemu/block-state.js';
import { iops, simulate } from '../helpers.js';

describe('shared block-layer state', () => {
  it('charges a first request half its cost when another context wrote the lines last, however long ago', () => {
    const bs = new SharedBlockState([1, 3], [1200, 1200]);
    expect(bs.isShared(0)).toBe(false);
    expect(bs.isShared(1)).toBe(true);
    expect(bs.enter(1, 0)).toBe(0); // nobody wrote them yet
    bs.leave(1);
    expect(bs.enter(1, 0)).toBe(0); // its own lines, still in its cache
    bs.leave(1);
    // Context 1 comes after context 0 has left: no overlap in time, yet the lines are on 0's core.
    expect(bs.enter(1, 1)).toBe(600);
    expect(bs.further).toBe(0);
    bs.leave(1);
    expect(new SharedBlockState([4], [0]).isShared(0)).toBe(false);
  });

  it('charges further requests of a step the share b / (b + 1) of half its cost with b others inside', () => {
    const bs = new SharedBlockState([3], [1200]);
    bs.enter(0, 0);
    expect(bs.enter(0, 1)).toBe(600);
    expect(bs.further).toBe(300);
    expect(bs.enter(0, 2)).toBe(600);
    expect(bs.further).toBeCloseTo(400);
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

  it('costs the lines at QD1 too, where the iothreads take turns rather than overlap', () => {
    // 2 jobs at QD1, one per iothread: they seldom work at once, yet each finds the state where the
    // other left it (counting only overlaps, the cost was nothing here).
    const qd1 = (ns?: number) => iops(simulate(base(
      [{ name: 'vda', device: 'fast', handler: 'pool', iothreads: 2 }],
      [{ name: 'j', disk: 'vda', iodepth: 1, numjobs: 2 }], ns)).result);
    expect(qd1() / qd1(0)).toBeLessThan(0.95);
  });

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
    expect(lun('scsi', 2) / lun('scsi', 1)).toBeLessThan(0.99 * (lun('scsi', 2, 0) / lun('scsi', 1, 0)));
  });
});

