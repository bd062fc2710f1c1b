import type { BlkSetup } from './setup.js';

/**
 * The chance a random read finds its pages in the host's page cache, in steady state: the cache's
 * share of the working sets of every disk it holds (a disk's: the largest fio size among its random
 * jobs, which share the disk's region; none given, the whole disk, larger than any cache).
 */
export function randomHitRatio(s: BlkSetup): number {
  let working = 0;
  for (const vm of s.vms) {
    vm.disks.forEach((d, i) => {
      if (d.cache === 'none' || d.cache === 'directsync') return;
      const random = vm.jobs.filter((j) => j.disk === i && j.rw !== 'read' && j.rw !== 'write' && j.rw !== 'rw');
      working += random.some((j) => j.sizeBytes === 0) ? Infinity : Math.max(0, ...random.map((j) => j.sizeBytes));
    });
  }
  return working === 0 ? 1 : Math.min(1, s.pageCache.sizeBytes / working);
}

/** Room in the request table for the page cache's own I/Os: writeback up to each device's queue depth,
 *  and per sequential reader the read-ahead windows its reads in flight may need, one ahead. */
export function pageCacheSlots(s: BlkSetup): number {
  let slots = s.devices.reduce((n, d) => n + d.queueDepth, 0);
  for (const vm of s.vms) {
    for (const j of vm.jobs) {
      const largest = Math.max(j.bs, ...j.bssplit.map((e) => e.bytes));
      slots += j.numjobs * (j.iodepth * (Math.ceil(largest / s.pageCache.readAheadBytes) + 1) + 1);
    }
  }
  return slots;
}
