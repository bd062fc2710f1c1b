import { Distribution } from '../engine/distribution.js';
import { stream } from '../engine/random.js';
import { SimulatedRun } from './simulated-run.js';
import { Histogram } from '../stats/histogram.js';
import type { AioEngine } from './aio/engine.js';
import { IoUringAio } from './aio/io-uring.js';
import { NativeAio } from './aio/native.js';
import { THREAD_POOL_MAX, ThreadsAio, type PoolWorker } from './aio/threads.js';
import { guestQueues, ownerOfQueue, queueOfVcpu } from './blk-mq.js';
import type { Costs } from './costs.js';
import { MAIN_LOOP, type AioKind, type ModelConfig } from './config.js';
import { Device } from './device.js';
import { HostCpu } from './host-cpu.js';
import { setUpThread } from './thread-setup.js';
import { Ev } from './events.js';
import { Job, Vcpu } from './guest.js';
import { AioContext } from './iothread.js';
import { RequestTable } from './requests.js';
import { checkInvariants } from './invariants.js';
import type { RunResult } from './result.js';
import { MultiReqBuffer } from './multireq.js';
import { Virtqueue } from './virtqueue.js';

/** Room between the regions of sequential job clones, far beyond what a run reaches. */
const JOB_REGION_BYTES = 2 ** 40;

/**
 * One simulated VM: builds the topology from a ModelConfig, routes events to its components, and runs.
 * Components reach each other through this object; the engine sees only `dispatch`.
 */
export class Vm extends SimulatedRun<RunResult> {
  readonly costs: Readonly<Costs>;
  readonly vcpus: Vcpu[] = [];
  readonly jobs: Job[] = [];
  readonly vqs: Virtqueue[] = [];
  readonly ctxs: AioContext[] = [];
  readonly devices: Device[] = [];
  /** Per disk: its MultiReqBuffer (request merging). */
  readonly mrbs: MultiReqBuffer[] = [];
  readonly workers: PoolWorker[] = [];
  /** Host cores and their scheduler; null without a host: section. */
  readonly host: HostCpu | null = null;
  readonly requests: RequestTable;
  readonly engineOfVq: AioEngine[] = [];
  /** Scratch flags used by an AioContext to coalesce notifications per queue. */
  readonly vqTouched: Uint8Array;
  /** Thread-pool worker holding each request (aio=threads). */
  readonly workerOf: Int32Array;
  private readonly diskOfVq: Int32Array;

  readonly latency = new Histogram();
  ios = 0;
  reads = 0;
  bytes = 0;
  irqs = 0;
  issuedTotal = 0;
  reapedTotal = 0;
  /** Little's law: I/Os in flight (fio's view) and its time integral. */
  outstanding = 0;
  maxOutstanding = 0;
  outstandingArea = 0;
  private lastOutstandingChange = 0;
  windowStart = 0;

  constructor(readonly config: ModelConfig) {
    super(config);
    const c = config.costs;
    this.costs = c;
    const rng = (component: string) => stream(config.seed, config.pointKey, config.replication, component);

    for (let v = 0; v < config.vcpus; v++) this.vcpus.push(new Vcpu(v, this, config.haltPoll));

    const ctxByName = new Map<string, AioContext>();
    const contextFor = (name: string): AioContext => {
      let ctx = ctxByName.get(name);
      if (!ctx) {
        const main = name === MAIN_LOOP;
        const poll = main ? { pollMaxNs: 0, pollGrow: 0, pollShrink: 0 } : config.iothread;
        ctx = new AioContext(this.ctxs.length, name, main, {
          ...poll, pollPerHandler: config.behaviour.pollPerHandler, fdmon: main ? 'poll' : config.iothread.fdmon,
        }, this);
        ctxByName.set(name, ctx);
        this.ctxs.push(ctx);
      }
      return ctx;
    };
    const engines = new Map<string, AioEngine>();
    const engineFor = (ctx: AioContext, kind: AioKind): AioEngine => {
      const key = `${ctx.index}/${kind}`;
      let e = engines.get(key);
      if (!e) {
        const batch = config.iothread.aioMaxBatch || config.behaviour.nativeDefaultBatch;
        e = kind === 'native' ? new NativeAio(ctx.index, this, batch, config.behaviour.linuxAioMaxEvents, c)
          : kind === 'io_uring' ? new IoUringAio(ctx.index, this, c)
          : new ThreadsAio(ctx.index, this, c, ctx.name);
        engines.set(key, e);
        ctx.engines.push(e);
      }
      return e;
    };

    const firstVq: number[] = [];
    const diskOfVq: number[] = [];
    config.disks.forEach((d, di) => {
      const p = d.device;
      this.devices.push(new Device(di, d.name, {
        queueDepth: p.queueDepth, parallelism: p.parallelism,
        read: new Distribution(p.read), write: new Distribution(p.write),
        iopsCap: p.iopsCap, bwCap: p.bwCap,
      }, rng(`device:${d.name}`), this));
      firstVq.push(this.vqs.length);
      const queues = guestQueues(d.numQueues, config.vcpus);
      const packed = d.ring === 'packed';
      for (let q = 0; q < d.numQueues; q++) {
        const ctx = contextFor(d.vqContexts[q]);
        const owner = q < queues ? ownerOfQueue(q, queues, config.vcpus) : 0;
        const vq = new Virtqueue(this.vqs.length, di, d.queueSize, packed, d.eventIdx, owner, ctx.index);
        vq.addNs = packed ? c.ring_packed_add_ns : c.ring_split_add_ns;
        vq.popNs = packed ? c.ring_packed_pop_ns : c.ring_split_pop_ns;
        vq.pushNs = packed ? c.ring_packed_push_ns : c.ring_split_push_ns;
        vq.reapNs = packed ? c.ring_packed_reap_ns : c.ring_split_reap_ns;
        this.vqs.push(vq);
        diskOfVq.push(di);
        ctx.addVq(vq);
        this.engineOfVq.push(engineFor(ctx, d.aio));
      }
    });
    this.diskOfVq = Int32Array.from(diskOfVq);
    this.vqTouched = new Uint8Array(this.vqs.length);

    let clone = 0;
    let capacity = 0;
    for (const j of config.jobs) {
      const d = config.disks[j.disk];
      const queues = guestQueues(d.numQueues, config.vcpus);
      const readFraction = j.rw === 'read' || j.rw === 'randread' ? 1
        : j.rw === 'write' || j.rw === 'randwrite' ? 0 : j.rwmixread / 100;
      for (let k = 0; k < j.numjobs; k++, clone++) {
        const vcpu = clone % config.vcpus;
        const vq = firstVq[j.disk] + queueOfVcpu(vcpu, queues, config.vcpus);
        const job = new Job(this.jobs.length, vcpu, vq, j.iodepth, readFraction, j.bs,
          j.rateIops > 0 ? 1e9 / j.rateIops : 0, j.rateProcess === 'poisson', j.thinktimeNs, j.batchSubmit, j.batchCompleteMin, j.batchCompleteMax, rng(`job:${j.name}:${k}`));
        if (j.rw === 'read' || j.rw === 'write' || j.rw === 'rw') {
          // Each clone reads or writes its own region sequentially (as fio with offset_increment).
          job.sequential = true;
          job.nextOffset = clone * JOB_REGION_BYTES;
        }
        this.jobs.push(job);
        capacity += j.iodepth;
      }
    }
    this.requests = new RequestTable(capacity);
    for (const d of config.disks) this.mrbs.push(new MultiReqBuffer(this.requests, d.requestMerging, d.device.maxTransfer));
    const used = new Set(this.jobs.map((j) => j.vq));
    for (const ctx of this.ctxs) ctx.setUpPolling((vq) => used.has(vq.index));
    this.workerOf = new Int32Array(capacity);

    if (config.host) {
      const pools = this.ctxs.reduce((n, x) => n + x.engines.filter((e) => e instanceof ThreadsAio).length, 0);
      this.host = new HostCpu(config.host, this.sim, this.vcpus.length + this.ctxs.length + pools * THREAD_POOL_MAX);
    }
    for (const t of [...this.vcpus, ...this.ctxs]) setUpThread(t, config, this.host);
  }

  /** A thread pool spawned a worker. */
  addWorker(w: PoolWorker): void {
    this.workers.push(w);
    setUpThread(w, this.config, this.host);
  }

  dispatch(kind: number, a: number, b: number): void {
    switch (kind) {
      case Ev.VcpuStepDone: this.vcpus[a].onStepDone(); break;
      case Ev.VcpuWake: this.vcpus[a].onWake(); break;
      case Ev.VcpuIrq: { const vq = this.vqs[a]; this.vcpus[vq.ownerVcpu].raiseIrq(a); break; }
      case Ev.CtxStepDone: this.ctxs[a].onStepDone(); break;
      case Ev.CtxWake: this.ctxs[a].onWake(); break;
      case Ev.CtxPollTimeout: this.ctxs[a].onPollTimeout(b); break;
      case Ev.CtxPollFound: this.ctxs[a].onPollFound(b); break;
      case Ev.DeviceStart: this.devices[a].serve(b); break;
      case Ev.DeviceDone: this.devices[a].onDone(b); break;
      case Ev.WorkerStepDone: { const w = this.workers[a]; w.pool.onWorkerStepDone(w); break; }
      case Ev.WorkerWake: this.workers[a].woken(); break;
      case Ev.CoreGranted: this.host!.onGrantedEvent(a); break;
      case Ev.VcpuHaltPollEnd: this.vcpus[a].onHaltPollEnd(b); break;
      case Ev.JobArrival: this.onArrival(this.jobs[a]); break;
      case Ev.JobThinkEnd: this.onThinkEnd(this.jobs[a], b); break;
      case Ev.WarmupEnd: this.resetStats(); break;
    }
  }

  deviceOf(r: number): Device {
    return this.devices[this.diskOfVq[this.requests.vq[r]]];
  }

  /** A request that waited in the host got its device slot. */
  onAdmitted(r: number): void {
    const ctx = this.requests.blocker[r];
    if (ctx >= 0) {
      this.requests.blocker[r] = -1;
      this.ctxs[ctx].onAdmitted();
    }
  }

  onDeviceDone(r: number): void {
    this.engineOfVq[this.requests.vq[r]].onDeviceDone(r);
  }

  /** virtio_notify_irqfd: the interrupt reaches the queue's vCPU after the injection latency; one
   *  already on its way absorbs this one, as a pending MSI does. */
  sendIrq(vq: Virtqueue): void {
    this.irqs++;
    if (vq.irqPending) return;
    vq.irqPending = true;
    this.sim.after(this.costs.irq_inject_ns, Ev.VcpuIrq, vq.index, 0);
  }

  /** fio issues one I/O of the job: returns the request. */
  issue(job: Job): number {
    job.toSubmit--;
    if (++job.inflight > job.maxInflight) job.maxInflight = job.inflight;
    this.trackOutstanding(1);
    this.issuedTotal++;
    const write = job.readFraction >= 1 ? false : job.readFraction <= 0 ? true : job.rng() >= job.readFraction;
    const r = this.requests.alloc(job.index, job.vq, write, this.sim.now);
    this.requests.bytes[r] = job.bytes;
    if (job.sequential) {
      this.requests.offset[r] = job.nextOffset;
      job.nextOffset += job.bytes;
    }
    return r;
  }

  /** fio reaps n completed I/Os of the job (io_getevents) and refills its iodepth. */
  reap(job: Job, n: number): void {
    const now = this.sim.now, req = this.requests;
    for (let i = 0; i < n; i++) {
      const r = job.done.shift();
      this.latency.record(now - req.issued[r]);
      this.ios++;
      if (!req.write[r]) this.reads++;
      this.bytes += req.bytes[r];
      req.release(r);
    }
    job.inflight -= n;
    this.reapedTotal += n;
    this.trackOutstanding(-n);
    if (job.arrivalGap === 0) {
      if (job.thinkNs > 0) {
        this.sim.after(job.thinkNs, Ev.JobThinkEnd, job.index, n);
        return;
      }
      job.toSubmit += n;
    } else {
      const take = Math.min(job.backlog, n);
      job.backlog -= take;
      job.toSubmit += take;
    }
    if (job.toSubmit > 0) this.vcpus[job.vcpu].queueSubmit(job);
  }

  private onArrival(job: Job): void {
    if (job.inflight + job.toSubmit < job.iodepth) {
      job.toSubmit++;
      this.vcpus[job.vcpu].queueSubmit(job);
    } else {
      job.backlog++;
    }
    this.sim.after(this.arrivalGap(job), Ev.JobArrival, job.index, 0);
  }

  /** fio's thinktime is over: the n slots it held are issued again. */
  private onThinkEnd(job: Job, n: number): void {
    job.toSubmit += n;
    this.vcpus[job.vcpu].queueSubmit(job);
  }

  private arrivalGap(job: Job): number {
    return job.poissonArrivals ? -job.arrivalGap * Math.log(1 - job.rng()) : job.arrivalGap;
  }

  private trackOutstanding(delta: number): void {
    const now = this.sim.now;
    this.outstandingArea += this.outstanding * (now - this.lastOutstandingChange);
    this.lastOutstandingChange = now;
    this.outstanding += delta;
    if (this.outstanding > this.maxOutstanding) this.maxOutstanding = this.outstanding;
  }

  private resetStats(): void {
    const now = this.sim.now;
    this.windowStart = now;
    this.latency.reset();
    this.ios = this.reads = this.bytes = this.irqs = 0;
    this.trackOutstanding(0);
    this.outstandingArea = 0;
    for (const v of this.vcpus) { v.acct.reset(now); v.kicks = 0; }
    for (const x of this.ctxs) { x.acct.reset(now); x.iterations = x.pollWindows = x.pollHits = x.wakeups = x.submitBlocks = 0; }
    for (const w of this.workers) w.acct.reset(now);
    for (const d of this.devices) d.resetStats(now);
    this.host?.resetStats(now);
  }

  /** The jobs start and the end of warmup is due. */
  start(): void {
    for (const job of this.jobs) {
      if (job.arrivalGap > 0) {
        this.sim.at(job.poissonArrivals ? this.arrivalGap(job) : 0, Ev.JobArrival, job.index, 0);
      } else {
        job.toSubmit = job.iodepth;
        this.vcpus[job.vcpu].queueSubmit(job);
      }
    }
    this.sim.at(this.config.warmupNs, Ev.WarmupEnd, 0, 0);
  }

  /** The measurements of the window after warmup, once the end is reached; checks the invariants. */
  finish(): RunResult {
    const cfg = this.config;
    const end = this.endNs;
    this.trackOutstanding(0);
    const threads = [...this.vcpus.map((v) => v.acct), ...this.ctxs.map((x) => x.acct), ...this.workers.map((w) => w.acct)];
    for (const t of threads) t.close(end);
    const result: RunResult = {
      variant: cfg.variant,
      replication: cfg.replication,
      windowNs: cfg.durationNs,
      ios: this.ios,
      reads: this.reads,
      bytes: this.bytes,
      latency: this.latency,
      threads: threads.map((t) => ({ name: t.name, role: t.role, busyNs: t.busyNs, pollNs: t.pollNs })),
      kicks: this.vcpus.reduce((s, v) => s + v.kicks, 0),
      irqs: this.irqs,
      pollWindows: this.ctxs.reduce((s, x) => s + x.pollWindows, 0),
      pollHits: this.ctxs.reduce((s, x) => s + x.pollHits, 0),
      deviceUtil: this.devices.map((d) => d.utilization(end, cfg.durationNs)),
      meanOutstanding: this.outstandingArea / cfg.durationNs,
      coreUtil: this.host && cfg.host!.cores > 0 ? this.host.coreUtilization(end, cfg.durationNs) : [],
      runqWaitNs: this.host ? this.host.waitNs : 0,
      coreAcquisitions: this.host ? this.host.acquisitions : 0,
      events: this.sim.events,
    };
    checkInvariants(this, result);
    return result;
  }
}
