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
 * Per disk this counts the AioContexts inside block-layer work on it (a virtqueue round that sets
 * requests up, a completion batch). A context that enters while b others are inside finds each line
 * elsewhere with the chance b / (b + 1) that the line's last writer was one of them (accesses
 * interleaved at random), and pays that share of its half of `block_state_ns` per request.
 */
export class SharedBlockState {
  private readonly active: Int32Array;
  private readonly halfNs: Float64Array;

  /** `contexts[d]`: how many AioContexts serve disk d's queues; `stateNs[d]`: what its shared lines
   *  cost per request (block_state_ns, and the device type's own, as a virtio-scsi LUN's list). */
  constructor(private readonly contexts: readonly number[], stateNs: readonly number[]) {
    this.active = new Int32Array(contexts.length);
    this.halfNs = Float64Array.from(stateNs, (x) => x / 2);
  }

  /** Whether more than one AioContext can touch disk d's state (else it is never contended). */
  isShared(disk: number): boolean {
    return this.contexts[disk] > 1 && this.halfNs[disk] > 0;
  }

  /** A context begins block-layer work on disk d: its extra cost per request (submission or
   *  completion side) for the lines the others hold. */
  enter(disk: number): number {
    const others = this.active[disk]++;
    return others === 0 ? 0 : (this.halfNs[disk] * others) / (others + 1);
  }

  leave(disk: number): void {
    this.active[disk]--;
  }
}
