import { IntFifo } from '../../engine/int-fifo.js';
import type { Costs } from '../costs.js';

type RingCosts = Pick<Costs, `ring_${'split' | 'packed'}_${'add' | 'pop' | 'push' | 'reap'}_ns`>;

/**
 * vring_need_event from the virtio spec / Linux include/uapi/linux/virtio_ring.h, in 16-bit ring
 * arithmetic: notify when the new index has just crossed the other side's event index.
 */
export function vringNeedEvent(event: number, newIdx: number, oldIdx: number): boolean {
  return ((newIdx - event - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
}

/**
 * One virtqueue: its ring indices and both directions of notification suppression. Indices are
 * free-running counters; comparisons use 16-bit ring arithmetic as the real rings do.
 *
 * Host side (QEMU hw/virtio/virtio.c): virtio_queue_set_notification(vq, enable) records the flag;
 * with EVENT_IDX a split ring writes avail_event only while notifications are enabled (on enable:
 * the current avail idx; on each pop: last_avail_idx), so a disabled queue's avail_event stays where
 * it was and the guest stops kicking once past it. A packed ring writes DISABLE into its device event
 * flags, or, on enable, asks for a notification at last_avail_idx.
 * Guest side (Linux drivers/virtio/virtio_ring.c): after an interrupt the driver reaps used entries,
 * moving used_event to last_used_idx as it goes; the device notifies only when it publishes the entry
 * at used_event (virtio_should_notify), so completions published while the guest is behind raise none.
 */
export class Virtqueue {
  /** Request ids on the avail ring, oldest first. */
  readonly avail = new IntFifo(64);
  /** Request ids on the used ring, oldest first. */
  readonly used = new IntFifo(64);
  /** Requests the guest kernel itself sends (blk-flush's next flush) waiting for a free descriptor. */
  readonly blkmqWait = new IntFifo(16);
  /** Requests whose fio thread sleeps in io_submit for a blk-mq tag (blk_mq_get_tag): the hardware
   *  queue's tags are its descriptors (virtio_blk sizes the tag set to the ring), all in use. */
  readonly tagWaiters = new IntFifo(16);

  availIdx = 0;
  lastAvailIdx = 0;
  usedIdx = 0;
  lastUsedIdx = 0;
  /** Descriptors owned by the device or not yet reclaimed by the driver. */
  inuse = 0;
  maxInuse = 0;

  /** Host: vq->notification. */
  notification = true;
  /** Host: avail_event (split) or the device event's off_wrap (packed). */
  availEvent = 0;
  /** Guest: used_event. */
  usedEvent = 0;
  /** Guest without EVENT_IDX: VRING_AVAIL_F_NO_INTERRUPT. */
  noInterrupt = false;
  /** Host: last used idx checked in virtio_should_notify, and whether it is valid yet. */
  signalledUsed = 0;
  signalledUsedValid = false;

  /** Per-request ring access costs of this queue's layout (split or packed), ns. */
  addNs = 0;
  popNs = 0;
  pushNs = 0;
  reapNs = 0;
  /** Set by the device type that owns the queue: its emulation's work per request on the handler's
   *  thread (parse and submit; complete), ns, and how many requests its handler pops before it hands
   *  them on. */
  handleNs = 0;
  completeNs = 0;
  maxPop = 1;
  /** The guest driver's work per request above blk-mq's (virtio-scsi: the SCSI midlayer), ns. */
  driverNs = 0;

  /** Its handler's place among its server's handlers. */
  handlerPos = 0;
  /** The ioeventfd has been signalled and not yet read by the handler. */
  kickPending = false;
  /** An interrupt is on its way to, or queued on, the owner vCPU. */
  irqPending = false;

  constructor(
    readonly index: number,
    readonly disk: number,
    readonly size: number,
    readonly packed: boolean,
    readonly eventIdx: boolean,
    /** vCPU whose MSI-X vector this queue's interrupt targets. */
    readonly ownerVcpu: number,
    /** Its server (AioContext, vhost worker, reactor): index in its world's server table. */
    readonly server: number,
  ) {}

  /** The ring access costs of the queue's layout. */
  setRingCosts(c: RingCosts): void {
    this.addNs = this.packed ? c.ring_packed_add_ns : c.ring_split_add_ns;
    this.popNs = this.packed ? c.ring_packed_pop_ns : c.ring_split_pop_ns;
    this.pushNs = this.packed ? c.ring_packed_push_ns : c.ring_split_push_ns;
    this.reapNs = this.packed ? c.ring_packed_reap_ns : c.ring_split_reap_ns;
  }

  get hasAvail(): boolean {
    return this.availIdx !== this.lastAvailIdx;
  }

  get hasUsed(): boolean {
    return this.usedIdx !== this.lastUsedIdx;
  }

  /** Driver: a descriptor is free for a new request. */
  get hasRoom(): boolean {
    return this.inuse < this.size;
  }

  /** Driver adds one request (virtqueue_add); the caller must have checked hasRoom. */
  driverAdd(req: number): void {
    this.reserve();
    this.addReserved(req);
  }

  /** A descriptor is taken for a request that will be added later (its blk-mq tag was granted to a
   *  sleeping thread that has yet to run); the caller must have checked hasRoom. */
  reserve(): void {
    if (++this.inuse > this.maxInuse) this.maxInuse = this.inuse;
  }

  /** Driver adds a request whose descriptor was reserved. */
  addReserved(req: number): void {
    this.avail.push(req);
    this.availIdx++;
  }

  /** The entry just added holds `n` descriptors more (a packet spread over several RX buffers), until
   *  the driver reaps it and calls release. */
  holdMore(n: number): void {
    this.inuse += n;
    if (this.inuse > this.maxInuse) this.maxInuse = this.inuse;
  }

  release(n: number): void {
    this.inuse -= n;
  }

  /** Driver: virtqueue_kick_prepare after adding numAdded requests: must it notify the device? A packed
   *  ring whose device event flags say DISABLE never needs a kick. */
  driverKickPrepare(numAdded: number): boolean {
    if (this.packed && !this.notification) return false;
    if (this.eventIdx) return vringNeedEvent(this.availEvent, this.availIdx, this.availIdx - numAdded);
    return this.notification;
  }

  /** Device pops the oldest available request (virtqueue_pop). */
  devicePop(): number {
    this.lastAvailIdx++;
    if (this.eventIdx && !this.packed && this.notification) this.availEvent = this.lastAvailIdx;
    return this.avail.shift();
  }

  /** Device: virtio_queue_set_notification. */
  setNotification(enable: boolean): void {
    this.notification = enable;
    if (this.packed) {
      if (enable) this.availEvent = this.lastAvailIdx;
    } else if (enable && this.eventIdx) {
      this.availEvent = this.availIdx;
    }
  }

  /** Device publishes one used element (virtqueue_push). */
  devicePush(req: number): void {
    this.used.push(req);
    this.usedIdx++;
  }

  /** Device: virtio_should_notify, checked once per coalesced batch of completions. */
  shouldNotify(): boolean {
    if (!this.eventIdx) return !this.noInterrupt;
    const valid = this.signalledUsedValid;
    const old = this.signalledUsed;
    this.signalledUsedValid = true;
    this.signalledUsed = this.usedIdx;
    return !valid || vringNeedEvent(this.usedEvent, this.usedIdx, old);
  }

  /** Driver, at the start of its interrupt handler: virtqueue_disable_cb. With EVENT_IDX the interrupt
   *  itself marked event_triggered and nothing is written. */
  driverDisableCb(): void {
    if (!this.eventIdx) this.noInterrupt = true;
  }

  /** Driver reaps one used element (virtqueue_get_buf): frees its descriptor and, while callbacks are
   *  enabled with EVENT_IDX, moves used_event to the next entry it expects. */
  driverReap(): number {
    this.lastUsedIdx++;
    this.inuse--;
    if (this.eventIdx) this.usedEvent = this.lastUsedIdx;
    return this.used.shift();
  }

  /** Driver: virtqueue_enable_cb_delayed: interrupt only once 3/4 of the buffers now outstanding are
   *  used (virtio_net's TX path with napi_tx). */
  driverEnableCbDelayed(): void {
    if (this.eventIdx) this.usedEvent = this.lastUsedIdx + (((this.availIdx - this.lastUsedIdx) * 3) >> 2);
    else this.noInterrupt = false;
  }

  /** Driver: virtqueue_enable_cb; true when nothing raced in (no need to loop again). */
  driverEnableCb(): boolean {
    if (this.eventIdx) this.usedEvent = this.lastUsedIdx;
    else this.noInterrupt = false;
    return !this.hasUsed;
  }
}
