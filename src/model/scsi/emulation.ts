import type { Costs } from '../costs.js';
import type { AioEngine } from '../qemu/aio/engine.js';
import type { DiskEmulation } from '../qemu/disk-emulation.js';
import type { RequestTable } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';

/**
 * A LUN on a virtio-scsi controller (hw/scsi/virtio-scsi.c, scsi-disk.c). virtio_scsi_handle_cmd_vq
 * pops every request on the ring first (virtio_scsi_handle_cmd_req_prepare: scsi_req_new parses the
 * CDB and finds the LUN), then submits them one by one (scsi_req_enqueue -> scsi_disk_dma_command ->
 * blk_aio_preadv): no MultiReqBuffer, no merging. Each command costs the SCSI emulation on top of
 * the block request work virtio-blk also does (scsi_request_ns), and the guest's SCSI midlayer on top of
 * blk-mq (guest_scsi_ns: scsi_queue_rq, sd_init_command, virtscsi_queuecommand, scsi_done).
 */
export const VIRTIO_SCSI: DiskEmulation = {
  // The SCSIDevice's request list under its requests_lock, which every iothread serving the LUN takes.
  sharedStateNs: (c) => c.scsi_requests_ns,
  configure(vq: Virtqueue, c: Readonly<Costs>): void {
    vq.handleNs = c.blk_request_ns + c.scsi_request_ns;
    vq.completeNs = c.blk_complete_ns;
    vq.maxPop = vq.size;
    vq.driverNs = c.guest_scsi_ns;
  },
  submitter: (table: RequestTable) => ({
    submit(popped: Int32Array, count: number, engine: AioEngine): void {
      for (let i = 0; i < count; i++) {
        const r = popped[i];
        table.hostBytes[r] = table.bytes[r];
        engine.queue(r);
      }
    },
  }),
};
