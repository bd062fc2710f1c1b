/**
 * The block layer's per-disk state that every request writes, from whichever AioContext runs it: the
 * in_flight counters of the BlockBackend and of each BlockDriverState (blk_inc_in_flight,
 * bdrv_inc_in_flight and their decrements in block/block-backend.c and block/io.c), the tracked-request
 * list under bs->reqs_lock (tracked_request_begin/end) and the statistics under stats->lock
 * (block_account_one_io in block/accounting.c). While one thread runs all of a disk's requests those
 * cache lines stay in its core's cache. With the disk's virtqueues spread over several iothreads
 * (iothread-vq-mapping, or virtio-scsi LUNs sharing a controller's queues), a line that another core
 * wrote since this one last did must come from that core first.
 *
 * Per disk this keeps the AioContext that last did block-layer work on it (a virtqueue round that sets
 * requests up, a completion batch) and counts those inside such work now. A context's first request
 * finds the lines where the last writer left them: its half of `block_state_ns` when that was another
 * context, however long ago (a coherence miss needs no overlap in time). Its further requests in the
 * same step pay that half with the chance b / (b + 1) that another context wrote the line in between,
 * b being the others inside when it entered (accesses interleaved at random).
 */
export class SharedBlockState {
  private readonly active: Int32Array;
  private readonly lastWriter: Int32Array;
  private readonly halfNs: Float64Array;

  /** `contexts[d]`: how many AioContexts serve disk d's queues; `stateNs[d]`: what its shared lines
   *  cost per request (block_state_ns, and the device type's own, as a virtio-scsi LUN's list). */
  constructor(private readonly contexts: readonly number[], stateNs: readonly number[]) {
    this.active = new Int32Array(contexts.length);
    this.lastWriter = new Int32Array(contexts.length).fill(-1);
    this.halfNs = Float64Array.from(stateNs, (x) => x / 2);
  }

  /** Whether more than one AioContext can touch disk d's state (else it is never contended). */
  isShared(disk: number): boolean {
    return this.contexts[disk] > 1 && this.halfNs[disk] > 0;
  }

  /** Context `ctx` begins block-layer work on disk d: what its first request costs extra (submission
   *  or completion side) for lines another context wrote last; `further` then holds what each of its
   *  other requests in this step costs. */
  enter(disk: number, ctx: number): number {
    const others = this.active[disk]++;
    const last = this.lastWriter[disk];
    this.lastWriter[disk] = ctx;
    this.further = others === 0 ? 0 : (this.halfNs[disk] * others) / (others + 1);
    return last >= 0 && last !== ctx ? this.halfNs[disk] : 0;
  }

  /** Set by enter: the cost of each further request of the step. */
  further = 0;

  leave(disk: number): void {
    this.active[disk]--;
  }
}
