import { Distribution } from '../../engine/distribution.js';
import { stream } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import type { Costs } from '../costs.js';
import { Ev } from '../events.js';
import type { HostThread } from '../host/host-cpu.js';
import type { Vcpu } from '../host/vcpu.js';
import type { AioEngine } from '../qemu/aio/engine.js';
import type { PoolWorker } from '../qemu/aio/pool-worker.js';
import { AioContext } from '../qemu/aio-context.js';
import { QemuProcesses } from '../qemu/processes.js';
import { SharedBlockState } from '../qemu/block-state.js';
import type { DiskBus, DiskEmulation, RequestSubmitter } from '../qemu/disk-emulation.js';
import { Device } from '../storage/device.js';
import { RequestTable } from '../storage/requests.js';
import { GUEST_WRITE_CACHE } from '../storage/cache-modes.js';
import { PageCache, type BlockTarget } from '../storage/page-cache.js';
import { Virtqueue } from '../virtio/virtqueue.js';
import type { VqServer } from '../virtio/vq-server.js';
import type { BackendServer, DiskBackend } from '../storage/backend-server.js';
import type { CpuAccount } from '../host/cpu-account.js';
import type { DeviceSide, ResultFrame } from '../host/device-side.js';
import { guestQueues, ownerOfQueue } from './blk-mq.js';
import { FioJobs } from './fio-jobs.js';
import { pageCacheSlots, randomHitRatio } from './page-cache-sizing.js';
import { BlkGuest, type Job } from './guest.js';
import { DispatchBudget } from './dispatch-budget.js';
import { blkViolations } from './invariants.js';
import { fioResult, type RunResult } from './result.js';
import type { BlkSetup, BlkVmSetup, DiskBackendKind } from './setup.js';
import type { BlkLoad } from './load.js';

/**
 * The virtio-blk side of a host: every VM's disks with their virtqueues, the AioContexts (main loop,
 * iothreads) that run their handlers, the aio engines and thread pools, the host's storage devices
 * (shared by the disks that name them), and fio's jobs. Indices are the host's: a VM's components
 * sit in these tables one VM after another. Events of these components come here by index.
 */
export class BlkWorld implements DeviceSide {
  readonly costs: Readonly<Costs>;
  readonly guest: BlkGuest;
  readonly vqs: Virtqueue[] = [];
  /** The VMs' QEMU processes: the AioContexts the disks' queues are registered with, their engines. */
  readonly qemu: QemuProcesses;
  /** Servers outside QEMU: vhost-scsi workers (a VM's) and vhost-user reactors (the host's). */
  readonly backends: BackendServer[] = [];
  /** The VM of each backend server, -1 for the host's reactors. */
  readonly vmOfBackend: number[] = [];
  /** Every queue's server, by the queue's `server`: AioContexts and backend servers. */
  readonly servers: VqServer[] = [];
  readonly devices: Device[] = [];
  readonly requests: RequestTable;
  /** The host's page cache, QEMU's write-through flushes and the guests' flushes: for disks in a cache mode
   *  other than none, and any disk a job fsyncs. */
  readonly pageCache: PageCache | null;
  /** Who takes each queue's device completions: its AioContext's aio engine, or its backend server. */
  private readonly completerOfVq: { onDeviceDone(r: number): void }[] = [];
  /** Scratch flags used by an AioContext to coalesce notifications per queue. */
  readonly vqTouched: Uint8Array;
  readonly blockState: SharedBlockState;
  /** Per disk (host-wide): 1 when the guest sees a volatile write cache (its fsyncs send flushes). */
  readonly guestWriteCache: Uint8Array;
  readonly schedLockNs: Float64Array;
  readonly schedContendedNs: Float64Array;
  readonly schedLockFreeAt: Float64Array;
  readonly budget: DispatchBudget;
  /** Thread-pool worker holding each request (aio=threads). */
  readonly workerOf: Int32Array;
  /** fio's jobs, the load of every VM's disks. */
  readonly fio: FioJobs;
  /** The VM of each disk (host-wide disk numbering). */
  private readonly vmOfDisk: number[] = [];
  /** Per disk: how its popped requests reach the engine (virtio-blk's MultiReqBuffer), and the device
   *  behind it. */
  private readonly submitters: RequestSubmitter[] = [];
  private readonly deviceOfDisk: number[] = [];
  /** Per device: its host driver's CPU per request on the submitting CPU (hostDriverNs). */
  private readonly driverNs: number[];
  /** Per disk (host-wide), the AioContexts that serve its queues. */
  private readonly contextsOfDisk: Set<AioContext>[] = [];
  /** Per disk: what a request's state shared by its AioContexts costs when it moves (block-state.ts). */
  private readonly sharedStateNs: number[] = [];
  /** The vhost-user target's reactors, and the next to take a controller. */
  private readonly reactors: BackendServer[];
  private reactorTurn = 0;
  /** Each queue server's index in `servers`. */
  private readonly serverOf = new Map<VqServer, number>();

  /**
   * `vcpuBase[v]` is VM v's first vCPU in the host's table; `driver` is this side's number in the
   * vCPUs' driver table; `setUpThread` places a thread of a VM on the host (pool workers spawn later).
   */
  constructor(
    readonly sim: Simulation,
    private readonly setup: BlkSetup,
    readonly vcpus: readonly Vcpu[],
    private readonly vcpuBase: readonly number[],
    driver: number,
    setUpThread: (t: HostThread, vm: number) => void,
    private readonly emulations: Readonly<Record<DiskBus, DiskEmulation>>,
    private readonly diskBackends: Readonly<Record<Exclude<DiskBackendKind, 'qemu'>, DiskBackend>>,
  ) {
    const s = setup, c = s.costs;
    this.costs = c;
    const capacity = s.vms.reduce((n, vm) => n + vm.jobs.reduce((m, j) => m + j.iodepth * j.numjobs, 0), 0);
    const cached = s.vms.some((vm) => vm.disks.some((d) => d.cache !== 'none'));
    const flushes = s.vms.some((vm) => vm.jobs.some((j) => j.fsync > 0));
    this.requests = new RequestTable(capacity + (cached ? pageCacheSlots(s) : 0));
    this.workerOf = new Int32Array(this.requests.capacity);
    this.guestWriteCache = new Uint8Array(s.vms.reduce((n, vm) => n + vm.disks.length, 0));
    this.schedLockNs = new Float64Array(this.guestWriteCache.length);
    this.schedContendedNs = new Float64Array(this.guestWriteCache.length);
    this.schedLockFreeAt = new Float64Array(this.guestWriteCache.length);
    this.guest = new BlkGuest(driver, this);
    // virtio_blk_device_realize grows the coroutine pool by num-queues x queue-size / 2 (QEMU >= 7.0).
    const poolExtra = s.vms.map((vm) => vm.disks.reduce((n, d) => n + (d.bus === 'virtio' && d.backend === 'qemu' ? (d.numQueues * d.queueSize) / 2 : 0), 0));
    this.qemu = new QemuProcesses(this, s.vms.map((vm) => vm.iothread), poolExtra, s.behaviour, c, setUpThread);
    this.fio = new FioJobs(this, s.vms);
    this.driverNs = s.devices.map((d) => (d.driver === 'nvme' ? c.nvme_queue_rq_ns + c.nvme_irq_ns : 0));
    s.devices.forEach((d, i) => {
      this.devices.push(new Device(i, d.name, {
        queueDepth: d.queueDepth, parallelism: d.parallelism, dispatch: d.dispatch,
        read: new Distribution(d.read), write: new Distribution(d.write),
        iopsCap: d.iopsCap, bwCap: d.bwCap, writeIopsCap: d.writeIopsCap, writeBwCap: d.writeBwCap,
      }, stream(s.seed, s.pointKey, s.replication, d.stream), this));
    });

    // The host's vhost-user target runs all its reactors, busy or not.
    this.reactors = s.vms.some((vm) => vm.disks.some((d) => d.backend === 'vhost-user'))
      ? Array.from({ length: s.vhostUser!.reactors }, (_, k) => this.addBackend(diskBackends['vhost-user'], `reactor${k}`, -1))
      : [];
    this.pageCache = cached || flushes ? new PageCache(s.pageCache, this, s.devices.map((d) => d.maxTransfer)) : null;
    const hitRatio = randomHitRatio(s);
    s.vms.forEach((vm, v) => {
      const rng = (name: string) => stream(s.seed, s.pointKey, s.replication, vm.streams + name);
      const firstVq: number[] = [];
      const firstDisk = this.submitters.length;
      /** A virtio-scsi controller's first virtqueue: its LUNs share its queues. */
      const controllers = new Map<string, number>();
      for (const d of vm.disks) {
        this.pageCache?.addDisk(d.cache, d.deviceIndex, hitRatio, rng(`cache:${d.name}`));
        const shared = d.controller === null ? undefined : controllers.get(d.controller);
        firstVq.push(shared ?? this.vqs.length);
        if (shared === undefined && d.controller !== null) controllers.set(d.controller, this.vqs.length);
        this.addDisk(v, vcpuBase[v], d, shared);
      }
      this.fio.add(vm, v, vcpuBase[v], firstVq, firstDisk, rng);
    });
    this.vqTouched = new Uint8Array(this.vqs.length);
    this.budget = new DispatchBudget(Int32Array.from(s.vms.flatMap((vm) => vm.disks.map((d) => d.lunQueueDepth))), this.vqs.length, this.requests.capacity);
    this.blockState = new SharedBlockState(this.contextsOfDisk.map((x) => x.size), this.sharedStateNs);
  }

  /** Disk d of VM v (`base` its first vCPU): its tables, and its virtqueues with their servers, unless it
   *  is a LUN of a virtio-scsi controller whose queues (from `shared`) are built already. */
  private addDisk(v: number, base: number, d: BlkVmSetup['disks'][number], shared: number | undefined): void {
    const s = this.setup, c = s.costs, vm = s.vms[v];
    const di = this.submitters.length;
    const emulation = this.emulations[d.bus];
    this.vmOfDisk.push(v);
    this.deviceOfDisk.push(d.deviceIndex);
    this.sharedStateNs.push(c.block_state_ns + emulation.sharedStateNs(c));
    this.submitters.push(emulation.submitter(this.requests, d.requestMerging, s.devices[d.deviceIndex].maxTransfer));
    // Servers outside QEMU advertise no volatile cache (LIO's emulate_write_cache is 0 by default;
    // an SPDK NVMe bdev on a drive with power-loss protection has none).
    this.guestWriteCache[di] = d.backend === 'qemu' && GUEST_WRITE_CACHE[d.cache] ? 1 : 0;
    if (d.scheduler === 'mq-deadline') {
      this.schedLockNs[di] = c.guest_mq_deadline_ns;
      this.schedContendedNs[di] = s.behaviour.mqDeadlineInsertLists ? c.guest_mq_deadline_lists_ns : c.guest_mq_deadline_contended_ns;
    } else if (d.scheduler === 'bfq') {
      this.schedLockNs[di] = c.guest_bfq_ns;
      this.schedContendedNs[di] = c.guest_bfq_contended_ns;
    }
    if (shared !== undefined) {
      this.contextsOfDisk.push(this.contextsOfDisk[this.vqs[shared].disk]);
      return;
    }
    this.contextsOfDisk.push(new Set());
    const queues = guestQueues(d.numQueues, vm.vcpus);
    const backend = d.backend === 'qemu' ? null : this.diskBackends[d.backend];
    // SPDK places each controller on its reactors in turn (the static scheduler).
    const reactor = d.backend === 'vhost-user' ? this.reactors[this.reactorTurn++ % this.reactors.length] : null;
    let worker: BackendServer | null = null;
    for (let q = 0; q < d.numQueues; q++) {
      let server: VqServer;
      if (backend === null) {
        server = this.qemu.contextOf(v, d.vqContexts[q]);
      } else {
        // vhost-scsi: one worker per device, or one per virtqueue (worker_per_virtqueue).
        if (reactor === null && (worker === null || d.workerPerVirtqueue)) {
          worker = this.addBackend(backend, `vhost-scsi-${d.name}${d.workerPerVirtqueue ? `-q${q}` : ''}`, v);
        }
        server = reactor ?? worker!;
      }
      if (!this.serverOf.has(server)) {
        this.serverOf.set(server, this.servers.length);
        this.servers.push(server);
      }
      const owner = base + (q < queues ? ownerOfQueue(q, queues, vm.vcpus) : 0);
      const vq = new Virtqueue(this.vqs.length, di, d.queueSize, d.ring === 'packed', d.eventIdx, owner, this.serverOf.get(server)!);
      vq.setRingCosts(c);
      this.vqs.push(vq);
      if (server instanceof AioContext) {
        this.contextsOfDisk[di].add(server);
        emulation.configure(vq, c);
        const engine = this.qemu.engineOf(server, d.aio);
        server.addVq(vq, engine);
        this.completerOfVq.push(engine);
      } else {
        backend!.configure(vq, c);
        (server as BackendServer).addVq(vq, d.deviceIndex);
        this.completerOfVq.push(server as BackendServer);
      }
    }
  }

  /** Every loop's poll list, once every device has registered its handlers. */
  setUpPolling(): void {
    const used = new Set(this.jobs.map((j) => j.vq));
    this.qemu.setUpPolling((vq) => used.has(vq.index));
  }

  private addBackend(kind: DiskBackend, name: string, vm: number): BackendServer {
    const b = kind.server(this.backends.length, name, this);
    this.backends.push(b);
    this.vmOfBackend.push(vm);
    return b;
  }


  /** A thread pool spawned a worker. */
  addWorker(w: PoolWorker): void {
    this.qemu.addWorker(w);
  }

  get ctxs(): readonly AioContext[] {
    return this.qemu.ctxs;
  }

  get workers(): readonly PoolWorker[] {
    return this.qemu.workers;
  }

  /** Where request r goes below QEMU: the host's page cache, or its disk's device. */
  deviceOf(r: number): BlockTarget {
    const d = this.requests.disk[r];
    if (this.pageCache !== null && (this.requests.flush[r] || this.pageCache.serves(d))) return this.pageCache;
    return this.devices[this.deviceOfDisk[d]];
  }

  /** What request r's device's host driver costs the CPU that submitted it (a drive's command and
   *  completion interrupt), for servers in the kernel; QEMU's fitted engine costs hold it. */
  hostDriverNs(r: number): number {
    return this.driverNs[this.deviceOfDisk[this.requests.disk[r]]];
  }

  /** The popped requests to the engine as the disk's device type hands them on. */
  submitPopped(vq: Virtqueue, popped: Int32Array, count: number, engine: AioEngine): void {
    this.submitters[vq.disk].submit(popped, count, engine);
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
    const vq = this.requests.vq[r];
    if (vq < 0) this.pageCache!.onInternalDone(r);
    else if (this.pageCache !== null && this.pageCache.serves(this.requests.disk[r])) this.pageCache.onDeviceDone(r);
    else this.completerOfVq[vq].onDeviceDone(r);
  }

  /** The page cache completed r (a hit, an absorbed write, a flushed write). */
  complete(r: number): void {
    this.completerOfVq[this.requests.vq[r]].onDeviceDone(r);
  }

  /** virtio_notify_irqfd: the interrupt reaches the queue's vCPU after the injection latency; one
   *  already on its way absorbs this one, as a pending MSI does. */
  sendIrq(vq: Virtqueue): void {
    this.loads[this.vmOfDisk[vq.disk]].irqs++;
    if (vq.irqPending) return;
    vq.irqPending = true;
    this.sim.after(this.costs.irq_inject_ns, Ev.BlkIrq, vq.index, 0);
  }

  readonly eventKinds = [
    Ev.BlkIrq, Ev.CtxStepDone, Ev.CtxWake, Ev.CtxPollTimer, Ev.DeviceDone, Ev.WorkerStepDone, Ev.WorkerWake,
    Ev.JobArrival, Ev.JobThinkEnd, Ev.JobStart, Ev.JobMeasure, Ev.JobStop, Ev.BackendStepDone, Ev.BackendWake, Ev.BackendTimer, Ev.CacheDone,
  ];

  receive(kind: number, a: number, b: number): void {
    switch (kind) {
      case Ev.BlkIrq: this.guest.raiseIrq(this.vqs[a]); break;
      case Ev.CtxStepDone: this.ctxs[a].onStepDone(); break;
      case Ev.CtxWake: this.ctxs[a].onWake(); break;
      case Ev.CtxPollTimer: this.ctxs[a].onPollTimer(); break;
      case Ev.DeviceDone: this.devices[a].onDone(b); break;
      case Ev.WorkerStepDone: { const w = this.workers[a]; w.pool.onWorkerStepDone(w); break; }
      case Ev.WorkerWake: this.workers[a].woken(); break;
      case Ev.JobArrival: this.fio.onArrival(this.fio.jobs[a]); break;
      case Ev.JobThinkEnd: this.fio.onThinkEnd(this.fio.jobs[a], b); break;
      case Ev.JobStart: this.fio.begin(this.fio.jobs[a]); break;
      case Ev.JobMeasure: this.fio.onMeasure(this.fio.jobs[a]); break;
      case Ev.JobStop: this.fio.onStop(this.fio.jobs[a]); break;
      case Ev.BackendStepDone: this.backends[a].onStepDone(); break;
      case Ev.BackendWake: this.backends[a].onWake(); break;
      case Ev.BackendTimer: this.backends[a].onTimer(b); break;
      case Ev.CacheDone: this.pageCache!.onCopyDone(b); break;
    }
  }

  /** The servers outside QEMU and fio's jobs start. */
  start(): void {
    for (const b of this.backends) b.start();
    this.fio.start(this.setup.warmupNs, this.setup.warmupNs + this.setup.durationNs);
  }

  get jobs(): readonly Job[] {
    return this.fio.jobs;
  }

  /** Per VM: what fio measured. */
  get loads(): readonly BlkLoad[] {
    return this.fio.loads;
  }

  /** The measurement window starts. */
  resetStats(now: number): void {
    this.fio.resetStats(now);
    this.qemu.resetStats(now);
    for (const b of this.backends) b.acct.reset(now);
    for (const d of this.devices) d.resetStats(now);
  }

  get maxThreads(): number {
    return this.ctxs.length + this.qemu.maxEngineThreads + this.backends.length;
  }

  /** The vhost-user target's reactors serve every VM's disks. */
  hostThreads(): { threads: HostThread[]; streams: string; cpusets: Record<string, number[]> } {
    const cpuset = this.setup.vhostUser?.cpuset;
    return { threads: this.backends.filter((_, i) => this.vmOfBackend[i] < 0), streams: 'vhost-user/', cpusets: cpuset ? { reactor: cpuset } : {} };
  }

  /** VM v's AioContexts, then its vhost-scsi workers (its pool workers join as they spawn). */
  threadsOf(v: number): HostThread[] {
    return [...this.qemu.contextsOf(v), ...this.backends.filter((_, i) => this.vmOfBackend[i] === v)];
  }

  accountsOf(v: number): CpuAccount[] {
    return [
      ...this.qemu.contextsOf(v).map((x) => x.acct),
      ...this.workers.filter((w) => this.qemu.vmOfCtx[w.pool.ctx] === v).map((w) => w.acct),
      ...this.backends.filter((_, i) => this.vmOfBackend[i] === v).map((b) => b.acct),
    ];
  }

  close(end: number): void {
    for (const l of this.loads) {
      l.inFlight.track(0, end);
      l.finish(end);
    }
    for (const j of this.jobs) if (!j.stopped) j.inFlight.track(0, end);
  }

  violations(windowNs: number): string[] {
    return blkViolations(this, windowNs);
  }

  /** What VM v's fio measured, null for a VM without disks. */
  resultOf(v: number, f: ResultFrame): RunResult | null {
    if (this.setup.vms[v].disks.length === 0) return null;
    const util = this.vmOfDisk.flatMap((x, d) => (x === v ? [this.devices[this.deviceOfDisk[d]].utilization(f.endNs, f.windowNs)] : []));
    return fioResult(this.loads[v], this.jobs.filter((j) => j.vm === v), this.qemu.contextsOf(v), util, this.vcpuBase[v], f);
  }
}
