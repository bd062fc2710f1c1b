/** QEMU's -drive cache= modes. */
export type CacheMode = 'none' | 'directsync' | 'writethrough' | 'writeback' | 'unsafe';
/** cache.direct (O_DIRECT: no host page cache) per mode (QEMU block.c bdrv_parse_cache_mode). */
export const CACHE_DIRECT: Readonly<Record<CacheMode, boolean>> = { none: true, directsync: true, writethrough: false, writeback: false, unsafe: false };
/** cache.writeback per mode: on, the guest sees a volatile write cache (virtio-blk VIRTIO_BLK_F_FLUSH
 *  with WCE, scsi-disk's WCE bit) and sends flushes; off, QEMU completes a write only after flushing it
 *  (FUA emulated by bdrv_co_flush) and the guest's fsync sends nothing (QEMU block.c bdrv_parse_cache_mode,
 *  Linux blk-flush.c: no write cache, no flush). */
export const GUEST_WRITE_CACHE: Readonly<Record<CacheMode, boolean>> = { none: true, directsync: false, writethrough: false, writeback: true, unsafe: true };

/** The host's page cache (Linux mm): its size and the vm.dirty_* and read-ahead settings. */
export interface PageCacheParams {
  sizeBytes: number;
  /** vm.dirty_ratio and vm.dirty_background_ratio, % of the cache. */
  dirtyRatio: number;
  dirtyBackgroundRatio: number;
  /** The block device's read_ahead_kb, bytes. */
  readAheadBytes: number;
}
