import { IntFifo } from '../../engine/int-fifo.js';

/**
 * blk-mq's dispatch budget (.get_budget / .put_budget), which the guest's SCSI midlayer implements per
 * LUN: at most the scsi_device's queue_depth commands reach the driver at once, whatever hardware
 * queue they go through (scsi_mq_get_budget, drivers/scsi/scsi_lib.c). virtio_scsi sets that depth
 * to the controller's cmd_per_lun capped by the ring (virtscsi_probe: min(cmd_per_lun, can_queue)).
 * A request that finds no budget keeps its tag and waits in its hardware queue (blk_mq_insert_request:
 * its io_submit returns), and the failure marks the LUN for a restart (sdev->restarts). The next
 * request the LUN completes runs every hardware queue of the LUN that holds waiting requests
 * (scsi_end_request -> scsi_run_queue_async -> blk_mq_run_hw_queues(q, async)): each run is a kblockd
 * work item on the queue's CPU, which dispatches what budget there is and, finding none for the rest,
 * marks the restart again. Disks without a budget (virtio-blk) have depth 0.
 */
export class DispatchBudget {
  /** Per disk: commands the driver holds, and whether a failed dispatch waits for a restart. */
  readonly busy: Int32Array;
  /** Grants past a LUN's depth (the law: none). */
  overruns = 0;
  private readonly restart: Uint8Array;
  /** Per request: it holds its LUN's budget. */
  private readonly held: Uint8Array;
  /** A (disk, virtqueue) pair's hardware queue, by slot: its waiting requests, and the vCPU that
   *  queued its kblockd run (-1: none queued). */
  private readonly slotOf = new Map<number, number>();
  private readonly waiting: IntFifo[] = [];
  private readonly slotDisk: number[] = [];
  readonly slotVq: number[] = [];
  private readonly queuedBy: number[] = [];
  /** Per disk, its slots. */
  private readonly slotsOfDisk: number[][];
  /** kblockd runs started (tests read it). */
  runs = 0;
  /** What release returns, reused (the event loop allocates nothing per completion). */
  private readonly toRun: number[] = [];

  constructor(readonly depth: Int32Array, private readonly vqCount: number, requests: number) {
    this.busy = new Int32Array(depth.length);
    this.restart = new Uint8Array(depth.length);
    this.held = new Uint8Array(requests);
    this.slotsOfDisk = Array.from({ length: depth.length }, () => []);
  }

  limits(disk: number): boolean {
    return this.depth[disk] > 0;
  }

  /** Request r of `disk`, holding a tag of queue vq, asks for budget (blk_mq_get_budget_and_tag):
   *  true when it may go to the driver now; else it waits in its hardware queue, behind any before
   *  it there. */
  take(disk: number, vq: number, r: number): boolean {
    const slot = this.slotOf.get(disk * this.vqCount + vq);
    if ((slot === undefined || this.waiting[slot].size === 0) && this.busy[disk] < this.depth[disk]) {
      this.grant(disk, r);
      return true;
    }
    this.waiting[slot ?? this.addSlot(disk, vq)].push(r);
    if (this.busy[disk] >= this.depth[disk]) this.restart[disk] = 1;
    return false;
  }

  /** Dispatches the queue's waiting requests while budget lasts, into `out` (the submitter's own
   *  queue run, blk_mq_run_hw_queue, or a kblockd run); what is left marks the restart. */
  dispatch(slot: number, out: IntFifo): number {
    const disk = this.slotDisk[slot], q = this.waiting[slot];
    let n = 0;
    while (q.size > 0 && this.busy[disk] < this.depth[disk]) {
      const r = q.shift();
      this.grant(disk, r);
      out.push(r);
      n++;
    }
    if (q.size > 0) this.restart[disk] = 1;
    return n;
  }

  /** The slot of disk's requests on queue vq, if any wait there. */
  waitingSlot(disk: number, vq: number): number {
    const slot = this.slotOf.get(disk * this.vqCount + vq);
    return slot !== undefined && this.waiting[slot].size > 0 ? slot : -1;
  }

  /** The guest completed r: its budget returns (scsi_device_unbusy). When a dispatch failed since
   *  the last restart, returns the LUN's hardware queues to run (those with requests waiting), each
   *  once while its run is queued (mod_delayed_work), recording vCPU `by` as the one that queued it.
   *  The list is valid until the next release. */
  release(r: number, disk: number, by: number): readonly number[] {
    if (this.held[r] === 0) return NONE;
    this.held[r] = 0;
    this.busy[disk]--;
    if (this.restart[disk] === 0) return NONE;
    this.restart[disk] = 0;
    const runs = this.toRun;
    runs.length = 0;
    for (const slot of this.slotsOfDisk[disk]) {
      if (this.waiting[slot].size === 0 || this.queuedBy[slot] >= 0) continue;
      this.queuedBy[slot] = by;
      runs.push(slot);
    }
    return runs;
  }

  /** A queued kblockd run starts: the vCPU that queued it. */
  startRun(slot: number): number {
    const by = this.queuedBy[slot];
    this.queuedBy[slot] = -1;
    this.runs++;
    return by;
  }

  private grant(disk: number, r: number): void {
    this.held[r] = 1;
    if (++this.busy[disk] > this.depth[disk]) this.overruns++;
  }

  private addSlot(disk: number, vq: number): number {
    const slot = this.waiting.length;
    this.slotOf.set(disk * this.vqCount + vq, slot);
    this.waiting.push(new IntFifo(16));
    this.slotDisk.push(disk);
    this.slotVq.push(vq);
    this.queuedBy.push(-1);
    this.slotsOfDisk[disk].push(slot);
    return slot;
  }
}

const NONE: readonly number[] = [];
