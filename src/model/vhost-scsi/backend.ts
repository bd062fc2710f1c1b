import type { Costs } from '../costs.js';
import type { BackendOwner, DiskBackend } from '../storage/backend-server.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import { VhostScsiWorker } from './worker.js';

/** vhost-scsi (-device vhost-scsi-pci): the guest's virtio-scsi driver, the data path in the kernel. */
export const VHOST_SCSI: DiskBackend = {
  configure(vq: Virtqueue, c: Readonly<Costs>): void {
    vq.handleNs = c.vhost_scsi_cmd_ns;
    vq.completeNs = c.vhost_scsi_complete_ns;
    vq.driverNs = c.guest_scsi_ns;
  },
  server: (index: number, name: string, owner: BackendOwner) => new VhostScsiWorker(index, name, 'vhost-scsi', owner),
};
