/**
 * A hardware queue's flush machinery in the guest (Linux block/blk-flush.c, one blk_flush_queue per
 * hctx): one flush runs at a time; flushes issued meanwhile wait on the pending list, and the next
 * flush, sent when the running one completes, completes them all (blk_kick_flush's condition C1,
 * flush_end_io). An fsync's flush carries no data, so the data-in-flight condition (C2) never holds it.
 * The request that opens a flush is sent down as the flush; the others ride on it.
 */
export class FlushQueue {
  private pending: number[] = [];
  private riders: number[] = [];
  /** The flush on its way to the device, or -1. */
  running = -1;

  /** Flush r is issued: the flush to send now (r itself), or -1 when r waits for the running one. */
  add(r: number): number {
    this.pending.push(r);
    return this.running < 0 ? this.kick() : -1;
  }

  /** The running flush completed: the flushes it also completes, and the next flush to send (-1: none). */
  complete(): { riders: number[]; next: number } {
    const riders = this.riders;
    this.riders = [];
    this.running = -1;
    return { riders, next: this.pending.length > 0 ? this.kick() : -1 };
  }

  private kick(): number {
    const [first, ...rest] = this.pending;
    this.pending = [];
    this.riders = rest;
    this.running = first;
    return first;
  }
}
