import type { Costs } from '../costs.js';
import type { RequestTable } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import type { AioEngine } from './aio/engine.js';

/** A disk's bus, as libvirt's <target bus> names it: virtio (virtio-blk) or scsi (virtio-scsi). */
export type DiskBus = 'virtio' | 'scsi';

/** How a disk's popped requests become host I/Os (virtio-blk merges them; virtio-scsi does not). */
export interface RequestSubmitter {
  submit(popped: Int32Array, count: number, engine: AioEngine): void;
}

/**
 * A storage device type as QEMU emulates it on an AioContext, beside the guest driver's part of it:
 * what one of its virtqueues costs per request and per completion, how many requests its handler pops
 * before handing them on, and how the popped requests reach the aio engine. The device folders (blk/,
 * scsi/) each provide one; the assembly picks one per disk by its bus.
 */
export interface DiskEmulation {
  configure(vq: Virtqueue, c: Readonly<Costs>): void;
  /** What one request of it writes, beyond the block layer's state, that every AioContext serving the
   *  disk shares (qemu/block-state.ts): its cost when each line comes from another core, ns. */
  sharedStateNs(c: Readonly<Costs>): number;
  submitter(table: RequestTable, merging: boolean, maxTransfer: number): RequestSubmitter;
}
