import { IntFifo } from '../../engine/int-fifo.js';
import { LazyTimer } from '../../engine/lazy-timer.js';
import { CpuAccount, CpuState } from '../host/cpu-account.js';
import { Ev } from '../events.js';
import { HostThread } from '../host/host-cpu.js';
import type { ThreadRole } from '../host/roles.js';
import { rxBuffers, VNET_HDR_BYTES } from './config.js';
import type { DataPlane, Packets, QueuePair } from './queue-pair.js';
import type { AioContext, LoopClient } from '../qemu/aio-context.js';
import type { World } from '../world.js';

/** What a vhost worker needs from its VM: the queue pairs and messages, the tap side (transmit) and
 *  the guest's interrupts. */
export interface VhostOwner extends World {
  readonly pairs: readonly QueuePair[];
  readonly packets: Packets;
  transmit(p: number): void;
  sendIrq(q: QueuePair): void;
}

/** The tap and vhost settings a worker runs with (-netdev tap,poll-us=, vhost-net experimental_zcopytx). */
export interface VhostParams {
  /** Busy-poll window, ns; 0 = none. */
  pollNs: number;
  zerocopyTx: boolean;
  /** handle_tx_copy batches XDP buffers per sendmsg (host Linux >= 4.20). */
  txBatch: boolean;
}

/** drivers/vhost/net.c: a handler run stops after VHOST_NET_PKT_WEIGHT packets or VHOST_NET_WEIGHT
 *  bytes (vhost_exceeds_weight) and requeues itself behind the worker's other work. */
export const VHOST_NET_PKT_WEIGHT = 256;
export const VHOST_NET_WEIGHT = 0x80000;
/** handle_rx signals the used ring every VHOST_NET_BATCH buffers (nvq->done_idx), not only at its end;
 *  handle_tx_copy sends at most this many XDP buffers per sendmsg. */
export const VHOST_NET_BATCH = 64;
/** vhost_net_build_xdp takes a packet (with its 12-byte virtio-net header) only if it fits one page
 *  beside the skb_shared_info (320 bytes, aligned) and the pad (VHOST_NET_RX_PAD + header, aligned:
 *  128): 4096 - 320 - 128. Larger ones go one sendmsg each. */
const XDP_BUFF_MAX_BYTES = 4096 - 320 - 128;
/** QEMU userspace: virtio_net_flush_tx sends at most TX_BURST packets per bottom half
 *  (include/hw/virtio/virtio-net.h), tap_send reads at most 50 per fd callback (net/tap.c, "to prevent
 *  stalling the guest"); each then gives the main loop back, with the rest for its next iteration. */
const QEMU_TX_BURST = 256;
const TAP_SEND_MAX = 50;

const W_SLEEP = 0, W_WAKING = 1, W_RUNNING = 2, W_POLLING = 3;
const S_TX = 0, S_RX = 1, S_NOTIFY = 2;
/** A work item: queue pair index * 2 + direction. */
const RX = 0, TX = 1;

/**
 * A vhost-net worker (drivers/vhost/net.c) serving its queue pairs, or, with vhost off, virtio-net in
 * QEMU userspace: then the worker has no thread of its own, its handlers run on the VM's main loop
 * (runOn) beside the main loop's other handlers, as QEMU's virtio_net_handle_tx_bh and tap_send do.
 * Its work list runs in queueing order (vhost_poll_queue): a kick queues the pair's handle_tx, a
 * packet on the tap (or RX buffers refilled) its handle_rx.
 * handle_tx pops the guest's buffers with notifications disabled and hands them to the tap; handle_rx
 * fills RX buffers from the tap, signalling the guest (EVENT_IDX) every 64 buffers and at its end. A
 * handler that reaches its weight requeues itself at the tail. With poll-us the worker busy-polls
 * before it sleeps, notifications still disabled; otherwise a kick or a tap packet wakes it.
 */
export class VhostWorker extends HostThread implements DataPlane, LoopClient {
  readonly pairs: QueuePair[] = [];
  /** The loop whose thread runs this worker's handlers (virtio-net in userspace), or null: a thread
   *  of its own (vhost-net). */
  loop: AioContext | null = null;
  private state = W_SLEEP;
  private stepPair: QueuePair | null = null;
  /** When the busy-poll window ends; windows cut short by work share one timer. */
  private pollDeadline = 0;
  private readonly pollTimer: LazyTimer;
  private readonly toNotify: QueuePair[] = [];
  private readonly work = new IntFifo(8);
  /** Packets and bytes of the handler run at the head of the work list, for its weight. */
  private runPkts = 0;
  private runBytes = 0;
  /** On a loop: the work items this turn may still run (each handler runs once per loop iteration). */
  private turnLeft = 0;
  pollWindows = 0;
  pollHits = 0;
  /** Buffers moved (TX and RX). */
  buffers = 0;

  constructor(
    readonly index: number,
    private readonly vm: VhostOwner,
    name: string,
    role: ThreadRole,
    private readonly params: VhostParams,
  ) {
    super(new CpuAccount(name, role), vm.sim, Ev.VhostStepDone, index);
    this.pollTimer = new LazyTimer(vm.sim, Ev.VhostPollTimeout, index);
  }

  /** Runs on the loop's thread from now on (built before the loop sets up polling). */
  runOn(loop: AioContext): void {
    this.loop = loop;
    loop.addClient(this);
  }

  /** fds of ours the loop watches: per queue pair, the TX ioeventfd and the tap fd. */
  get fds(): number {
    return 2 * this.pairs.length;
  }

  /** The loop's turn for our handlers: each ready one runs once. */
  onLoopTurn(): void {
    this.turnLeft = this.work.size;
    this.resume();
  }

  /** The turn's handlers have run and some have work left: the loop's next iteration goes on. */
  private endTurn(): void {
    this.state = W_WAKING;
    this.loop!.onClientWork(this);
    this.loop!.clientDone();
  }

  protected runSegment(cost: number): void {
    if (this.loop !== null) this.loop.clientStep(cost);
    else super.runSegment(cost);
  }

  /** The guest published TX buffers on one of our queues, kicking (ioeventfd) or not. */
  onTxAvail(q: QueuePair, kick: boolean): void {
    if (kick) q.tx.kickPending = true;
    if (kick || this.state === W_POLLING) this.queueWork(q, TX);
    this.notice(kick);
  }

  /** A packet for the guest is on the tap of one of our queues, or the guest posted RX buffers. */
  onTapData(q: QueuePair): void {
    this.queueWork(q, RX);
    this.notice(true);
  }

  private queueWork(q: QueuePair, dir: number): void {
    if (q.queued & (1 << dir)) return;
    q.queued |= 1 << dir;
    this.work.push(2 * q.index + dir);
  }

  private notice(wakes: boolean): void {
    if (this.state === W_POLLING) {
      // Found while busy-polling: handled with notifications still disabled.
      this.pollHits++;
      this.run();
    } else if (wakes && this.state === W_SLEEP) {
      this.state = W_WAKING;
      if (this.loop !== null) this.loop.onClientWork(this);
      else this.sim.after(this.wakeDelay(this.vm.costs.wakeup_ns), Ev.VhostWake, this.index, 0);
    }
  }

  onWake(): void {
    if (this.wantCore()) this.resume();
  }

  protected resume(): void {
    this.state = W_RUNNING;
    this.run();
  }

  /** One buffer's cost: the ring accesses of its layout, the data path, and the copy (or zero-copy). */
  private packetCost(q: QueuePair, bytes: number, tx: boolean): number {
    const c = this.vm.costs;
    const vq = tx ? q.tx : q.rx;
    const ring = vq.popNs + vq.pushNs;
    const copy = (bytes / 1024) * c.net_copy_per_kib_ns;
    if (this.loop !== null) return ring + c.net_qemu_per_packet_ns + copy;
    if (tx) return ring + c.vhost_tx_ns + (this.params.zerocopyTx && bytes >= 256 ? c.vhost_zcopy_ns : copy);
    return ring + c.vhost_rx_ns + copy;
  }

  /**
   * handle_tx of the next n of `avail` buffers. handle_tx_copy (host Linux >= 4.20, no zero-copy)
   * builds an XDP buffer of each small packet that has another behind it on the ring (tx_can_batch)
   * and sends up to 64 of them in one sendmsg; the rest go one sendmsg each, and a large packet flushes
   * the batch.
   */
  private txCost(q: QueuePair, n: number, avail: number): number {
    const c = this.vm.costs, packets = this.vm.packets;
    const batching = this.params.txBatch && !this.params.zerocopyTx && this.loop === null;
    let cost = 0, batched = 0;
    for (let i = 0; i < n; i++) {
      const bytes = packets.bytes[q.tx.avail.at(i)];
      const small = bytes + VNET_HDR_BYTES <= XDP_BUFF_MAX_BYTES;
      cost += this.packetCost(q, bytes, true);
      if (batching && small && (i < n - 1 || n < avail)) {
        if (batched++ > 0) cost -= c.vhost_tx_sendmsg_ns; // this packet rides the batch's sendmsg
        if (batched === VHOST_NET_BATCH) batched = 0;
      } else if (!small) {
        batched = 0;
      }
    }
    return cost;
  }

  /** Whether a handler run in this direction has reached its weight (vhost) or burst (QEMU). */
  private overWeight(dir: number, pkts: number, bytes: number): boolean {
    if (this.loop !== null) return pkts >= (dir === TX ? QEMU_TX_BURST : TAP_SEND_MAX);
    return pkts >= VHOST_NET_PKT_WEIGHT || bytes >= VHOST_NET_WEIGHT;
  }

  /** How many of the next `max` buffers (at `at(i)`) the run's weight lets through: the one that
   *  crosses a weight is the last. */
  private withinWeight(dir: number, max: number, at: (i: number) => number): number {
    let n = 0, pkts = this.runPkts, bytes = this.runBytes;
    while (n < max && !this.overWeight(dir, pkts, bytes)) {
      bytes += this.vm.packets.bytes[at(n)];
      pkts++;
      n++;
    }
    return n;
  }

  /** The next piece of the handler run at the head of the work list. */
  private run(): void {
    this.state = W_RUNNING;
    while (this.work.size > 0) {
      if (this.loop !== null && this.turnLeft === 0) {
        this.endTurn();
        return;
      }
      const item = this.work.at(0);
      const q = this.vm.pairs[item >> 1];
      if ((item & 1) === RX) {
        // get_rx_bufs takes as many of the guest's buffers as the packet needs; the batch signals at 64
        // buffers, at least one packet.
        const room = q.rx.size - q.rx.inuse;
        const max = this.withinWeight(RX, q.tap.size, (i) => q.tap.at(i));
        let n = 0, bufs = 0, cost = 0;
        while (n < max) {
          const bytes = this.vm.packets.bytes[q.tap.at(n)];
          const b = rxBuffers(bytes);
          if (bufs + b > room || (n > 0 && bufs + b > VHOST_NET_BATCH)) break;
          bufs += b;
          cost += this.packetCost(q, bytes, false) + (b - 1) * this.vm.costs.vhost_rx_buf_ns;
          n++;
        }
        if (n > 0) {
          this.begin(S_RX, q, n, cost);
          return;
        }
      } else if (q.tx.hasAvail || q.tx.kickPending) {
        const dispatch = q.tx.kickPending ? this.vm.costs.fd_dispatch_ns : 0;
        q.tx.kickPending = false;
        if (q.tx.notification) q.tx.setNotification(false); // vhost_disable_notify
        const avail = q.tx.availIdx - q.tx.lastAvailIdx;
        const n = this.withinWeight(TX, avail, (i) => q.tx.avail.at(i));
        this.begin(S_TX, q, n, dispatch + this.txCost(q, n, avail));
        return;
      }
      this.finishItem(false);
    }
    this.idle();
  }

  /** The head item's run is over: done, or (past its weight) requeued at the tail. */
  private finishItem(requeue: boolean): void {
    const item = this.work.shift();
    this.runPkts = this.runBytes = 0;
    this.turnLeft--;
    if (requeue) this.work.push(item);
    else this.vm.pairs[item >> 1].queued &= ~(1 << (item & 1));
  }

  private begin(step: number, q: QueuePair | null, n: number, cost: number): void {
    this.stepPair = q;
    this.runStep(step, n, cost);
  }

  onStepDone(): void {
    const q = this.stepPair!;
    if (this.step === S_NOTIFY) {
      for (const p of this.toNotify) this.vm.sendIrq(p);
      this.toNotify.length = 0;
      this.run();
      return;
    }
    const p = this.vm.packets;
    if (this.step === S_RX) {
      for (let i = 0; i < this.stepCount; i++) {
        const b = q.tap.shift();
        this.runBytes += p.bytes[b];
        q.rx.driverAdd(b); // buffers the guest posted earlier (their refill is in its receive costs)
        q.rx.holdMore(rxBuffers(p.bytes[b]) - 1);
        q.rx.devicePop();
        q.rx.devicePush(b);
      }
      if (q.rx.shouldNotify()) this.toNotify.push(q);
    } else {
      for (let i = 0; i < this.stepCount; i++) {
        const b = q.tx.devicePop();
        this.runBytes += p.bytes[b];
        q.tx.devicePush(b);
        this.vm.transmit(b);
      }
      // vhost_enable_notify, then look again. The guest wants TX completions signalled with napi_tx
      // (at the used_event it set), or when its queue is stopped.
      if (!q.tx.hasAvail && !this.polling()) q.tx.setNotification(true);
      if ((q.napiTx || q.txStopped) && q.tx.shouldNotify()) this.toNotify.push(q);
    }
    this.runPkts += this.stepCount;
    this.buffers += this.stepCount;
    if (this.overWeight(this.step === S_RX ? RX : TX, this.runPkts, this.runBytes)) this.finishItem(true);
    if (this.toNotify.length > 0) this.begin(S_NOTIFY, q, 0, this.toNotify.length * this.vm.costs.irqfd_notify_ns);
    else this.run();
  }

  private polling(): boolean {
    return this.params.pollNs > 0 && this.loop === null;
  }

  /** Nothing to do: busy-poll (vhost_net_busy_poll) for poll-us, or enable notifications and sleep. */
  private idle(): void {
    const now = this.sim.now;
    if (this.polling()) {
      for (const q of this.pairs) if (q.tx.notification) q.tx.setNotification(false);
      this.state = W_POLLING;
      this.pollWindows++;
      this.acct.enter(CpuState.Poll, now);
      this.pollDeadline = now + this.params.pollNs;
      this.pollTimer.arm(this.pollDeadline);
      return;
    }
    this.sleep();
  }

  onPollTimeout(): void {
    this.pollTimer.fired();
    if (this.state !== W_POLLING) return;
    if (this.sim.now >= this.pollDeadline) this.sleep();
    else this.pollTimer.arm(this.pollDeadline);
  }

  /** vhost_enable_notify on every TX ring, a last look, then sleep until a kick or a tap packet. */
  private sleep(): void {
    for (const q of this.pairs) if (!q.tx.notification) q.tx.setNotification(true);
    const raced = this.pairs.find((q) => q.tx.hasAvail);
    if (raced) {
      this.queueWork(raced, TX);
      this.run();
      return;
    }
    this.state = W_SLEEP;
    if (this.loop !== null) {
      this.loop.clientDone();
      return;
    }
    this.acct.enter(CpuState.Idle, this.sim.now);
    this.dropCore();
  }
}
