import { IntFifo } from '../../engine/int-fifo.js';
import type { Virtqueue } from '../virtio/virtqueue.js';

/** The thread that serves a queue pair's data plane (a vhost-net worker, or QEMU), as the guest and
 *  the tap see it. */
export interface DataPlane {
  onTxAvail(q: QueuePair, kick: boolean): void;
  onTapData(q: QueuePair): void;
}

/** A message in flight: pooled in growable typed arrays. */
export class Packets {
  flow = new Int32Array(256);
  bytes = new Float64Array(256);
  t0 = new Float64Array(256);
  kind = new Uint8Array(256);
  /** The messages it carries (data: 1, or the writes TCP coalesced into one skb) or, of an ACK, the
   *  messages it acknowledges. */
  msgs = new Int32Array(256);
  alive = new Uint8Array(256);
  private free: number[] = [];
  private next = 0;
  live = 0;

  alloc(flow: number, bytes: number, kind: number, t0: number): number {
    let p = this.free.pop();
    if (p === undefined) {
      p = this.next++;
      if (p === this.flow.length) this.grow();
    }
    this.flow[p] = flow; this.bytes[p] = bytes; this.kind[p] = kind; this.t0[p] = t0;
    this.msgs[p] = 1;
    this.alive[p] = 1;
    this.live++;
    return p;
  }

  release(p: number): void {
    this.alive[p] = 0;
    this.free.push(p);
    this.live--;
  }

  /** Start time of the oldest message alive of those `which` selects, or Infinity. */
  oldest(which: (p: number) => boolean): number {
    let t = Infinity;
    for (let p = 0; p < this.next; p++) if (this.alive[p] && this.t0[p] < t && which(p)) t = this.t0[p];
    return t;
  }

  private grow(): void {
    const n = this.flow.length * 2;
    const f = new Int32Array(n); f.set(this.flow); this.flow = f;
    const m = new Int32Array(n); m.set(this.msgs); this.msgs = m;
    const b = new Float64Array(n); b.set(this.bytes); this.bytes = b;
    const t = new Float64Array(n); t.set(this.t0); this.t0 = t;
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
    const a = new Uint8Array(n); a.set(this.alive); this.alive = a;
  }
}

/** A virtio-net queue pair with its tap queue, the guest's qdisc backlog and its data-plane thread. */
export interface QueuePair {
  index: number;
  tx: Virtqueue;
  rx: Virtqueue;
  /** Packets for the guest waiting on the tap for vhost's handle_rx. */
  tap: IntFifo;
  /** Packets waiting in the guest for TX descriptors (the queue is stopped). */
  qdisc: IntFifo;
  /** Per TX ring entry, oldest first: the coalescing flow whose skb it holds until the driver frees it
   *  (its socket's sk_wmem_alloc), or -1. */
  txFlows: IntFifo;
  txStopped: boolean;
  irqPending: boolean;
  worker: DataPlane;
  ownerVcpu: number;
  /** The guest takes TX completion interrupts (virtio_net napi_tx). */
  napiTx: boolean;
  /** Work items of the pair on its worker's list: bit RX (0) and bit TX (1). */
  queued: number;
  vm: number;
}

/** One connection (netperf/iperf3 flow), on its vCPU, its TX queue (XPS) and RX queue (tun's flow steering). */
export interface Flow {
  index: number;
  vm: number;
  vcpu: number;
  txq: number;
  rxq: number;
  /** True when the guest sends the data (stream TX, or rr). */
  guestSends: boolean;
  /** Stream data is acknowledged by packets of their own (TCP), one per ackEvery messages. */
  acked: boolean;
  ackEvery: number;
  /** Messages the receiver has taken in and not yet acknowledged. */
  unacked: number;
  /** ACKs the receiver has sent (each clears its delayed-ACK timer), and the count when the timer
   *  now running was armed (-1: none). */
  acksSent: number;
  delackToken: number;
  inflight: number;
  /** A TCP stream the guest writes: its writes coalesce into skbs (tcp_sendmsg, Nagle, autocorking). */
  coalesces: boolean;
  /** The guest's TCP autocorks (Linux >= 3.14). */
  autocork: boolean;
  /** The skb being filled (written, not yet sent: the write queue's tail), or -1. */
  cork: number;
  /** The peer's skb being filled in the burst of writes its window allows, or -1 (TCP to the guest). */
  peerSkb: number;
  /** TSQ_THROTTLED: autocorking held the skb until one of the flow's sent skbs is freed. */
  throttled: boolean;
  /** A push of the held skb (the TSQ handler, or an ACK's) is queued on a vCPU. */
  pushQueued: boolean;
  /** Its skbs in the qdisc or on the TX ring and not yet freed by the driver (sk_wmem_alloc). */
  unfreed: number;
  /** Messages written, and acknowledged, since the start (TCP's write_seq and snd_una, in messages). */
  written: number;
  ackedMsgs: number;
  /** `written` when its last skb smaller than an MSS went out (snd_sml, for Nagle's Minshall check). */
  smlEnd: number;
  /** Messages the guest's application has yet to write. */
  toSend: number;
  backlog: number;
  sendQueued: boolean;
}
