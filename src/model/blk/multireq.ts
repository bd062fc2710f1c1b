import type { AioEngine } from '../qemu/aio/engine.js';
import { Stage, type RequestTable } from '../storage/requests.js';

/** virtio_blk_handle_vq hands its MultiReqBuffer to the block layer every 32 requests
 *  (hw/block/virtio-blk.c VIRTIO_BLK_MAX_MERGE_REQS). */
export const VIRTIO_BLK_MAX_MERGE_REQS = 32;

/** Linux IOV_MAX: iovecs per preadv/pwritev, QEMU's blk_get_max_iov for a host file or device. */
export const IOV_MAX = 1024;

/**
 * virtio_blk_submit_multireq (hw/block/virtio-blk.c): a MultiReqBuffer holds requests of one
 * direction (it is flushed when the direction changes); with request-merging on, they are sorted by
 * sector and each run of adjacent ones, up to the device's max transfer size and IOV_MAX iovecs,
 * becomes one host I/O. The head of each host I/O goes to the engine; the other members hang off it
 * (RequestTable.next) and complete with it. Random offsets are NaN: never adjacent, kept in ring order.
 */
export class MultiReqBuffer {
  private readonly reqs: number[] = [];
  private sequential = false;
  private readonly bySector = (a: number, b: number): number => {
    const oa = this.table.offset[a], ob = this.table.offset[b];
    if (oa !== oa || ob !== ob) return oa !== oa ? (ob !== ob ? 0 : 1) : -1;
    return oa - ob;
  };

  constructor(private readonly table: RequestTable, private readonly merging: boolean, private readonly maxTransfer: number) {}

  /** Hands the popped requests (in ring order) to the engine as host I/Os. */
  submit(popped: Int32Array, count: number, engine: AioEngine): void {
    const t = this.table;
    for (let i = 0; i < count; i++) {
      const r = popped[i];
      t.hostBytes[r] = t.bytes[r];
      if (t.flush[r]) {
        // virtio_blk_handle_flush: what the buffer holds goes first, then the flush on its own.
        this.flush(engine);
        engine.queue(r);
        continue;
      }
      if (this.reqs.length > 0 && t.write[this.reqs[0]] !== t.write[r]) this.flush(engine);
      this.reqs.push(r);
      if (t.offset[r] === t.offset[r]) this.sequential = true;
    }
    this.flush(engine);
  }

  private flush(engine: AioEngine): void {
    const t = this.table, reqs = this.reqs;
    if (reqs.length === 0) return;
    if (!this.merging || !this.sequential || reqs.length === 1) {
      for (const r of reqs) engine.queue(r);
    } else {
      reqs.sort(this.bySector);
      let head = reqs[0], tail = head, iovs = 1;
      for (let i = 1; i < reqs.length; i++) {
        const r = reqs[i];
        if (t.offset[head] + t.hostBytes[head] === t.offset[r] && iovs < IOV_MAX && t.hostBytes[head] + t.bytes[r] <= this.maxTransfer) {
          t.next[tail] = r;
          t.stage[r] = Stage.HostQueued;
          tail = r;
          t.hostBytes[head] += t.bytes[r];
          iovs++;
        } else {
          engine.queue(head);
          head = tail = r;
          iovs = 1;
        }
      }
      engine.queue(head);
    }
    reqs.length = 0;
    this.sequential = false;
  }
}
