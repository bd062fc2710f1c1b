import type { GuestDriver, Vcpu } from '../host/vcpu.js';
import type { Flow, Packets, QueuePair } from './queue-pair.js';
import type { World } from '../world.js';

/** What the guest's virtio-net driver and its applications need from their world: the vCPUs, queue
 *  pairs and flows, the messages, and the application's side of a send and a delivery. */
export interface NetGuestOwner extends World {
  readonly vcpus: readonly Vcpu[];
  readonly pairs: readonly QueuePair[];
  readonly flows: readonly Flow[];
  readonly packets: Packets;
  /** The application writes the flow's next message: a new packet. */
  newMessage(f: Flow): number;
  /** The buffer p was taken in; returns the ACK the guest's TCP sends back for it, or -1. */
  deliver(p: number): number;
  /** A stream ACK (a packet of this kind): it costs the guest an ACK's work, not a receive's. */
  isAck(p: number): boolean;
  afterSend(f: Flow): void;
}

/**
 * The guest's virtio-net driver and the applications on its sockets, run on the vCPUs: an interrupt
 * is a NAPI poll of its queue pair; each send is one buffer through the TCP/IP stack and start_xmit,
 * and a kick exit when the ring asks for one.
 */
export class NetGuest implements GuestDriver {
  constructor(private readonly driver: number, private readonly vm: NetGuestOwner) {}

  raiseIrq(q: QueuePair): void {
    this.vm.vcpus[q.ownerVcpu].raiseIrq(this.driver, q.index);
  }

  queueSend(f: Flow): void {
    if (f.sendQueued) return;
    f.sendQueued = true;
    this.vm.vcpus[f.vcpu].queueTask(this.driver, f.index);
  }

  startIrq(v: Vcpu, src: number): void {
    const vm = this.vm, c = vm.costs;
    const q = vm.pairs[src];
    q.irqPending = false;
    q.rx.driverDisableCb();
    const n = q.rx.usedIdx - q.rx.lastUsedIdx;
    let cost = c.guest_irq_ns;
    for (let i = 0; i < n; i++) {
      const p = q.rx.used.at(i);
      // An ACK taken in; or data read, and for a TCP stream an ACK sent back from the softirq.
      const f = vm.flows[vm.packets.flow[p]];
      // (an ACK goes out every ackEvery messages: its cost spread over them)
      const stack = vm.isAck(p) ? c.net_guest_ack_ns : c.net_guest_rx_ns + (f.acked ? c.net_guest_ack_ns / f.ackEvery : 0);
      cost += q.rx.reapNs + stack + (vm.packets.bytes[p] / 1024) * c.net_copy_per_kib_ns;
    }
    v.run(q.index, n, cost);
  }

  startTask(v: Vcpu, task: number): void {
    const vm = this.vm, c = vm.costs;
    const f = vm.flows[task];
    f.sendQueued = false;
    const p = vm.newMessage(f);
    const ring = vm.pairs[f.txq].tx;
    v.run(f.index, p, ring.addNs + ring.reapNs + c.net_guest_tx_ns + (vm.packets.bytes[p] / 1024) * c.net_copy_per_kib_ns);
  }

  /** virtnet_poll: deliver what was on the RX used ring, reclaim TX buffers, restart a stopped queue. */
  endIrq(v: Vcpu, src: number, count: number): void {
    const vm = this.vm;
    const q = vm.pairs[src];
    for (let i = 0; i < count; i++) {
      const ack = vm.deliver(q.rx.driverReap());
      if (ack >= 0) this.transmit(v, vm.pairs[vm.flows[vm.packets.flow[ack]].txq], ack);
    }
    if (q.tap.size > 0) q.worker.onTapData(q); // RX buffers refilled: vhost can go on
    this.reclaimTx(v, q);
    if (!q.rx.driverEnableCb() && !q.irqPending) {
      q.irqPending = true;
      v.raiseIrq(this.driver, q.index);
    }
  }

  /** free_old_xmit_skbs, and the qdisc's backlog into the freed descriptors. */
  private reclaimTx(v: Vcpu, q: QueuePair): void {
    while (q.tx.hasUsed) q.tx.driverReap();
    let added = 0;
    while (q.qdisc.size > 0 && q.tx.hasRoom) {
      q.tx.driverAdd(q.qdisc.shift());
      added++;
    }
    q.txStopped = q.qdisc.size > 0;
    if (added > 0) this.afterAdd(v, q, added);
  }

  /** The send is written: start_xmit puts its buffer on the TX ring, or on the qdisc when full. */
  endTask(v: Vcpu, flow: number, p: number): void {
    const vm = this.vm;
    const f = vm.flows[flow];
    this.transmit(v, vm.pairs[f.txq], p);
    vm.afterSend(f);
  }

  /** start_xmit of the buffer p on queue pair q (a send, or an ACK from the receive path). */
  private transmit(v: Vcpu, q: QueuePair, p: number): void {
    this.reclaimTx(v, q);
    // start_xmit with napi_tx: after freeing old buffers, ask for an interrupt once 3/4 of the rest are used.
    if (q.napiTx) q.tx.driverEnableCbDelayed();
    if (q.tx.hasRoom && q.qdisc.size === 0) {
      q.tx.driverAdd(p);
      this.afterAdd(v, q, 1);
    } else {
      q.qdisc.push(p);
      q.txStopped = true;
    }
  }

  private afterAdd(v: Vcpu, q: QueuePair, added: number): void {
    const kick = q.tx.driverKickPrepare(added);
    q.worker.onTxAvail(q, kick);
    if (kick) v.kick(q.index);
  }
}
