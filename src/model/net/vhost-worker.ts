import { CpuAccount, CpuState } from '../cpu-account.js';
import { Ev } from '../events.js';
import { HostThread } from '../host-cpu.js';
import type { NetVm, QueuePair } from './net-vm.js';

/** vhost-net's packet weight: handle_tx/handle_rx stop after this many packets and requeue. */
export const VHOST_NET_PKT_WEIGHT = 256;

const W_SLEEP = 0, W_WAKING = 1, W_RUNNING = 2, W_POLLING = 3;
const S_TX = 0, S_RX = 1, S_NOTIFY = 2;

/**
 * A vhost-net worker (drivers/vhost/net.c) serving its queue pairs, or, with vhost off, the QEMU
 * thread that runs virtio-net in userspace. handle_tx pops the guest's buffers with notifications
 * disabled and hands them to the tap; handle_rx fills the guest's RX buffers from the tap and signals
 * the guest (vhost_signal, EVENT_IDX). With poll-us it busy-polls the TX ring and the tap before it
 * sleeps, notifications still disabled; otherwise a kick or a tap packet wakes it.
 */
export class VhostWorker extends HostThread {
  readonly pairs: QueuePair[] = [];
  private state = W_SLEEP;
  private step = S_TX;
  private stepPair: QueuePair | null = null;
  private stepCount = 0;
  private pollToken = 0;
  private readonly toNotify: QueuePair[] = [];
  pollWindows = 0;
  pollHits = 0;

  constructor(readonly index: number, private readonly vm: NetVm, name: string, role: string, private readonly userspace: boolean) {
    super(new CpuAccount(name, role), vm.sim, Ev.VhostStepDone, index);
  }

  /** The guest published TX buffers on one of our queues, kicking (ioeventfd) or not. */
  onTxAvail(q: QueuePair, kick: boolean): void {
    if (kick) q.tx.kickPending = true;
    this.notice(kick);
  }

  /** A packet for the guest is on the tap of one of our queues. */
  onTapData(): void {
    this.notice(true);
  }

  private notice(wakes: boolean): void {
    if (this.state === W_POLLING) {
      // Found while busy-polling: handled with notifications still disabled.
      this.pollHits++;
      this.pollToken++;
      this.run();
    } else if (wakes && this.state === W_SLEEP) {
      this.state = W_WAKING;
      this.sim.after(this.wakeDelay(this.vm.costs.wakeup_ns), Ev.VhostWake, this.index, 0);
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
    if (this.userspace) return ring + c.net_qemu_per_packet_ns + copy;
    if (tx) return ring + c.vhost_tx_ns + (this.vm.config.nic.zerocopyTx && bytes >= 256 ? c.vhost_zcopy_ns : copy);
    return ring + c.vhost_rx_ns + copy;
  }

  /** One handler pass: RX before TX on each queue pair, as many packets as the weight allows. */
  private run(): void {
    this.state = W_RUNNING;
    for (const q of this.pairs) {
      const room = q.rx.size - q.rx.inuse;
      if (q.tap.size > 0 && room > 0) {
        const n = Math.min(q.tap.size, room, VHOST_NET_PKT_WEIGHT);
        let cost = 0;
        for (let i = 0; i < n; i++) cost += this.packetCost(q, this.vm.packets.bytes[q.tap.at(i)], false);
        this.begin(S_RX, q, n, cost);
        return;
      }
      if (q.tx.hasAvail || q.tx.kickPending) {
        const dispatch = q.tx.kickPending ? this.vm.costs.fd_dispatch_ns : 0;
        q.tx.kickPending = false;
        if (q.tx.notification) q.tx.setNotification(false); // vhost_disable_notify
        const n = Math.min(q.tx.availIdx - q.tx.lastAvailIdx, VHOST_NET_PKT_WEIGHT);
        let cost = dispatch;
        for (let i = 0; i < n; i++) cost += this.packetCost(q, this.vm.packets.bytes[q.tx.avail.at(i)], true);
        this.begin(S_TX, q, n, cost);
        return;
      }
    }
    this.idle();
  }

  private begin(step: number, q: QueuePair | null, n: number, cost: number): void {
    this.step = step;
    this.stepPair = q;
    this.stepCount = n;
    this.runSegment(cost);
  }

  onStepDone(): void {
    const q = this.stepPair!;
    if (this.step === S_NOTIFY) {
      for (const p of this.toNotify) this.vm.sendIrq(p);
      this.toNotify.length = 0;
      this.run();
      return;
    }
    if (this.step === S_RX) {
      for (let i = 0; i < this.stepCount; i++) {
        const p = q.tap.shift();
        q.rx.driverAdd(p); // a buffer the guest posted earlier (refill costs are in net_guest_rx_ns)
        q.rx.devicePop();
        q.rx.devicePush(p);
      }
      this.vm.buffers += this.stepCount;
      if (q.rx.shouldNotify()) this.toNotify.push(q);
    } else {
      for (let i = 0; i < this.stepCount; i++) {
        const p = q.tx.devicePop();
        q.tx.devicePush(p);
        this.vm.transmit(p);
      }
      this.vm.buffers += this.stepCount;
      // vhost_enable_notify, then look again; a stopped guest queue wants its completions signalled.
      if (!q.tx.hasAvail && !this.polling()) q.tx.setNotification(true);
      if (q.txStopped && q.tx.shouldNotify()) this.toNotify.push(q);
    }
    if (this.toNotify.length > 0) this.begin(S_NOTIFY, q, 0, this.toNotify.length * this.vm.costs.irqfd_notify_ns);
    else this.run();
  }

  private polling(): boolean {
    return this.vm.config.nic.pollNs > 0 && !this.userspace;
  }

  /** Nothing to do: busy-poll (vhost_net_busy_poll) for poll-us, or enable notifications and sleep. */
  private idle(): void {
    const now = this.sim.now;
    if (this.polling()) {
      for (const q of this.pairs) if (q.tx.notification) q.tx.setNotification(false);
      this.state = W_POLLING;
      this.pollWindows++;
      this.acct.enter(CpuState.Poll, now);
      this.sim.after(this.vm.config.nic.pollNs, Ev.VhostPollTimeout, this.index, ++this.pollToken);
      return;
    }
    this.sleep();
  }

  onPollTimeout(token: number): void {
    if (this.state === W_POLLING && token === this.pollToken) this.sleep();
  }

  /** vhost_enable_notify on every TX ring, a last look, then sleep until a kick or a tap packet. */
  private sleep(): void {
    for (const q of this.pairs) if (!q.tx.notification) q.tx.setNotification(true);
    if (this.pairs.some((q) => q.tx.hasAvail)) {
      this.run(); // raced in while re-enabling
      return;
    }
    this.state = W_SLEEP;
    this.acct.enter(CpuState.Idle, this.sim.now);
    this.dropCore();
  }
}
