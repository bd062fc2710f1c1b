import { IntFifo } from '../../engine/int-fifo.js';
import type { HaltPollParams } from '../halt-polling.js';
import { VcpuThread } from '../vcpu-thread.js';
import type { NetConfig } from './config.js';
import type { Flow, Packets, QueuePair } from './queue-pair.js';
import type { World } from '../world.js';

/** What a vCPU of the virtio-net guest needs from its VM: the queue pairs and flows, the messages, and
 *  the application's side of a send and a delivery. */
export interface NetGuestOwner extends World {
  readonly config: NetConfig;
  readonly pairs: readonly QueuePair[];
  readonly flows: readonly Flow[];
  readonly packets: Packets;
  /** The application writes the flow's next message: a new packet. */
  newMessage(f: Flow): number;
  deliver(p: number): void;
  afterSend(f: Flow): void;
}

const STEP_NAPI = 1, STEP_SEND = 2;

/**
 * A vCPU of the virtio-net guest: interrupts (NAPI polls of a queue pair) before sends; each send is one
 * buffer through the TCP/IP stack and start_xmit, and a kick exit when the ring asks for one.
 */
export class NetVcpu extends VcpuThread {
  private readonly napi = new IntFifo(8);
  private readonly sends = new IntFifo(16);
  constructor(index: number, private readonly vm: NetGuestOwner, haltPoll: HaltPollParams) {
    super(index, vm.sim, haltPoll, vm.costs.vcpu_wakeup_ns, vm.costs.vmexit_ns);
  }

  raiseIrq(pair: number): void {
    this.napi.push(pair);
    this.poke();
  }

  queueSend(f: Flow): void {
    if (f.sendQueued) return;
    f.sendQueued = true;
    this.sends.push(f.index);
    this.poke();
  }

  protected next(): void {
    const vm = this.vm, c = vm.costs;
    if (this.napi.size > 0) {
      const q = vm.pairs[this.napi.shift()];
      q.irqPending = false;
      q.rx.driverDisableCb();
      const n = q.rx.usedIdx - q.rx.lastUsedIdx;
      let cost = c.guest_irq_ns;
      for (let i = 0; i < n; i++) cost += q.rx.reapNs + c.net_guest_rx_ns + (vm.packets.bytes[q.rx.used.at(i)] / 1024) * c.net_copy_per_kib_ns;
      this.begin(STEP_NAPI, q.index, n, cost);
      return;
    }
    if (this.sends.size > 0) {
      const f = vm.flows[this.sends.shift()];
      f.sendQueued = false;
      const p = vm.newMessage(f);
      const ring = vm.pairs[f.txq].tx;
      this.begin(STEP_SEND, f.index, p, ring.addNs + ring.reapNs + c.net_guest_tx_ns + (vm.packets.bytes[p] / 1024) * c.net_copy_per_kib_ns);
      return;
    }
    this.halt();
  }

  protected endStep(step: number): void {
    if (step === STEP_NAPI) this.endNapi();
    else if (step === STEP_SEND) this.endSend();
  }

  /** virtnet_poll: deliver what was on the RX used ring, reclaim TX buffers, restart a stopped queue. */
  private endNapi(): void {
    const vm = this.vm;
    const q = vm.pairs[this.stepArg];
    for (let i = 0; i < this.stepCount; i++) vm.deliver(q.rx.driverReap());
    if (q.tap.size > 0) q.worker.onTapData(q); // RX buffers refilled: vhost can go on
    this.reclaimTx(q.index);
    if (!q.rx.driverEnableCb() && !q.irqPending) {
      q.irqPending = true;
      this.napi.push(q.index);
    }
  }

  /** free_old_xmit_skbs, and the qdisc's backlog into the freed descriptors. */
  private reclaimTx(pair: number): void {
    const q = this.vm.pairs[pair];
    while (q.tx.hasUsed) q.tx.driverReap();
    let added = 0;
    while (q.qdisc.size > 0 && q.tx.hasRoom) {
      q.tx.driverAdd(q.qdisc.shift());
      added++;
    }
    q.txStopped = q.qdisc.size > 0;
    if (added > 0) this.afterAdd(pair, added);
  }

  private endSend(): void {
    const vm = this.vm;
    const f = vm.flows[this.stepArg];
    const q = vm.pairs[f.txq];
    this.reclaimTx(f.txq);
    // start_xmit with napi_tx: after freeing old buffers, ask for an interrupt once 3/4 of the rest are used.
    if (vm.config.nic.napiTx) q.tx.driverEnableCbDelayed();
    if (q.tx.hasRoom && q.qdisc.size === 0) {
      q.tx.driverAdd(this.stepCount);
      this.afterAdd(f.txq, 1);
    } else {
      q.qdisc.push(this.stepCount);
      q.txStopped = true;
    }
    vm.afterSend(f);
  }

  private afterAdd(pair: number, added: number): void {
    const q = this.vm.pairs[pair];
    const kick = q.tx.driverKickPrepare(added);
    q.worker.onTxAvail(q, kick);
    if (kick) this.kick(pair);
  }
}
