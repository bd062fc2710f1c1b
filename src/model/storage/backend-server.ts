import { IntFifo } from '../../engine/int-fifo.js';
import type { Costs } from '../costs.js';
import { CpuAccount } from '../host/cpu-account.js';
import { HostThread } from '../host/host-cpu.js';
import { Ev } from '../events.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import type { VqServer } from '../virtio/vq-server.js';
import type { World } from '../world.js';
import type { BlockTarget } from './page-cache.js';
import { Stage, type RequestTable } from './requests.js';
import type { ThreadRole } from '../host/roles.js';

/** What a server outside QEMU needs from its world: the requests and queues, each request's device,
 *  and the way to interrupt the guest. */
export interface BackendOwner extends World {
  readonly requests: RequestTable;
  readonly vqs: readonly Virtqueue[];
  deviceOf(r: number): BlockTarget;
  /** The CPU request r's device driver takes on the CPU that submitted it (hostDriverNs). */
  hostDriverNs(r: number): number;
  sendIrq(vq: Virtqueue): void;
}

/**
 * A server of virtqueues outside QEMU's AioContexts: a kernel vhost worker (vhost-scsi) or a
 * vhost-user target's reactor (vhost-user-blk). It pops the guest's requests and hands each to its
 * device without QEMU's block layer or a syscall of QEMU's in between, pushes the used elements of
 * completed ones, and signals a queue through its irqfd when the ring asks for it (vhost_signal and
 * rte_vhost_vring_call both check EVENT_IDX's used_event), once per queue per batch.
 */
export abstract class BackendServer extends HostThread implements VqServer {
  readonly vqs: Virtqueue[] = [];
  /** Devices its queues' requests go to: a reactor polls one NVMe queue pair per device. */
  readonly devices = new Set<number>();
  /** Positions of queues with used elements not yet checked for a signal, and those to signal. */
  private readonly touched = new IntFifo(8);
  private touchedFlag = new Uint8Array(8);
  private readonly sending = new IntFifo(8);

  constructor(readonly index: number, name: string, role: ThreadRole, protected readonly owner: BackendOwner) {
    super(new CpuAccount(name, role), owner.sim, Ev.BackendStepDone, index);
  }

  protected get costs(): Readonly<Costs> {
    return this.owner.costs;
  }

  addVq(vq: Virtqueue, device: number): void {
    vq.handlerPos = this.vqs.length;
    this.vqs.push(vq);
    this.devices.add(device);
    if (this.touchedFlag.length < this.vqs.length) this.touchedFlag = new Uint8Array(2 * this.vqs.length);
  }

  abstract onAvail(vq: Virtqueue, kick: boolean): void;
  /** The device finished request r. */
  abstract onDeviceDone(r: number): void;
  abstract onStepDone(): void;
  abstract onWake(): void;
  /** A timer of its own (BackendTimer) with its argument. */
  abstract onTimer(arg: number): void;
  /** The run begins. */
  start(): void {}

  /** Request r goes to its device; the excess over its queue depth waits in the host's queue. */
  protected submit(r: number): void {
    const req = this.owner.requests;
    req.hostBytes[r] = req.bytes[r];
    this.owner.deviceOf(r).submit(r);
  }

  protected popTo(vq: Virtqueue, n: number, out: IntFifo): void {
    const req = this.owner.requests;
    for (let i = 0; i < n; i++) {
      const r = vq.devicePop();
      req.stage[r] = Stage.HostQueued;
      out.push(r);
    }
  }

  /** Publishes request r's used element; its queue is checked for a signal at the next signalsDue. */
  protected pushUsed(r: number): void {
    const req = this.owner.requests;
    const vq = this.owner.vqs[req.vq[r]];
    vq.devicePush(r);
    req.stage[r] = Stage.Used;
    if (!this.touchedFlag[vq.handlerPos]) {
      this.touchedFlag[vq.handlerPos] = 1;
      this.touched.push(vq.handlerPos);
    }
  }

  /** How many touched queues want an interrupt (their irqfd writes are the caller's to cost); they
   *  are sent by sendSignals. */
  protected signalsDue(): number {
    while (this.touched.size > 0) {
      const pos = this.touched.shift();
      this.touchedFlag[pos] = 0;
      if (this.vqs[pos].shouldNotify()) this.sending.push(pos);
    }
    return this.sending.size;
  }

  protected sendSignals(): void {
    while (this.sending.size > 0) this.owner.sendIrq(this.vqs[this.sending.shift()]);
  }
}

/** A device type served outside QEMU: its per-request costs on a queue (handleNs when popped,
 *  completeNs when completed, the guest driver's driverNs) and the thread that serves its queues. */
export interface DiskBackend {
  configure(vq: Virtqueue, c: Readonly<Costs>): void;
  server(index: number, name: string, owner: BackendOwner): BackendServer;
}
