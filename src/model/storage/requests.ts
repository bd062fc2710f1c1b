/** Where a request is; the stages of MODEL.md section 1, in order. Counted at the end of a run to
 *  prove conservation. */
export const enum Stage {
  Free = 0,
  /** Issued by fio, waiting in blk-mq for a free descriptor in the virtqueue. */
  GuestQueued,
  /** On the avail ring, not yet popped by the host. */
  Avail,
  /** Popped by the handler, waiting in the aio engine (plug section, thread pool queue). */
  HostQueued,
  /** Waiting in the host kernel for a device slot (tag). */
  HostWait,
  /** Admitted to the device (waiting for or in service). */
  Device,
  /** Completed by the device, not yet reaped by the AioContext. */
  HostDone,
  /** On the used ring, not yet reaped by the guest driver. */
  Used,
  /** Completed in the guest, not yet reaped by fio. */
  GuestDone,
}
export const STAGE_COUNT = 9;

/**
 * Request records pooled in typed arrays: a request is an index. Capacity is the sum of the jobs'
 * iodepths, since fio never has more than iodepth I/Os of a job in flight, plus room for the host's
 * own I/Os (the page cache's read-ahead and writeback), which have no job (job -1, vq -1).
 */
export class RequestTable {
  readonly job: Int32Array;
  readonly vq: Int32Array;
  /** The disk it is for (the device behind it): LUNs of one virtio-scsi controller share its queues. */
  readonly disk: Int32Array;
  readonly write: Uint8Array;
  /** A flush (fio's fsync: VIRTIO_BLK_T_FLUSH, SYNCHRONIZE CACHE): no data, neither read nor write. */
  readonly flush: Uint8Array;
  readonly stage: Uint8Array;
  readonly bytes: Float64Array;
  /** Byte offset on the disk; NaN for a random one (never adjacent to another). */
  readonly offset: Float64Array;
  /** Of a host I/O's head: the bytes of every request merged into it (MultiReqBuffer). */
  readonly hostBytes: Float64Array;
  /** The next request merged into the same host I/O, or -1. */
  readonly next: Int32Array;
  /** AioContext whose io_submit waits for this request's device slot, or -1. */
  readonly blocker: Int32Array;
  /** Time fio began issuing it (ns): the start of fio's lat. */
  readonly issued: Float64Array;
  /** Time its io_submit returned (ns): the end of fio's slat, the start of its clat. */
  readonly submitted: Float64Array;
  /** The device unit (die) that serves it. */
  readonly unit: Int32Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** Live guest requests, and live host I/Os of the page cache. */
  live = 0;
  internalLive = 0;

  constructor(readonly capacity: number) {
    this.job = new Int32Array(capacity);
    this.vq = new Int32Array(capacity);
    this.disk = new Int32Array(capacity);
    this.write = new Uint8Array(capacity);
    this.flush = new Uint8Array(capacity);
    this.stage = new Uint8Array(capacity);
    this.bytes = new Float64Array(capacity);
    this.offset = new Float64Array(capacity);
    this.hostBytes = new Float64Array(capacity);
    this.next = new Int32Array(capacity).fill(-1);
    this.blocker = new Int32Array(capacity).fill(-1);
    this.issued = new Float64Array(capacity);
    this.submitted = new Float64Array(capacity);
    this.unit = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeTop = capacity;
  }

  alloc(job: number, vq: number, write: boolean, now: number): number {
    if (this.freeTop === 0) throw new Error('request table exhausted: more I/Os in flight than the jobs\' iodepth');
    const r = this.free[--this.freeTop];
    this.next[r] = -1;
    this.offset[r] = NaN;
    this.job[r] = job;
    this.vq[r] = vq;
    this.write[r] = write ? 1 : 0;
    this.flush[r] = 0;
    this.issued[r] = now;
    this.stage[r] = Stage.GuestQueued;
    this.live++;
    return r;
  }

  /** A host I/O of the page cache's own, for `disk`'s device. */
  allocInternal(write: boolean, bytes: number, disk: number, now: number): number {
    const r = this.alloc(-1, -1, write, now);
    this.live--;
    this.internalLive++;
    this.disk[r] = disk;
    this.bytes[r] = this.hostBytes[r] = bytes;
    return r;
  }

  release(r: number): void {
    this.stage[r] = Stage.Free;
    this.free[this.freeTop++] = r;
    if (this.job[r] < 0) this.internalLive--;
    else this.live--;
  }

  /** Number of live guest requests in each stage (free slots under Free). */
  census(): number[] {
    const counts = new Array<number>(STAGE_COUNT).fill(0);
    for (let i = 0; i < this.capacity; i++) if (this.job[i] >= 0 || this.stage[i] === Stage.Free) counts[this.stage[i]]++;
    return counts;
  }
}
