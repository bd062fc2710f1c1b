import type { GuestDriver, Vcpu } from '../host/vcpu.js';
import { ADVMSS, MAX_BUFFER, rxBuffers } from './config.js';
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
  /** The application writes the flow's next message into the skb p still being filled. */
  appendMessage(f: Flow, p: number): void;
  msgBytes(f: Flow): number;
  /** The buffer p was taken in; returns the ACK the guest's TCP sends back for it, or -1. */
  deliver(p: number): number;
  /** A stream ACK (a packet of this kind): it costs the guest an ACK's work, not a receive's. */
  isAck(p: number): boolean;
  afterSend(f: Flow): void;
}

/** A flow's tasks: the application's next write; tcp_write_xmit of the held skb outside a write (the
 *  TSQ handler after a free, or tcp_data_snd_check on an ACK). */
const TASK_SEND = 0, TASK_PUSH = 1;
/** What tcp_push does with the skb a write leaves at the write queue's tail. */
const SEND = 0, AUTOCORK = 1, NAGLE = 2;

/**
 * The guest's virtio-net driver and the applications on its sockets, run on the vCPUs: an interrupt
 * is a NAPI poll of its queue pair; each write is a sendmsg, and each skb one buffer through the TCP/IP
 * stack and start_xmit, with a kick exit when the ring asks for one. A TCP stream's writes fill one skb
 * (tcp_sendmsg appends to the write queue's tail) that autocorking holds while the socket's earlier
 * skbs are not yet freed (net/ipv4/tcp.c tcp_should_autocork) and Nagle while it is smaller than an MSS
 * and an earlier small segment is unacknowledged (tcp_output.c tcp_nagle_check, Minshall's variant), so
 * small writes go out coalesced.
 */
export class NetGuest implements GuestDriver {
  constructor(private readonly driver: number, private readonly vm: NetGuestOwner) {}

  raiseIrq(q: QueuePair): void {
    this.vm.vcpus[q.ownerVcpu].raiseIrq(this.driver, q.index);
  }

  queueSend(f: Flow): void {
    if (f.sendQueued) return;
    f.sendQueued = true;
    this.vm.vcpus[f.vcpu].queueTask(this.driver, f.index * 2 + TASK_SEND);
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
      const bytes = vm.packets.bytes[p];
      cost += q.rx.reapNs + stack + (bytes / 1024) * c.net_copy_per_kib_ns + (rxBuffers(bytes) - 1) * c.net_guest_rx_buf_ns;
    }
    v.run(q.index, n, cost);
  }

  /** A write (sendmsg: the syscall, the copy into the socket's skb) and, unless TCP holds it, the
   *  skb's transmission (tcp_write_xmit, IP, start_xmit); or a push of the held skb. */
  startTask(v: Vcpu, task: number): boolean {
    const vm = this.vm, c = vm.costs;
    const f = vm.flows[task >> 1];
    const ring = vm.pairs[f.txq].tx;
    const xmit = ring.addNs + ring.reapNs + c.net_guest_tx_ns;
    if ((task & 1) === TASK_PUSH) {
      v.run(task, 0, xmit);
      return true;
    }
    f.sendQueued = false;
    const write = c.net_guest_sendmsg_ns + (vm.msgBytes(f) / 1024) * c.net_copy_per_kib_ns;
    if (!f.coalesces) {
      v.run(task, vm.newMessage(f), write + xmit);
      return true;
    }
    const full = this.corkFull(f);
    const verdict = this.pushVerdict(f, full);
    v.run(task, verdict, write + (full ? xmit : 0) + (verdict === SEND ? xmit : 0));
    return true;
  }

  /** The skb being filled has no room for another message: tcp_sendmsg pushes it and starts one. */
  private corkFull(f: Flow): boolean {
    return f.cork >= 0 && this.vm.packets.bytes[f.cork] + this.vm.msgBytes(f) > MAX_BUFFER;
  }

  /** tcp_push for the skb this write leaves at the tail (a full one having gone out first): autocork
   *  (smaller than size_goal, sent data unacknowledged, skbs of the socket still in the qdisc or the
   *  device), else Nagle, else send. */
  private pushVerdict(f: Flow, full: boolean): number {
    const filling = f.cork >= 0 && !full ? this.vm.packets.msgs[f.cork] : 0;
    const len = (filling > 0 ? this.vm.packets.bytes[f.cork] : 0) + this.vm.msgBytes(f);
    const sent = f.inflight - f.toSend - filling;
    if (f.autocork && len < MAX_BUFFER && sent > 0 && f.unfreed + (full ? 1 : 0) > 0) return AUTOCORK;
    return this.nagleHolds(f, len) ? NAGLE : SEND;
  }

  /** tcp_nagle_check without TCP_NODELAY (netperf's and iperf3's default): a segment smaller than the
   *  MSS waits while a small one sent earlier is unacknowledged (tcp_minshall_check). */
  private nagleHolds(f: Flow, len: number): boolean {
    return len < ADVMSS && f.smlEnd > f.ackedMsgs;
  }

  /** virtnet_poll: deliver what was on the RX used ring, reclaim TX buffers, restart a stopped queue. */
  endIrq(v: Vcpu, src: number, count: number): void {
    const vm = this.vm;
    const q = vm.pairs[src];
    for (let i = 0; i < count; i++) {
      const p = q.rx.driverReap();
      q.rx.release(rxBuffers(vm.packets.bytes[p]) - 1);
      const f = vm.flows[vm.packets.flow[p]];
      const ackIn = f.coalesces && vm.isAck(p);
      const ack = vm.deliver(p);
      if (ack >= 0) this.transmit(v, vm.pairs[f.txq], ack);
      if (ackIn) this.acked(v, f);
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
    while (q.tx.hasUsed) {
      q.tx.driverReap();
      const f = q.txFlows.shift();
      if (f >= 0) this.freed(v, this.vm.flows[f]);
    }
    let added = 0;
    while (q.qdisc.size > 0 && q.tx.hasRoom) {
      this.addTx(v, q, q.qdisc.shift());
      added++;
    }
    q.txStopped = q.qdisc.size > 0;
    if (added > 0) this.afterAdd(v, q, added);
  }

  /** The write is done: its buffer goes out (start_xmit, or the qdisc when the ring is full); or, for
   *  a TCP stream, into the skb being filled, which goes out now or is held (autocork: until the TSQ
   *  handler; Nagle: until an ACK). */
  endTask(v: Vcpu, task: number, arg: number): void {
    const vm = this.vm;
    const f = vm.flows[task >> 1];
    if ((task & 1) === TASK_PUSH) {
      f.pushQueued = false;
      if (f.cork >= 0 && !this.nagleHolds(f, vm.packets.bytes[f.cork])) this.sendCork(v, f);
      return;
    }
    if (!f.coalesces) {
      this.transmit(v, vm.pairs[f.txq], arg);
    } else {
      if (this.corkFull(f)) this.sendCork(v, f);
      if (f.cork < 0) f.cork = vm.newMessage(f);
      else vm.appendMessage(f, f.cork);
      if (arg === SEND) {
        this.sendCork(v, f);
      } else if (arg === AUTOCORK) {
        f.throttled = true;
        // The flow's skbs were freed while it wrote: nothing will run the TSQ handler but this.
        if (f.unfreed === 0 && !f.pushQueued) this.queuePush(v, f);
      } else if (!f.pushQueued && !this.nagleHolds(f, vm.packets.bytes[f.cork])) {
        this.queuePush(v, f); // the small segment Nagle waited for was acknowledged while it wrote
      }
    }
    vm.afterSend(f);
  }

  private sendCork(v: Vcpu, f: Flow): void {
    const p = f.cork;
    f.cork = -1;
    f.throttled = false;
    if (this.vm.packets.bytes[p] < ADVMSS) f.smlEnd = f.written;
    this.transmit(v, this.vm.pairs[f.txq], p);
  }

  /** tcp_ack's tcp_data_snd_check: an ACK may let the held skb go (Nagle's small segment acknowledged;
   *  autocorking holds only within a write). */
  private acked(v: Vcpu, f: Flow): void {
    if (f.cork >= 0 && !f.pushQueued && !this.nagleHolds(f, this.vm.packets.bytes[f.cork])) this.queuePush(v, f);
  }

  /** tcp_wfree: one of the flow's skbs is freed; a throttled flow gets its TSQ handler (tcp_tsq_handler,
   *  from the tasklet on this vCPU) to send what autocorking held. */
  private freed(v: Vcpu, f: Flow): void {
    f.unfreed--;
    if (f.throttled && !f.pushQueued) {
      f.throttled = false;
      this.queuePush(v, f);
    }
  }

  private queuePush(v: Vcpu, f: Flow): void {
    f.pushQueued = true;
    v.queueTask(this.driver, f.index * 2 + TASK_PUSH);
  }

  /** start_xmit of the buffer p on queue pair q (a send, or an ACK from the receive path). */
  private transmit(v: Vcpu, q: QueuePair, p: number): void {
    this.reclaimTx(v, q);
    const f = this.vm.flows[this.vm.packets.flow[p]];
    if (f.coalesces) f.unfreed++;
    // start_xmit with napi_tx: after freeing old buffers, ask for an interrupt once 3/4 of the rest are used.
    if (q.napiTx) q.tx.driverEnableCbDelayed();
    if (q.tx.hasRoom && q.qdisc.size === 0) {
      this.addTx(v, q, p);
      this.afterAdd(v, q, 1);
    } else {
      q.qdisc.push(p);
      q.txStopped = true;
    }
  }

  /** The buffer onto the TX ring. Without napi_tx start_xmit orphans the skb (skb_orphan): its socket
   *  no longer counts it; with napi_tx it does until free_old_xmit frees it. */
  private addTx(v: Vcpu, q: QueuePair, p: number): void {
    q.tx.driverAdd(p);
    const f = this.vm.flows[this.vm.packets.flow[p]];
    if (f.coalesces && q.napiTx) {
      q.txFlows.push(f.index);
      return;
    }
    q.txFlows.push(-1);
    if (f.coalesces) this.freed(v, f);
  }

  private afterAdd(v: Vcpu, q: QueuePair, added: number): void {
    const kick = q.tx.driverKickPrepare(added);
    q.worker.onTxAvail(q, kick);
    if (kick) v.kick(q.index);
  }
}
