import { Distribution } from '../../engine/distribution.js';
import { stream } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import type { Costs } from '../costs.js';
import { Ev } from '../events.js';
import type { HostThread } from '../host/host-cpu.js';
import type { Vcpu } from '../host/vcpu.js';
import type { AioEngine, AioKind } from '../qemu/aio/engine.js';
import type { PoolWorker } from '../qemu/aio/pool-worker.js';
import { aioEngine } from '../qemu/aio/registry.js';
import { AioContext } from '../qemu/aio-context.js';
import { SharedBlockState } from '../qemu/block-state.js';
import type { DiskBus, DiskEmulation, RequestSubmitter } from '../qemu/disk-emulation.js';
import { MAIN_LOOP } from '../qemu/iothread-mapping.js';
import { Device, type DeviceConfig } from '../storage/device.js';
import { RequestTable } from '../storage/requests.js';
import { GUEST_WRITE_CACHE, PageCache, type BlockTarget, type CacheMode, type PageCacheParams } from '../storage/page-cache.js';
import { Virtqueue } from '../virtio/virtqueue.js';
import type { VqServer } from '../virtio/vq-server.js';
import type { BackendServer, DiskBackend } from '../storage/backend-server.js';
import type { Behaviour } from '../versions.js';
import { guestQueues, ownerOfQueue, queueOfVcpu } from './blk-mq.js';
import { BlkGuest, Job } from './guest.js';
import { depthBucket, FioJobStats } from './fio-stats.js';
import { BlkLoad } from './load.js';

/** Who serves a disk's virtqueues: QEMU, a kernel vhost worker (vhost-scsi), a vhost-user target. */
export type DiskBackendKind = 'qemu' | 'vhost' | 'vhost-user';

/** Room between the regions of sequential job clones, far beyond what a run reaches. */
const JOB_REGION_BYTES = 2 ** 40;

/** What the virtio-blk side of a host is built from (the model's config, narrowed). */
export interface BlkSetup {
  seed: number;
  pointKey: string;
  replication: number;
  costs: Readonly<Costs>;
  behaviour: Behaviour;
  devices: readonly (DeviceConfig & { stream: string })[];
  vms: readonly BlkVmSetup[];
  /** The vhost-user target's reactors, when a disk has backend vhost-user. */
  vhostUser: { reactors: number } | null;
  pageCache: PageCacheParams;
}

export interface BlkVmSetup {
  streams: string;
  vcpus: number;
  iothread: { pollMaxNs: number; pollGrow: number; pollShrink: number; aioMaxBatch: number; fdmon: 'io_uring' | 'poll' };
  disks: readonly {
    name: string; deviceIndex: number; numQueues: number; queueSize: number; ring: 'split' | 'packed';
    eventIdx: boolean; aio: AioKind; scheduler: 'none' | 'mq-deadline'; requestMerging: boolean; vqContexts: readonly string[];
    bus: DiskBus; controller: string | null; backend: DiskBackendKind; workerPerVirtqueue: boolean; cache: CacheMode;
  }[];
  jobs: readonly {
    name: string; disk: number; rw: string; rwmixread: number; bs: number; bssplit: readonly { bytes: number; share: number }[];
    iodepth: number; numjobs: number;
    rateIops: number; rateProcess: 'linear' | 'poisson'; thinktimeNs: number;
    batchSubmit: number; batchCompleteMin: number; batchCompleteMax: number; sizeBytes: number; fsync: number;
  }[];
}

/**
 * The chance a random read finds its pages in the host's page cache, in steady state: the cache's
 * share of the working sets of every disk it holds (a disk's: the largest fio size among its random
 * jobs, which share the disk's region; none given, the whole disk, larger than any cache).
 */
function randomHitRatio(s: BlkSetup): number {
  let working = 0;
  for (const vm of s.vms) {
    vm.disks.forEach((d, i) => {
      if (d.cache === 'none' || d.cache === 'directsync') return;
      const random = vm.jobs.filter((j) => j.disk === i && j.rw !== 'read' && j.rw !== 'write' && j.rw !== 'rw');
      working += random.some((j) => j.sizeBytes === 0) ? Infinity : Math.max(0, ...random.map((j) => j.sizeBytes));
    });
  }
  return working === 0 ? 1 : Math.min(1, s.pageCache.sizeBytes / working);
}

/** Room in the request table for the page cache's own I/Os: writeback up to each device's queue depth,
 *  and per sequential reader the read-ahead windows its reads in flight may need, one ahead. */
function pageCacheSlots(s: BlkSetup): number {
  let slots = s.devices.reduce((n, d) => n + d.queueDepth, 0);
  for (const vm of s.vms) {
    for (const j of vm.jobs) {
      const largest = Math.max(j.bs, ...j.bssplit.map((e) => e.bytes));
      slots += j.numjobs * (j.iodepth * (Math.ceil(largest / s.pageCache.readAheadBytes) + 1) + 1);
    }
  }
  return slots;
}

/** The size of a bssplit entry drawn with u in [0, 1). */
function splitSize(bytes: Float64Array, cum: Float64Array, u: number): number {
  let k = 0;
  while (k < bytes.length - 1 && u >= cum[k]) k++;
  return bytes[k];
}

/** The share of a job's I/Os that are reads. */
function readFractionOf(j: { rw: string; rwmixread: number }): number {
  return j.rw === 'read' || j.rw === 'randread' ? 1 : j.rw === 'write' || j.rw === 'randwrite' ? 0 : j.rwmixread / 100;
}

/**
 * The virtio-blk side of a host: every VM's disks with their virtqueues, the AioContexts (main loop,
 * iothreads) that run their handlers, the aio engines and thread pools, the host's storage devices
 * (shared by the disks that name them), and fio's jobs. Indices are the host's: a VM's components
 * sit in these tables one VM after another. Events of these components come here by index.
 */
export class BlkWorld {
  readonly costs: Readonly<Costs>;
  readonly guest: BlkGuest;
  readonly jobs: Job[] = [];
  readonly vqs: Virtqueue[] = [];
  readonly ctxs: AioContext[] = [];
  /** Servers outside QEMU: vhost-scsi workers (a VM's) and vhost-user reactors (the host's). */
  readonly backends: BackendServer[] = [];
  /** The VM of each backend server, -1 for the host's reactors. */
  readonly vmOfBackend: number[] = [];
  /** Every queue's server, by the queue's `server`: AioContexts and backend servers. */
  readonly servers: VqServer[] = [];
  readonly devices: Device[] = [];
  readonly workers: PoolWorker[] = [];
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
  /** Thread-pool worker holding each request (aio=threads). */
  readonly workerOf: Int32Array;
  /** Per VM: what fio measured. */
  readonly loads: BlkLoad[];
  /** The VM of each AioContext and each disk (host-wide disk numbering). */
  readonly vmOfCtx: number[] = [];
  private readonly vmOfDisk: number[] = [];
  /** Per disk: how its popped requests reach the engine (virtio-blk's MultiReqBuffer), and the device
   *  behind it. */
  private readonly submitters: RequestSubmitter[] = [];
  private readonly deviceOfDisk: number[] = [];
  /** The AioContexts by VM and name. */
  private readonly ctxByName = new Map<string, AioContext>();
  /** Threads the engines may spawn at most (thread pools), for sizing the host's tables. */
  maxEngineThreads = 0;

  /**
   * `vcpuBase[v]` is VM v's first vCPU in the host's table; `driver` is this side's number in the
   * vCPUs' driver table; `setUpThread` places a thread of a VM on the host (pool workers spawn later).
   */
  constructor(
    readonly sim: Simulation,
    private readonly setup: BlkSetup,
    readonly vcpus: readonly Vcpu[],
    vcpuBase: readonly number[],
    driver: number,
    private readonly setUpThread: (t: HostThread, vm: number) => void,
    emulations: Readonly<Record<DiskBus, DiskEmulation>>,
    backends: Readonly<Record<Exclude<DiskBackendKind, 'qemu'>, DiskBackend>>,
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
    this.loads = s.vms.map((vm) => new BlkLoad(vm.jobs.map((j) => {
      const reads = readFractionOf(j);
      return new FioJobStats(reads > 0, reads < 1);
    })));
    const rng = (streams: string, component: string) => stream(s.seed, s.pointKey, s.replication, streams + component);
    s.devices.forEach((d, i) => {
      this.devices.push(new Device(i, d.name, {
        queueDepth: d.queueDepth, parallelism: d.parallelism, dispatch: d.dispatch,
        read: new Distribution(d.read), write: new Distribution(d.write),
        iopsCap: d.iopsCap, bwCap: d.bwCap,
      }, stream(s.seed, s.pointKey, s.replication, d.stream), this));
    });

    const serverOf = new Map<VqServer, number>();
    // The host's vhost-user target runs all its reactors, busy or not.
    const reactors = s.vms.some((vm) => vm.disks.some((d) => d.backend === 'vhost-user'))
      ? Array.from({ length: s.vhostUser!.reactors }, (_, k) => this.addBackend(backends['vhost-user'], `reactor${k}`, -1))
      : [];
    let reactorTurn = 0;
    /** Per disk (host-wide), the AioContexts that serve its queues. */
    const contextsOfDisk: Set<AioContext>[] = [];
    this.pageCache = cached || flushes ? new PageCache(s.pageCache, this, s.devices.map((d) => d.maxTransfer)) : null;
    const hitRatio = randomHitRatio(s);
    s.vms.forEach((vm, v) => {
      const base = vcpuBase[v];
      const contextFor = (name: string) => this.contextOf(v, name);
      const engines = new Map<string, AioEngine>();
      const engineFor = (ctx: AioContext, name: AioKind): AioEngine => {
        const key = `${ctx.index}/${name}`;
        let e = engines.get(key);
        if (!e) {
          const kind = aioEngine(name);
          e = kind.create({ ctx: ctx.index, ctxName: ctx.name, owner: this, costs: c, behaviour: s.behaviour, aioMaxBatch: vm.iothread.aioMaxBatch });
          this.maxEngineThreads += kind.maxThreads;
          engines.set(key, e);
          ctx.engines.push(e);
        }
        return e;
      };

      const firstVq: number[] = [];
      const firstDisk = this.submitters.length;
      /** A virtio-scsi controller's first virtqueue: its LUNs share its queues. */
      const controllers = new Map<string, number>();
      for (const d of vm.disks) {
        const di = this.submitters.length;
        const emulation = emulations[d.bus];
        this.vmOfDisk.push(v);
        this.deviceOfDisk.push(d.deviceIndex);
        this.submitters.push(emulation.submitter(this.requests, d.requestMerging, s.devices[d.deviceIndex].maxTransfer));
        this.pageCache?.addDisk(d.cache, d.deviceIndex, hitRatio, rng(vm.streams, `cache:${d.name}`));
        // Servers outside QEMU advertise no volatile cache (LIO's emulate_write_cache is 0 by default;
        // an SPDK NVMe bdev on a drive with power-loss protection has none).
        this.guestWriteCache[di] = d.backend === 'qemu' && GUEST_WRITE_CACHE[d.cache] ? 1 : 0;
        if (d.scheduler === 'mq-deadline') {
          this.schedLockNs[di] = c.guest_mq_deadline_ns;
          this.schedContendedNs[di] = s.behaviour.mqDeadlineInsertLists ? c.guest_mq_deadline_lists_ns : c.guest_mq_deadline_contended_ns;
        }
        const shared = d.controller === null ? undefined : controllers.get(d.controller);
        if (shared !== undefined) {
          firstVq.push(shared);
          contextsOfDisk.push(contextsOfDisk[this.vqs[shared].disk]);
          continue;
        }
        contextsOfDisk.push(new Set());
        if (d.controller !== null) controllers.set(d.controller, this.vqs.length);
        firstVq.push(this.vqs.length);
        const queues = guestQueues(d.numQueues, vm.vcpus);
        const packed = d.ring === 'packed';
        const backend = d.backend === 'qemu' ? null : backends[d.backend];
        let reactor: BackendServer | null = null;
        if (d.backend === 'vhost-user') {
          // SPDK places each controller on its reactors in turn (the static scheduler).
          reactor = reactors[reactorTurn++ % reactors.length];
        }
        let worker: BackendServer | null = null;
        for (let q = 0; q < d.numQueues; q++) {
          const owner = base + (q < queues ? ownerOfQueue(q, queues, vm.vcpus) : 0);
          let server: VqServer;
          if (backend === null) {
            server = contextFor(d.vqContexts[q]);
          } else {
            // vhost-scsi: one worker per device, or one per virtqueue (worker_per_virtqueue).
            if (reactor === null && (worker === null || d.workerPerVirtqueue)) {
              worker = this.addBackend(backend, `vhost-scsi-${d.name}${d.workerPerVirtqueue ? `-q${q}` : ''}`, v);
            }
            server = reactor ?? worker!;
          }
          if (!serverOf.has(server)) {
            serverOf.set(server, this.servers.length);
            this.servers.push(server);
          }
          const vq = new Virtqueue(this.vqs.length, di, d.queueSize, packed, d.eventIdx, owner, serverOf.get(server)!);
          vq.addNs = packed ? c.ring_packed_add_ns : c.ring_split_add_ns;
          vq.popNs = packed ? c.ring_packed_pop_ns : c.ring_split_pop_ns;
          vq.pushNs = packed ? c.ring_packed_push_ns : c.ring_split_push_ns;
          vq.reapNs = packed ? c.ring_packed_reap_ns : c.ring_split_reap_ns;
          this.vqs.push(vq);
          if (server instanceof AioContext) {
            contextsOfDisk[di].add(server);
            emulation.configure(vq, c);
            const engine = engineFor(server, d.aio);
            server.addVq(vq, engine);
            this.completerOfVq.push(engine);
          } else {
            backend!.configure(vq, c);
            (server as BackendServer).addVq(vq, d.deviceIndex);
            this.completerOfVq.push(server as BackendServer);
          }
        }
      }

      let clone = 0;
      vm.jobs.forEach((j, section) => {
        const d = vm.disks[j.disk];
        const queues = guestQueues(d.numQueues, vm.vcpus);
        const readFraction = readFractionOf(j);
        for (let k = 0; k < j.numjobs; k++, clone++) {
          const vcpu = clone % vm.vcpus;
          const vq = firstVq[j.disk] + queueOfVcpu(vcpu, queues, vm.vcpus);
          const job = new Job(this.jobs.length, v, base + vcpu, vq, j.iodepth, readFraction, j.bs,
            j.rateIops > 0 ? 1e9 / j.rateIops : 0, j.rateProcess === 'poisson', j.thinktimeNs, j.batchSubmit,
            j.batchCompleteMin, j.batchCompleteMax, rng(vm.streams, `job:${j.name}:${k}`), this.loads[v].jobs[section]);
          job.disk = firstDisk + j.disk;
          job.name = j.name;
          job.clone = k;
          job.fsyncEvery = j.fsync;
          if (j.bssplit.length > 0) {
            job.splitBytes = Float64Array.from(j.bssplit, (e) => e.bytes);
            let cum = 0;
            job.splitCum = Float64Array.from(j.bssplit, (e) => (cum += e.share));
          }
          if (j.rw === 'read' || j.rw === 'write' || j.rw === 'rw') {
            // Each clone reads or writes its own region sequentially (as fio with offset_increment).
            job.sequential = true;
            job.nextOffset = clone * JOB_REGION_BYTES;
          }
          this.jobs.push(job);
        }
      });
    });
    this.vqTouched = new Uint8Array(this.vqs.length);
    this.blockState = new SharedBlockState(contextsOfDisk.map((s) => s.size), c.block_state_ns);
  }

  /**
   * VM v's AioContext of that name (an iothread's, or MAIN_LOOP), made at its first use: one per name
   * and VM, whichever device asks for it (QEMU's one main loop runs every device's main-loop handlers).
   */
  contextOf(v: number, name: string): AioContext {
    const key = `${v}/${name}`;
    let ctx = this.ctxByName.get(key);
    if (!ctx) {
      const main = name === MAIN_LOOP, vm = this.setup.vms[v], b = this.setup.behaviour;
      const poll = main ? { pollMaxNs: 0, pollGrow: 0, pollShrink: 0 } : vm.iothread;
      ctx = new AioContext(this.ctxs.length, name, main, {
        // The main loop notifies at once (virtio_irq: defer_call only in an iothread).
        ...poll, pollPerHandler: b.pollPerHandler, deferNotify: !main && b.deferredNotify,
        deferPollEnd: b.pollModeDeferred,
        fdmon: main ? 'poll' : vm.iothread.fdmon,
      }, this);
      this.ctxByName.set(key, ctx);
      this.ctxs.push(ctx);
      this.vmOfCtx.push(v);
    }
    return ctx;
  }

  /** Every loop's poll list, once every device has registered its handlers. */
  setUpPolling(): void {
    const used = new Set(this.jobs.map((j) => j.vq));
    for (const ctx of this.ctxs) ctx.setUpPolling((vq) => used.has(vq.index));
  }

  private addBackend(kind: DiskBackend, name: string, vm: number): BackendServer {
    const b = kind.server(this.backends.length, name, this);
    this.backends.push(b);
    this.vmOfBackend.push(vm);
    return b;
  }


  /** A thread pool spawned a worker. */
  addWorker(w: PoolWorker): void {
    this.workers.push(w);
    this.setUpThread(w, this.vmOfCtx[w.pool.ctx]);
  }

  /** Where request r goes below QEMU: the host's page cache, or its disk's device. */
  deviceOf(r: number): BlockTarget {
    const d = this.requests.disk[r];
    if (this.pageCache !== null && (this.requests.flush[r] || this.pageCache.serves(d))) return this.pageCache;
    return this.devices[this.deviceOfDisk[d]];
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

  /** fio issues one I/O of the job: returns the request. */
  issue(job: Job): number {
    job.toSubmit--;
    if (++job.inflight > job.maxInflight) job.maxInflight = job.inflight;
    const load = this.loads[job.vm];
    load.inFlight.track(1, this.sim.now);
    job.inFlight.track(1, this.sim.now);
    load.issuedTotal++;
    job.stats.depth[depthBucket(job.inflight)]++;
    if (job.lastWasWrite && job.fsyncEvery > 0 && job.writesIssued % job.fsyncEvery === 0) {
      // fio's get_rw_ddir: right after a write that makes the writes a multiple of fsync, a DDIR_SYNC
      // (libaio: IOCB_CMD_FSYNC), an I/O of the job's iodepth like any other.
      job.lastWasWrite = false;
      const f = this.requests.alloc(job.index, job.vq, false, this.sim.now);
      this.requests.flush[f] = 1;
      this.requests.disk[f] = job.disk;
      this.requests.bytes[f] = 0;
      return f;
    }
    const write = job.readFraction >= 1 ? false : job.readFraction <= 0 ? true : job.rng() >= job.readFraction;
    job.lastWasWrite = write;
    if (write) job.writesIssued++;
    const r = this.requests.alloc(job.index, job.vq, write, this.sim.now);
    this.requests.disk[r] = job.disk;
    const bytes = job.splitBytes === null ? job.bytes : splitSize(job.splitBytes, job.splitCum!, job.rng());
    this.requests.bytes[r] = bytes;
    if (job.sequential) {
      this.requests.offset[r] = job.nextOffset;
      job.nextOffset += bytes;
    }
    return r;
  }

  /** fio reaps n completed I/Os of the job (io_getevents) and refills its iodepth. */
  reap(job: Job, n: number): void {
    const now = this.sim.now, req = this.requests, load = this.loads[job.vm];
    for (let i = 0; i < n; i++) {
      const r = job.done.shift();
      if (req.flush[r]) {
        job.stats.sync.record(now - req.issued[r]);
        job.stats.syncs++;
        load.syncs++;
      } else {
        job.stats.dirs[req.write[r]].record(now, req.issued[r], req.submitted[r], req.bytes[r]);
        load.ios++;
        if (!req.write[r]) load.reads++;
        load.bytes += req.bytes[r];
      }
      job.latSumNs += now - req.issued[r];
      req.release(r);
    }
    job.completions += n;
    job.inFlight.track(-n, now);
    job.inflight -= n;
    load.reapedTotal += n;
    load.inFlight.track(-n, now);
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
    if (job.toSubmit > 0) this.guest.queueSubmit(job, true);
  }

  /** The next open-loop (rate_iops) arrival of the job. */
  onArrival(job: Job): void {
    if (job.inflight + job.toSubmit < job.iodepth) {
      job.toSubmit++;
      this.guest.queueSubmit(job);
    } else {
      job.backlog++;
    }
    this.sim.after(this.arrivalGap(job), Ev.JobArrival, job.index, 0);
  }

  /** fio's thinktime is over: the n slots it held are issued again. */
  onThinkEnd(job: Job, n: number): void {
    job.toSubmit += n;
    this.guest.queueSubmit(job);
  }

  private arrivalGap(job: Job): number {
    return job.poissonArrivals ? -job.arrivalGap * Math.log(1 - job.rng()) : job.arrivalGap;
  }

  /** The jobs start. */
  start(): void {
    for (const b of this.backends) b.start();
    for (const job of this.jobs) {
      if (job.arrivalGap > 0) {
        this.sim.at(job.poissonArrivals ? this.arrivalGap(job) : 0, Ev.JobArrival, job.index, 0);
      } else {
        job.toSubmit = job.iodepth;
        this.guest.queueSubmit(job);
      }
    }
  }

  /** The measurement window starts. */
  resetStats(now: number): void {
    for (const l of this.loads) l.reset(now);
    for (const j of this.jobs) { j.completions = j.latSumNs = 0; j.inFlight.reset(now); }
    for (const x of this.ctxs) { x.acct.reset(now); x.iterations = x.pollWindows = x.pollHits = x.wakeups = x.submitBlocks = 0; }
    for (const w of this.workers) w.acct.reset(now);
    for (const b of this.backends) b.acct.reset(now);
    for (const d of this.devices) d.resetStats(now);
  }

  /** The disks (host-wide numbers) of VM v. */
  disksOf(v: number): number[] {
    return this.vmOfDisk.flatMap((x, d) => (x === v ? [d] : []));
  }

  deviceIndexOfDisk(d: number): number {
    return this.deviceOfDisk[d];
  }
}
