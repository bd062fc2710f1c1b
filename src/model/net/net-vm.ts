import { IntFifo } from '../../engine/int-fifo.js';
import { stream, type Rng } from '../../engine/random.js';
import { SimulatedRun } from '../simulated-run.js';
import { Histogram } from '../../stats/histogram.js';
import type { Costs } from '../costs.js';
import { Ev } from '../events.js';
import { setUpThread } from '../thread-setup.js';
import { HostCpu, type HostThread } from '../host-cpu.js';
import { InvariantError, littleViolation } from '../invariants.js';
import { Virtqueue } from '../virtqueue.js';
import type { NetConfig } from './config.js';
import { Link } from './link.js';
import { NetVcpu } from './net-vcpu.js';
import type { NetResult } from './result.js';
import { VhostWorker } from './vhost-worker.js';
import { Packets, type Flow, type QueuePair } from './queue-pair.js';

const DATA = 0, REQUEST = 1, RESPONSE = 2;
const TO_PEER = 0, TO_GUEST = 1;

/**
 * The virtio-net VM (MODEL.md section 7): flows on vCPUs send through TX virtqueues to vhost-net workers
 * (or QEMU) and the tap, over a wire of finite rate to a peer; the peer's data and responses come back
 * through the tap, vhost's RX and an interrupt on the queue's vCPU.
 */
export class NetVm extends SimulatedRun<NetResult> {
  readonly costs: Readonly<Costs>;
  readonly vcpus: NetVcpu[] = [];
  readonly workers: VhostWorker[] = [];
  readonly pairs: QueuePair[] = [];
  readonly flows: Flow[] = [];
  readonly packets = new Packets();
  readonly host: HostCpu | null = null;
  private readonly links: Link[];
  private readonly rng: Rng;
  readonly latency = new Histogram();
  bytes = 0;
  buffers = 0;
  transactions = 0;
  irqs = 0;
  private outstanding = 0;
  private outstandingArea = 0;
  private lastChange = 0;
  private maxOutstanding = 0;

  constructor(readonly config: NetConfig) {
    super(config);
    const c = config.costs, nic = config.nic, w = config.workload;
    this.costs = c;
    this.rng = stream(config.seed, config.pointKey, config.replication, 'flows');
    for (let v = 0; v < config.vcpus; v++) this.vcpus.push(new NetVcpu(v, this, config.haltPoll));
    const shared = nic.vhost ? null : new VhostWorker(0, this, 'qemu-main-loop', 'main-loop', true);
    if (shared) this.workers.push(shared);
    for (let q = 0; q < nic.queues; q++) {
      let worker = shared;
      if (!worker) {
        worker = new VhostWorker(this.workers.length, this, `vhost-${q}`, 'vhost', false);
        this.workers.push(worker);
      }
      const owner = nic.sharedVector ? 0 : q % config.vcpus;
      const vq = (i: number) => {
        const v = new Virtqueue(2 * q + i, 0, nic.queueSize, nic.packed, nic.eventIdx, owner, worker!.index);
        v.addNs = nic.packed ? c.ring_packed_add_ns : c.ring_split_add_ns;
        v.popNs = nic.packed ? c.ring_packed_pop_ns : c.ring_split_pop_ns;
        v.pushNs = nic.packed ? c.ring_packed_push_ns : c.ring_split_push_ns;
        v.reapNs = nic.packed ? c.ring_packed_reap_ns : c.ring_split_reap_ns;
        return v;
      };
      const pair: QueuePair = { index: q, tx: vq(1), rx: vq(0), tap: new IntFifo(64), qdisc: new IntFifo(16), txStopped: false, irqPending: false, worker, ownerVcpu: owner };
      worker.pairs.push(pair);
      this.pairs.push(pair);
    }
    const bytesOf = (p: number) => this.packets.bytes[p];
    this.links = [TO_PEER, TO_GUEST].map((i) => new Link(i, this.sim, config.peer.lineRateBps, config.peer.rttNs / 2, bytesOf));
    for (let f = 0; f < w.flows; f++) {
      const vcpu = f % config.vcpus;
      const guestSends = w.mode === 'rr' || w.direction === 'tx' || (w.direction === 'both' && f % 2 === 0);
      // XPS maps a CPU to a TX queue; tun spreads flows over the enabled queues by their hash.
      this.flows.push({ index: f, vcpu, txq: vcpu % nic.combined, rxq: flowHash(f) % nic.combined, guestSends, inflight: 0, toSend: 0, backlog: 0, sendQueued: false });
    }
    if (config.host) this.host = new HostCpu(config.host, this.sim, this.vcpus.length + this.workers.length);
    for (const t of [...this.vcpus, ...this.workers] as HostThread[]) setUpThread(t, config, this.host);
  }

  dispatch(kind: number, a: number, b: number): void {
    switch (kind) {
      case Ev.VcpuStepDone: this.vcpus[a].onStepDone(); break;
      case Ev.VcpuWake: this.vcpus[a].onWake(); break;
      case Ev.VcpuHaltPollEnd: this.vcpus[a].onHaltPollEnd(b); break;
      case Ev.VcpuIrq: this.vcpus[this.pairs[a].ownerVcpu].raiseIrq(a); break;
      case Ev.VhostStepDone: this.workers[a].onStepDone(); break;
      case Ev.VhostWake: this.workers[a].onWake(); break;
      case Ev.VhostPollTimeout: this.workers[a].onPollTimeout(b); break;
      case Ev.CoreGranted: this.host!.onGrantedEvent(a); break;
      case Ev.LinkDone: this.links[a].onDone(b); break;
      case Ev.Arrive: if (a === TO_PEER) this.atPeer(b); else this.atTap(b); break;
      case Ev.PeerRespond: this.links[TO_GUEST].send(b); break;
      case Ev.FlowAck: this.onAck(this.flows[a]); break;
      case Ev.FlowTimer: this.onTimer(this.flows[a]); break;
      case Ev.WarmupEnd: this.resetStats(); break;
    }
  }

  /** The guest's application writes one message: a buffer on the flow's TX queue. */
  newMessage(f: Flow): number {
    f.toSend--;
    return this.alloc(f, this.config.workload.mode === 'rr' ? REQUEST : DATA);
  }

  /** A message comes into being (written by the guest's or the peer's application); Little's L counts
   *  messages from here to their read. */
  private alloc(f: Flow, kind: number): number {
    this.track(1);
    return this.packets.alloc(f.index, this.config.workload.msgBytes, kind, this.sim.now);
  }

  private release(p: number): void {
    this.track(-1);
    this.packets.release(p);
  }

  /** After a send: the application writes its next message, if it has one. */
  afterSend(f: Flow): void {
    if (f.toSend > 0) this.vcpus[f.vcpu].queueSend(f);
  }

  /** vhost handed a TX buffer to the tap: onto the wire. */
  transmit(p: number): void {
    this.links[TO_PEER].send(p);
  }

  sendIrq(q: QueuePair): void {
    this.irqs++;
    if (q.irqPending) return;
    q.irqPending = true;
    this.sim.after(this.costs.irq_inject_ns, Ev.VcpuIrq, q.index, 0);
  }

  /** The guest's application read a buffer. */
  deliver(p: number): void {
    const f = this.flows[this.packets.flow[p]];
    if (this.packets.kind[p] === RESPONSE) {
      this.latency.record(this.sim.now - this.packets.t0[p]);
      this.transactions++;
      this.bytes += this.packets.bytes[p];
      this.release(p);
      this.endMessage(f);
      this.startMessage(f);
      return;
    }
    this.bytes += this.packets.bytes[p];
    this.release(p);
    this.sim.after(this.config.peer.rttNs / 2, Ev.FlowAck, f.index, 0);
  }

  private atPeer(p: number): void {
    const f = this.flows[this.packets.flow[p]];
    if (this.packets.kind[p] === REQUEST) {
      this.packets.kind[p] = RESPONSE;
      this.sim.after(this.config.peer.serviceNs, Ev.PeerRespond, 0, p);
      return;
    }
    this.bytes += this.packets.bytes[p];
    this.release(p);
    this.sim.after(this.config.peer.rttNs / 2, Ev.FlowAck, f.index, 0);
  }

  private atTap(p: number): void {
    const q = this.pairs[this.flows[this.packets.flow[p]].rxq];
    q.tap.push(p);
    q.worker.onTapData(q);
  }

  private onAck(f: Flow): void {
    this.endMessage(f);
    if (f.backlog > 0) {
      f.backlog--;
      this.startMessage(f);
    } else if (this.config.workload.rateMsgs === 0) {
      this.startMessage(f);
    }
  }

  private onTimer(f: Flow): void {
    if (f.inflight < this.config.workload.window) this.startMessage(f);
    else f.backlog++;
    this.sim.after(1e9 / this.config.workload.rateMsgs, Ev.FlowTimer, f.index, 0);
  }

  /** One more message of the flow in flight: the guest sends it, or the peer does. */
  private startMessage(f: Flow): void {
    if (f.inflight >= this.config.workload.window) return;
    f.inflight++;
    if (f.guestSends) {
      f.toSend++;
      this.vcpus[f.vcpu].queueSend(f);
    }
    else this.links[TO_GUEST].send(this.alloc(f, DATA));
  }

  /** A message of the flow is done: a window slot frees. */
  private endMessage(f: Flow): void {
    f.inflight--;
  }

  private track(delta: number): void {
    const now = this.sim.now;
    this.outstandingArea += this.outstanding * (now - this.lastChange);
    this.lastChange = now;
    this.outstanding += delta;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
  }

  private resetStats(): void {
    const now = this.sim.now;
    this.latency.reset();
    this.bytes = this.buffers = this.transactions = this.irqs = 0;
    this.track(0);
    this.outstandingArea = 0;
    for (const v of this.vcpus) { v.acct.reset(now); v.kicks = 0; }
    for (const w of this.workers) { w.acct.reset(now); w.pollWindows = w.pollHits = 0; }
    this.host?.resetStats(now);
  }

  /** The flows start and the end of warmup is due. */
  start(): void {
    const w = this.config.workload;
    for (const f of this.flows) {
      if (w.rateMsgs > 0) this.sim.at(this.rng() * (1e9 / w.rateMsgs), Ev.FlowTimer, f.index, 0);
      else for (let i = 0; i < (w.mode === 'rr' ? 1 : w.window); i++) this.startMessage(f);
    }
    this.sim.at(this.config.warmupNs, Ev.WarmupEnd, 0, 0);
  }

  finish(): NetResult {
    const cfg = this.config;
    const end = this.endNs;
    this.track(0);
    const threads = [...this.vcpus, ...this.workers].map((t) => t.acct);
    for (const t of threads) t.close(end);
    const result: NetResult = {
      variant: cfg.variant,
      windowNs: cfg.durationNs,
      bytes: this.bytes,
      buffers: this.buffers,
      transactions: this.transactions,
      latency: this.latency,
      threads: threads.map((t) => ({ name: t.name, role: t.role, busyNs: t.busyNs, pollNs: t.pollNs })),
      kicks: this.vcpus.reduce((s, v) => s + v.kicks, 0),
      irqs: this.irqs,
      pollWindows: this.workers.reduce((s, x) => s + x.pollWindows, 0),
      pollHits: this.workers.reduce((s, x) => s + x.pollHits, 0),
      meanOutstanding: this.outstandingArea / cfg.durationNs,
      events: this.sim.events,
    };
    this.checkInvariants(result);
    return result;
  }

  /** Messages conserved, rings within bounds, and Little's law for request/response. */
  private checkInvariants(r: NetResult): void {
    const broken: string[] = [];
    const inflight = this.flows.reduce((s, f) => s + f.inflight, 0);
    const unwritten = this.flows.reduce((s, f) => s + f.toSend, 0);
    if (this.packets.live !== this.outstanding) broken.push(`messages not conserved: ${this.packets.live} alive, ${this.outstanding} counted`);
    // In flight: written or not, alive, or delivered with its acknowledgement still on the way back.
    if (this.packets.live + unwritten > inflight) broken.push(`${this.packets.live} messages alive and ${unwritten} unwritten for ${inflight} in flight`);
    for (const f of this.flows) if (f.inflight > this.config.workload.window) broken.push(`flow ${f.index} has ${f.inflight} messages in flight, window ${this.config.workload.window}`);
    for (const q of this.pairs) {
      for (const vq of [q.tx, q.rx]) if (vq.maxInuse > vq.size) broken.push(`virtqueue ${vq.index} held ${vq.maxInuse}, size ${vq.size}`);
    }
    if (this.config.workload.mode === 'rr') {
      const oldest = this.packets.oldest();
      const little = littleViolation(r.meanOutstanding, r.transactions, r.windowNs, r.latency, this.maxOutstanding, oldest === Infinity ? 0 : this.sim.now - oldest);
      if (little) broken.push(little);
    }
    if (broken.length) throw new InvariantError(`invariants broken in variant ${r.variant}: ${broken.join('; ')}`);
  }
}

/** A 32-bit integer mix (splitmix-like), standing in for the flow hash tun computes over the 5-tuple. */
function flowHash(f: number): number {
  let x = Math.imul(f + 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
