import { IntFifo } from '../../engine/int-fifo.js';
import { stream, type Rng } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import type { Costs } from '../costs.js';
import type { CpuAccount } from '../host/cpu-account.js';
import type { DeviceSide, ResultFrame } from '../host/device-side.js';
import type { HostThread } from '../host/host-cpu.js';
import { Ev } from '../events.js';
import type { ThreadRole } from '../host/roles.js';
import type { Vcpu } from '../host/vcpu.js';
import type { AioContext } from '../qemu/aio-context.js';
import { Virtqueue } from '../virtio/virtqueue.js';
import { MAX_BUFFER, type NetConfig } from './config.js';
import { NetGuest } from './guest.js';
import { Link } from './link.js';
import { netViolations } from './invariants.js';
import { flowsOf } from './flows.js';
import { NetLoad } from './load.js';
import { netResult, type NetResult } from './result.js';
import type { NetSetup } from './setup.js';
import { Packets, type Flow, type QueuePair } from './queue-pair.js';
import { VhostWorker, type VhostParams } from './vhost-worker.js';

const DATA = 0, REQUEST = 1, RESPONSE = 2, ACK = 3;
/** A TCP ACK on the wire: Ethernet 14 + IPv4 20 + TCP 20 + timestamps 12 bytes. */
const ACK_BYTES = 66;
const TO_PEER = 0, TO_GUEST = 1;
/** include/net/tcp.h TCP_DELACK_MIN: HZ / 25. */
const TCP_DELACK_MIN_NS = 40e6;

/**
 * The virtio-net side of a host (MODEL.md section 7): each VM's NIC with its queue pairs served by
 * vhost-net workers (or QEMU), its flows on the VM's vCPUs, and the wire to its peer (its own, or the
 * host's uplink that every VM shares): flows send through TX virtqueues to the tap and over a link of
 * finite rate; the peer's data and responses come back through the tap, vhost's RX and an interrupt on
 * the queue's vCPU. Indices are the host's.
 */
export class NetWorld implements DeviceSide {
  readonly costs: Readonly<Costs>;
  readonly guest: NetGuest;
  readonly workers: VhostWorker[] = [];
  readonly pairs: QueuePair[] = [];
  readonly flows: Flow[] = [];
  readonly packets = new Packets();
  /** Per VM: what its network load measured (empty for a VM without a NIC). */
  readonly loads: NetLoad[];
  /** The VM of each worker. */
  readonly vmOfWorker: number[] = [];
  private readonly links: Link[] = [];
  /** Per VM: its NIC's first link (TO_PEER; TO_GUEST follows), its flows' random stream. */
  private readonly firstLink: number[] = [];
  private readonly rngs: Rng[] = [];
  /** Per VM: its NIC and load, or null. */
  readonly nets: (NetConfig | null)[];

  /** `mainLoopOf(v)`: VM v's main loop, which runs a NIC's handlers when vhost is off. */
  constructor(
    readonly sim: Simulation, s: NetSetup, readonly vcpus: readonly Vcpu[], vcpuBase: readonly number[], driver: number,
    mainLoopOf: (vm: number) => AioContext,
  ) {
    const c = s.costs;
    this.costs = c;
    this.guest = new NetGuest(driver, this);
    this.nets = s.vms.map((vm) => vm.net);
    this.loads = s.vms.map(() => new NetLoad());
    const bytesOf = (p: number) => this.packets.bytes[p];
    const halfRtt = (p: number) => this.net(this.flows[this.packets.flow[p]]).peer.rttNs / 2;
    // TO_PEER, then TO_GUEST: the host's uplink shared by every VM, or a wire per VM's NIC.
    if (s.uplink) for (let dir = 0; dir < 2; dir++) this.links.push(new Link(dir, this.sim, s.uplink.lineRateBps, halfRtt, bytesOf));
    s.vms.forEach((vm, v) => {
      this.rngs.push(stream(s.seed, s.pointKey, s.replication, `${vm.streams}flows`));
      this.firstLink.push(s.uplink ? 0 : this.links.length);
      const net = vm.net;
      if (!net) return;
      const nic = net.nic, base = vcpuBase[v];
      const vhost = { pollNs: nic.pollNs, zerocopyTx: nic.zerocopyTx, txBatch: s.behaviour.vhostTxBatch };
      // Without vhost, QEMU's main loop runs the NIC's handlers: no thread of its own.
      const shared = nic.vhost ? null : this.addWorker(v, 'virtio-net', 'main-loop', vhost);
      shared?.runOn(mainLoopOf(v));
      const firstPair = this.pairs.length;
      for (let q = 0; q < nic.queues; q++) {
        const worker = shared ?? this.addWorker(v, `vhost-${q}`, 'vhost', vhost);
        const owner = base + (nic.sharedVector ? 0 : q % vm.vcpus);
        const index = this.pairs.length;
        const vq = (i: number) => {
          const ring = new Virtqueue(2 * index + i, 0, nic.queueSize, nic.packed, nic.eventIdx, owner, worker.index);
          ring.setRingCosts(c);
          return ring;
        };
        const pair: QueuePair = {
          index, tx: vq(1), rx: vq(0), tap: new IntFifo(64), qdisc: new IntFifo(16), txFlows: new IntFifo(64), txStopped: false,
          irqPending: false, worker, ownerVcpu: owner, napiTx: nic.napiTx, queued: 0, vm: v,
        };
        worker.pairs.push(pair);
        this.pairs.push(pair);
      }
      const delay = () => net.peer.rttNs / 2;
      if (!s.uplink) for (let dir = 0; dir < 2; dir++) this.links.push(new Link(this.links.length, this.sim, net.peer.lineRateBps, delay, bytesOf));
      this.flows.push(...flowsOf(v, base, vm.vcpus, net, firstPair, this.flows.length, s.behaviour.tcpAutocork));
    });
  }

  /** The workers with a thread of their own (vhost-net's; QEMU's userspace NIC runs on the main loop). */
  private get threads(): VhostWorker[] {
    return this.workers.filter((w) => w.loop === null);
  }

  get maxThreads(): number {
    return this.threads.length;
  }

  hostThreads(): { threads: HostThread[]; streams: string; cpusets: Record<string, number[]> } {
    return { threads: [], streams: '', cpusets: {} };
  }

  threadsOf(v: number): HostThread[] {
    return this.threads.filter((w) => this.vmOfWorker[w.index] === v);
  }

  accountsOf(v: number): CpuAccount[] {
    return this.threadsOf(v).map((w) => w.acct);
  }

  close(end: number): void {
    for (const l of this.loads) l.inFlight.track(0, end);
  }

  /** What VM v's network load measured, null for a VM without one. */
  resultOf(v: number, f: ResultFrame): NetResult | null {
    return this.nets[v] === null ? null : netResult(this.loads[v], this.workers.filter((_, i) => this.vmOfWorker[i] === v), f);
  }


  private addWorker(vm: number, name: string, role: ThreadRole, params: VhostParams): VhostWorker {
    const w = new VhostWorker(this.workers.length, this, name, role, params);
    this.workers.push(w);
    this.vmOfWorker.push(vm);
    return w;
  }

  readonly eventKinds = [
    Ev.NetIrq, Ev.VhostStepDone, Ev.VhostWake, Ev.VhostPollTimeout,
    Ev.Arrive, Ev.PeerRespond, Ev.FlowAck, Ev.FlowTimer, Ev.FlowDelack,
  ];

  receive(kind: number, a: number, b: number): void {
    switch (kind) {
      case Ev.NetIrq: this.guest.raiseIrq(this.pairs[a]); break;
      case Ev.VhostStepDone: this.workers[a].onStepDone(); break;
      case Ev.VhostWake: this.workers[a].onWake(); break;
      case Ev.VhostPollTimeout: this.workers[a].onPollTimeout(); break;
      case Ev.Arrive: if ((a & 1) === TO_PEER) this.atPeer(b); else this.atTap(b); break;
      case Ev.PeerRespond: this.links[this.firstLink[this.flows[this.packets.flow[b]].vm] + TO_GUEST].send(b); break;
      case Ev.FlowAck: this.onAck(this.flows[a]); break;
      case Ev.FlowTimer: this.onTimer(this.flows[a]); break;
      case Ev.FlowDelack: this.onDelack(this.flows[a], b); break;
    }
  }

  private net(f: Flow): NetConfig {
    return this.nets[f.vm]!;
  }

  /** The guest's application writes one message: a buffer on the flow's TX queue. */
  newMessage(f: Flow): number {
    f.toSend--;
    f.written++;
    return this.alloc(f, this.net(f).workload.mode === 'rr' ? REQUEST : DATA);
  }

  /** The guest's application writes one message into the skb p its TCP is still filling. */
  appendMessage(f: Flow, p: number): void {
    f.toSend--;
    f.written++;
    this.addToSkb(f, p);
  }

  /** One more of the flow's messages in the skb p. */
  private addToSkb(f: Flow, p: number): void {
    this.packets.bytes[p] += this.msgBytes(f);
    this.packets.msgs[p]++;
  }

  /** Bytes of one message of the flow. */
  msgBytes(f: Flow): number {
    return this.net(f).workload.msgBytes;
  }

  /** A message comes into being (written by the guest's or the peer's application); Little's L counts
   *  messages from here to their read. */
  private alloc(f: Flow, kind: number): number {
    this.loads[f.vm].inFlight.track(1, this.sim.now);
    return this.packets.alloc(f.index, kind === ACK ? ACK_BYTES : this.net(f).workload.msgBytes, kind, this.sim.now);
  }

  private release(f: Flow, p: number): void {
    this.loads[f.vm].inFlight.track(-1, this.sim.now);
    this.packets.release(p);
  }

  /** After a send: the application writes its next message, if it has one. */
  afterSend(f: Flow): void {
    if (f.toSend > 0) this.guest.queueSend(f);
  }

  /** vhost handed a TX buffer to the tap: onto the wire. */
  transmit(p: number): void {
    this.links[this.firstLink[this.flows[this.packets.flow[p]].vm] + TO_PEER].send(p);
  }

  sendIrq(q: QueuePair): void {
    this.loads[q.vm].irqs++;
    if (q.irqPending) return;
    q.irqPending = true;
    this.sim.after(this.costs.irq_inject_ns, Ev.NetIrq, q.index, 0);
  }

  isAck(p: number): boolean {
    return this.packets.kind[p] === ACK;
  }

  /** The guest took a buffer in: a response or stream data its application reads, or an ACK its TCP
   *  stack consumes. Returns the ACK the guest sends back for stream data (TCP), or -1. */
  deliver(p: number): number {
    const f = this.flows[this.packets.flow[p]];
    const load = this.loads[f.vm];
    const kind = this.packets.kind[p];
    if (kind === ACK) {
      const n = this.packets.msgs[p];
      this.release(f, p);
      f.ackedMsgs += n;
      for (let i = 0; i < n; i++) this.onAck(f);
      return -1;
    }
    if (kind === RESPONSE) {
      load.latency.record(this.sim.now - this.packets.t0[p]);
      load.transactions++;
      load.bytes += this.packets.bytes[p];
      this.release(f, p);
      this.onAck(f);
      return -1;
    }
    load.bytes += this.packets.bytes[p];
    const msgs = this.packets.msgs[p];
    this.release(f, p);
    if (f.acked) return this.ackDue(f, msgs);
    this.sim.after(this.net(f).peer.rttNs / 2, Ev.FlowAck, f.index, 0);
    return -1;
  }

  /** The receiver took `msgs` messages in (one skb): an ACK for the unacknowledged ones once ackEvery
   *  are in, or -1. */
  private ackDue(f: Flow, msgs: number): number {
    f.unacked += msgs;
    return f.unacked < f.ackEvery ? -1 : this.ackNow(f);
  }

  private ackNow(f: Flow): number {
    const a = this.alloc(f, ACK);
    this.packets.msgs[a] = f.unacked;
    f.unacked = 0;
    f.acksSent++;
    return a;
  }

  /** The peer withheld its ACK: its delayed-ACK timer (TCP_DELACK_MIN, 40 ms) sends one unless an ACK
   *  went out first (tcp_send_ack clears it). Only a sender that waits for that ACK sees it: Nagle's,
   *  with less than an MSS to send and a window too small to fill one. */
  private armDelack(f: Flow): void {
    if (f.delackToken === f.acksSent) return;
    f.delackToken = f.acksSent;
    this.sim.after(TCP_DELACK_MIN_NS, Ev.FlowDelack, f.index, f.acksSent);
  }

  /** A timer cleared by an ACK since (or replaced) does nothing. */
  private onDelack(f: Flow, token: number): void {
    if (token !== f.acksSent || token !== f.delackToken) return;
    f.delackToken = -1;
    if (f.unacked > 0) this.links[this.firstLink[f.vm] + TO_GUEST].send(this.ackNow(f));
  }

  /** A packet reached the peer's stack: a request it answers, stream data it acknowledges (with an ACK
   *  back through the wire and the guest's RX path, TCP; at once, UDP), an ACK that frees the window. */
  private atPeer(p: number): void {
    const f = this.flows[this.packets.flow[p]];
    const kind = this.packets.kind[p];
    if (kind === REQUEST) {
      this.packets.kind[p] = RESPONSE;
      const service = this.net(f).peer.serviceNs;
      if (!this.links[this.firstLink[f.vm] + TO_GUEST].sendAfter(p, service)) this.sim.after(service, Ev.PeerRespond, 0, p);
      return;
    }
    if (kind === DATA) this.loads[f.vm].bytes += this.packets.bytes[p];
    const msgs = this.packets.msgs[p];
    this.release(f, p);
    if (kind === ACK) {
      for (let i = 0; i < msgs; i++) this.onAck(f);
      this.flushPeer(f);
      return;
    }
    if (!f.acked) {
      this.sim.after(this.net(f).peer.rttNs / 2, Ev.FlowAck, f.index, 0);
      return;
    }
    const ack = this.ackDue(f, msgs);
    if (ack >= 0) this.links[this.firstLink[f.vm] + TO_GUEST].send(ack);
    else this.armDelack(f);
  }

  private atTap(p: number): void {
    const q = this.pairs[this.flows[this.packets.flow[p]].rxq];
    q.tap.push(p);
    q.worker.onTapData(q);
  }

  /** A message of the flow is done (acknowledged, or its response read): a closed loop starts the next;
   *  an offered rate starts one that waited for the window. */
  private onAck(f: Flow): void {
    this.endMessage(f);
    if (f.backlog > 0) {
      f.backlog--;
      this.startMessage(f);
    } else if (this.net(f).workload.rateMsgs === 0) {
      this.startMessage(f);
    }
  }

  private onTimer(f: Flow): void {
    const w = this.net(f).workload;
    if (f.inflight < w.window) this.startMessage(f);
    else f.backlog++;
    this.flushPeer(f);
    this.sim.after(1e9 / w.rateMsgs, Ev.FlowTimer, f.index, 0);
  }

  /** One more message of the flow in flight: the guest sends it, or the peer does. */
  private startMessage(f: Flow): void {
    if (f.inflight >= this.net(f).workload.window) return;
    f.inflight++;
    if (f.guestSends) {
      f.toSend++;
      this.guest.queueSend(f);
    } else if (!f.acked) {
      this.links[this.firstLink[f.vm] + TO_GUEST].send(this.alloc(f, DATA));
    } else if (f.peerSkb >= 0 && this.packets.bytes[f.peerSkb] + this.msgBytes(f) <= MAX_BUFFER) {
      this.addToSkb(f, f.peerSkb);
    } else {
      this.flushPeer(f);
      f.peerSkb = this.alloc(f, DATA);
    }
  }

  /** The peer's TCP sends what the window let it write at once: its writes, in skbs of up to 64 KiB (its
   *  tcp_sendmsg and TSO; the peer's CPU is not modelled, so a window's opening is one burst of writes),
   *  and its NIC's GRO hands the tap the same. */
  private flushPeer(f: Flow): void {
    if (f.peerSkb < 0) return;
    this.links[this.firstLink[f.vm] + TO_GUEST].send(f.peerSkb);
    f.peerSkb = -1;
  }

  /** A message of the flow is done: a window slot frees. */
  private endMessage(f: Flow): void {
    f.inflight--;
  }

  /** The flows start. */
  start(): void {
    for (const f of this.flows) {
      const w = this.net(f).workload;
      if (w.rateMsgs > 0) this.sim.at(this.rngs[f.vm]() * (1e9 / w.rateMsgs), Ev.FlowTimer, f.index, 0);
      else for (let i = 0; i < (w.mode === 'rr' ? 1 : w.window); i++) this.startMessage(f);
      this.flushPeer(f);
    }
  }

  resetStats(now: number): void {
    for (const l of this.loads) l.reset(now);
    for (const w of this.workers) { w.acct.reset(now); w.pollWindows = w.pollHits = w.buffers = 0; }
  }

  violations(windowNs: number): string[] {
    return netViolations(this, windowNs);
  }
}
