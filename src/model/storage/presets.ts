import type { DeviceConfig } from './device.js';

/** max_sectors_kb of a typical NVMe namespace (MDTS-limited) and of null_blk's default queue: 128 KiB. */
const MAX_TRANSFER = 128 * 1024;

/**
 * Device presets (times in ns). Service-time shapes are lognormal fits to a datasheet's typical
 * latency and a p99 of the same class of drive. Parallelism is the units that read at once: for an
 * enterprise TLC drive its dies times their planes (a 3.84 TB drive of 512 Gb dies has 60 dies, with
 * overprovisioning 64, of 4 planes that newer NAND reads independently): 256. Spread at random over
 * them, the 256-512 commands a datasheet rates IOPS at keep some 160-250 busy, more than the rated
 * IOPS needs: the controller's limit (iopsCap) is the bound there, as on the real drive, while at low
 * depth requests still collide on units now and then.
 */
export const DEVICE_PRESETS: Record<string, Omit<DeviceConfig, 'name'>> = {
  /** Enterprise TLC NVMe (PCIe 4, e.g. Samsung PM1733 class): 4 KiB random read 80-100 us at QD1
   *  (MODEL.md section 1.6), ~1.5 M random-read IOPS and ~7 GB/s per datasheet; writes land in the
   *  DRAM/SLC cache (~20 us) and drain to flash at 3.8 GB/s (PM1733, Samsung's 2019 announcement:
   *  6.4-8.0 GB/s reads, 3.8 GB/s writes, 260 K random-write IOPS). That IOPS figure is a drive full
   *  of data, its garbage collection copying; on a drive with free blocks random writes drain about
   *  as fast as sequential ones (calibration row P10: 323 K random writes on its drive), so only the
   *  bandwidth is a default and `write_iops_cap` models a full drive.
   *  NVMe allows 1023 commands per queue; one queue's worth is modelled. */
  'nvme-tlc': {
    queueDepth: 1023,
    dispatch: 'die',
    parallelism: 256,
    read: { dist: 'lognormal', mean: 85_000, p99: 250_000 },
    write: { dist: 'lognormal', mean: 20_000, p99: 80_000 },
    iopsCap: 1_500_000,
    bwCap: 7_000e6,
    writeIopsCap: 0,
    writeBwCap: 3_800e6,
    maxTransfer: MAX_TRANSFER,
    driver: 'nvme',
  },
  /** PCIe 3.0 enterprise NVMe, Intel SSD DC P4610 class: 643 k random-read IOPS, 77 us typical read
   *  latency, 3.2 GB/s read and write (Intel datasheet, 3.2 TB). The "fast storage" of the KubeVirt
   *  calibration rows. */
  'nvme-gen3': {
    queueDepth: 1023,
    dispatch: 'die',
    parallelism: 256,
    read: { dist: 'lognormal', mean: 80_000, p99: 220_000 },
    write: { dist: 'lognormal', mean: 20_000, p99: 80_000 },
    iopsCap: 643_000,
    bwCap: 3_200e6,
    writeIopsCap: 0,
    writeBwCap: 3_200e6,
    maxTransfer: MAX_TRANSFER,
    driver: 'nvme',
  },
  /** PCIe 4.0 enterprise NVMe, Samsung PM9A3 class: 1.1 M random-read IOPS, 6.9 GB/s read and
   *  4.1 GB/s write (Samsung datasheet, 3.84 TB), ~80 us read latency. The "very fast storage" of the
   *  KubeVirt calibration rows. */
  'nvme-gen4': {
    queueDepth: 1023,
    dispatch: 'die',
    parallelism: 256,
    read: { dist: 'lognormal', mean: 80_000, p99: 220_000 },
    write: { dist: 'lognormal', mean: 20_000, p99: 80_000 },
    iopsCap: 1_100_000,
    bwCap: 6_900e6,
    writeIopsCap: 0,
    writeBwCap: 4_100e6,
    maxTransfer: MAX_TRANSFER,
    driver: 'nvme',
  },
  /** Intel Optane P4800X class: ~10 us 4 KiB read latency, 550 k random-read IOPS at QD16, 2.4 GB/s;
   *  writes 500 k IOPS and 2.0 GB/s, 3D XPoint writing in place with no garbage collection, so
   *  preconditioned or not (Intel datasheet, 375 GB; MODEL.md section 1.6 "Optane-class ~10 us").
   *  28 3D XPoint dies behind a 7-channel controller (375 GB model: 28 packages of one die,
   *  ComputerBase/AnandTech 2018); the controller, not the media, sets the IOPS limit. */
  optane: {
    queueDepth: 1023,
    dispatch: 'die',
    parallelism: 28,
    read: { dist: 'lognormal', mean: 10_000, p99: 14_000 },
    write: { dist: 'lognormal', mean: 11_000, p99: 16_000 },
    iopsCap: 550_000,
    bwCap: 2_400e6,
    writeIopsCap: 500_000,
    writeBwCap: 2_000e6,
    maxTransfer: MAX_TRANSFER,
    driver: 'nvme',
  },
  /** Linux null_blk with irqmode=0: completes at once (MODEL.md section 1.6 "null_blk ~0");
   *  hw_queue_depth 64 per submit queue, 16 queues. No media: with a timer (irqmode=2) each request
   *  completes after its own delay, whatever the others do. */
  null_blk: {
    queueDepth: 1024,
    dispatch: 'any',
    parallelism: 1024,
    read: { dist: 'constant', value: 0 },
    write: { dist: 'constant', value: 0 },
    iopsCap: 0,
    bwCap: 0,
    writeIopsCap: 0,
    writeBwCap: 0,
    maxTransfer: MAX_TRANSFER,
    driver: 'null_blk',
  },
};
