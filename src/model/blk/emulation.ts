import type { Costs } from '../costs.js';
import type { DiskEmulation } from '../qemu/disk-emulation.js';
import type { RequestTable } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import { MultiReqBuffer, VIRTIO_BLK_MAX_MERGE_REQS } from './multireq.js';

/** virtio-blk (hw/block/virtio-blk.c): virtio_blk_handle_request per request, its MultiReqBuffer
 *  handed on every 32 requests and merged by sector. */
export const VIRTIO_BLK: DiskEmulation = {
  // Nothing beyond the block layer's own state.
  sharedStateNs: () => 0,
  configure(vq: Virtqueue, c: Readonly<Costs>): void {
    vq.handleNs = c.blk_request_ns;
    vq.completeNs = c.blk_complete_ns;
    vq.maxPop = VIRTIO_BLK_MAX_MERGE_REQS;
  },
  submitter: (table: RequestTable, merging: boolean, maxTransfer: number) => new MultiReqBuffer(table, merging, maxTransfer),
};
