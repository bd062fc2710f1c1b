import type { Costs } from '../costs.js';
import type { BackendOwner, DiskBackend } from '../storage/backend-server.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import { VhostUserReactor } from './reactor.js';

/** vhost-user-blk (-device vhost-user-blk-pci): the guest's virtio-blk driver, the data path in a
 *  polling user-space target (SPDK). */
export const VHOST_USER_BLK: DiskBackend = {
  configure(vq: Virtqueue, c: Readonly<Costs>): void {
    vq.handleNs = c.spdk_blk_request_ns;
    vq.completeNs = c.spdk_blk_complete_ns;
  },
  server: (index: number, name: string, owner: BackendOwner) => new VhostUserReactor(index, name, 'reactor', owner),
};
