import type { Virtqueue } from './virtqueue.js';

/** Whoever runs a virtqueue's device side: a QEMU AioContext, a vhost worker, a vhost-user target's
 *  reactor. The guest's driver tells it of the avail entries it published, and whether it kicked. */
export interface VqServer {
  onAvail(vq: Virtqueue, kick: boolean): void;
}
