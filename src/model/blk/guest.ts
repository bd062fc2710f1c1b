import { IntFifo } from '../../engine/int-fifo.js';
import { InFlight } from '../../engine/in-flight.js';
import type { Rng } from '../../engine/random.js';
import { FlushQueue } from './blk-flush.js';
import type { DispatchBudget } from './dispatch-budget.js';
import { batchBucket, type FioJobStats } from './fio-stats.js';
import { Stage, type RequestTable } from '../storage/requests.js';
import type { GuestDriver, Vcpu } from '../host/vcpu.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import type { VqServer } from '../virtio/vq-server.js';
import type { World } from '../world.js';

/** What the guest's virtio-blk driver and fio need from their world: the vCPUs, queues and jobs, fio's
 *  issue and reap, and the server of each queue to tell of new requests. */
export interface GuestOwner extends World {
  readonly requests: RequestTable;
  readonly vqs: readonly Virtqueue[];
  readonly jobs: readonly Job[];
  readonly vcpus: readonly Vcpu[];
  readonly servers: readonly VqServer[];
  /** Per disk (host-wide): 1 when the guest sees a volatile write cache, so an fsync sends a flush. */
  readonly guestWriteCache: Uint8Array;
  /** Per disk: how long the guest scheduler's lock (mq-deadline's dd->lock, BFQ's bfqd->lock; 0 without
   *  a scheduler) is held per request when a vCPU finds it free, and when it finds it held; when its
   *  holder lets it go. */
  readonly schedLockNs: Float64Array;
  readonly schedContendedNs: Float64Array;
  readonly schedLockFreeAt: Float64Array;
  /** SCSI LUNs' dispatch budget (virtio-blk disks have none). */
  readonly budget: DispatchBudget;
  /** fio's jobs: what they issue and reap. */
  readonly fio: { issue(job: Job): number; reap(job: Job, n: number): void };
}

/** A fio job in fio's vocabulary (one of numjobs clones), running on one vCPU. */
export class Job {
  /** Issued and not yet reaped: never above iodepth. */
  inflight = 0;
  maxInflight = 0;
  /** Free slots fio will fill next (closed loop: every reaped I/O; open loop: due arrivals). */
  toSubmit = 0;
  /** Open loop: arrivals that found iodepth I/Os in flight and wait for a slot, as fio falls behind. */
  backlog = 0;
  /** Completed in the guest, waiting for fio's io_getevents. */
  readonly done = new IntFifo(16);
  submitQueued = false;
  reapQueued = false;
  /** Its requests waiting for a blk-mq tag: while any do, its thread sleeps in io_submit. Those
   *  granted a tag, to add once the thread runs, and whether its wake-up is queued. */
  tagWaits = 0;
  readonly tagGranted = new IntFifo(4);
  tagWakeQueued = false;
  /** rw read, write or rw: each I/O follows the last; random ones have no adjacent neighbour. */
  sequential = false;
  nextOffset = 0;
  /** The disk (host-wide index) it reads and writes: its LUN when several share a controller's queues. */
  disk = 0;
  /** fio fsync: an fsync after every this many writes (0: never); the writes issued, and whether the
   *  last I/O issued was one. */
  fsyncEvery = 0;
  writesIssued = 0;
  lastWasWrite = false;
  /** Its name among the VM's jobs and its clone number (fio's numjobs), for its own report. */
  name = '';
  clone = 0;
  /** This clone's own figures over the window (fio reports each clone without group_reporting): I/Os
   *  and fsyncs reaped, the sum of their latencies and of their squares, and its I/Os in flight over
   *  time. */
  completions = 0;
  latSumNs = 0;
  latSqSumNs = 0;
  readonly inFlight = new InFlight();
  /** Its job's place among the VM's jobs; when it starts issuing, its statistics start and it stops
   *  issuing (fio's phases, ramp_time and runtime: by default the whole run), and whether it has. */
  section = 0;
  startNs = 0;
  measureNs = 0;
  stopNs = Infinity;
  stopped = false;
  /** fio bssplit: the sizes (bytes) and their cumulative shares; null: every I/O is `bytes`. */
  splitBytes: Float64Array | null = null;
  splitCum: Float64Array | null = null;

  constructor(
    readonly index: number,
    /** The VM it runs in, and its vCPU (index in the host's vCPU table). */
    readonly vm: number,
    readonly vcpu: number,
    readonly vq: number,
    readonly iodepth: number,
    /** Probability that an I/O is a read. */
    readonly readFraction: number,
    readonly bytes: number,
    /** Mean ns between arrivals for rate_iops, 0 for a closed loop. */
    readonly arrivalGap: number,
    readonly poissonArrivals: boolean,
    /** fio thinktime, ns (closed loop only). */
    readonly thinkNs: number,
    /** fio iodepth_batch_submit, iodepth_batch_complete_min and _max. */
    readonly batchSubmit: number,
    readonly batchCompleteMin: number,
    readonly batchCompleteMax: number,
    readonly rng: Rng,
    /** fio's report of the job this clone belongs to. */
    readonly stats: FioJobStats,
  ) {}
}

/** A job's tasks: job.index << TASK_BITS | the task; a kblockd run: its hardware queue's budget slot
 *  << TASK_BITS | TASK_KBLOCKD. */
const TASK_SUBMIT = 0, TASK_REAP = 1, TASK_TAG_WAKE = 2, TASK_KBLOCKD = 3, TASK_BITS = 2, TASK_MASK = 3;

/**
 * The guest's virtio-blk driver and fio, run on the vCPUs: the interrupt handler of each virtqueue
 * (virtblk_done) and fio's jobs submitting (io_submit through blk-mq) and reaping (io_getevents); for
 * SCSI LUNs, the midlayer's budget and the kblockd runs that dispatch what waited for it.
 */
export class BlkGuest implements GuestDriver {
  /** Per disk and virtqueue (a LUN's or disk's hctx) that has seen a flush: its blk-flush state. */
  private readonly flushQueues = new Map<number, FlushQueue>();
  /** Scratch: the requests one queue run dispatches. */
  private readonly dispatched = new IntFifo(16);

  constructor(private readonly driver: number, private readonly vm: GuestOwner) {}

  /** virtio_notify_irqfd's interrupt for virtqueue vq reaches its vCPU. */
  raiseIrq(vq: Virtqueue): void {
    this.vm.vcpus[vq.ownerVcpu].raiseIrq(this.driver, vq.index);
  }

  /** fio's job has I/Os to issue. `goesOn`: its thread has just reaped or issued and, not having
   *  blocked, issues next (fio's do_io loop), ahead of the vCPU's other threads. */
  queueSubmit(job: Job, goesOn = false): void {
    if (job.submitQueued || job.tagWaits > 0) return;
    job.submitQueued = true;
    const v = this.vm.vcpus[job.vcpu], task = (job.index << TASK_BITS) | TASK_SUBMIT;
    if (goesOn) v.continueTask(this.driver, task);
    else v.queueTask(this.driver, task);
  }

  /** fio's io_getevents returns once iodepth_batch_complete_min completions (or all in flight) are in. */
  queueReap(job: Job): void {
    if (job.reapQueued || job.tagWaits > 0 || job.done.size < Math.min(job.batchCompleteMin, job.inflight)) return;
    job.reapQueued = true;
    this.vm.vcpus[job.vcpu].queueTask(this.driver, (job.index << TASK_BITS) | TASK_REAP);
  }

  startIrq(v: Vcpu, src: number): void {
    const c = this.vm.costs;
    const vq = this.vm.vqs[src];
    vq.irqPending = false;
    vq.driverDisableCb();
    const n = vq.usedIdx - vq.lastUsedIdx;
    v.run(vq.index, n, c.guest_irq_ns + n * (vq.reapNs + c.guest_blk_complete_ns));
  }

  /** The scheduler's part of submitting k requests: its lock is a spinlock, so a vCPU that finds it
   *  held spins until it is free, then holds it for each request (insert and dispatch; BFQ's completion
   *  hook too, booked here), longer when it was contended. */
  private schedulerNs(disk: number, k: number): number {
    const vm = this.vm;
    if (vm.schedLockNs[disk] === 0 && vm.schedContendedNs[disk] === 0) return 0;
    const now = vm.sim.now, free = vm.schedLockFreeAt;
    const contended = free[disk] > now;
    const start = contended ? free[disk] : now;
    free[disk] = start + k * (contended ? vm.schedContendedNs[disk] : vm.schedLockNs[disk]);
    return free[disk] - now;
  }

  startTask(v: Vcpu, task: number): boolean {
    const vm = this.vm, c = vm.costs;
    const kind = task & TASK_MASK;
    if (kind === TASK_KBLOCKD) {
      // The kworker takes what budget the completions freed; the queues' other runs may find none.
      const slot = task >> TASK_BITS, budget = vm.budget;
      const ipi = budget.startRun(slot) === v.index ? 0 : c.vmexit_ns;
      const vq = vm.vqs[budget.slotVq[slot]];
      const n = budget.dispatch(slot, v.batch);
      v.run(task, n, c.guest_kblockd_run_ns + ipi + n * (vq.addNs + vq.driverNs));
      return true;
    }
    const job = vm.jobs[task >> TASK_BITS];
    if (kind === TASK_TAG_WAKE) {
      job.tagWakeQueued = false;
      v.run(task, 0, c.guest_tag_wakeup_ns);
      job.stats.cpuNs += v.segmentNs;
      return true;
    }
    if (kind === TASK_REAP) {
      job.reapQueued = false;
      // Queued before its thread went to sleep for a tag: it reaps once woken.
      if (job.tagWaits > 0) return false;
      const n = Math.min(job.done.size, job.batchCompleteMax);
      job.stats.complete[batchBucket(n)]++;
      v.run(task, n, c.guest_getevents_call_ns + n * c.guest_complete_ns);
      job.stats.cpuNs += v.segmentNs;
      return true;
    }
    // One io_submit of up to iodepth_batch_submit I/Os: one syscall; blk-mq sees them in one plug,
    // bd->last on the last, so the driver decides on a kick once for the batch.
    job.submitQueued = false;
    if (job.tagWaits > 0) return false;
    const k = Math.min(job.batchSubmit, job.toSubmit);
    for (let i = 0; i < k; i++) v.batch.push(vm.fio.issue(job));
    job.stats.submit[batchBucket(k)]++;
    const vq = vm.vqs[job.vq];
    v.run(task, k, c.guest_submit_call_ns + k * (c.guest_submit_ns + vq.addNs + vq.driverNs) + this.schedulerNs(job.disk, k));
    job.stats.cpuNs += v.segmentNs;
    return true;
  }

  endTask(v: Vcpu, task: number, count: number): void {
    const job = task >> TASK_BITS, kind = task & TASK_MASK;
    if (kind === TASK_REAP) this.endReap(job, count);
    else if (kind === TASK_TAG_WAKE) this.endTagWake(v, job);
    else if (kind === TASK_KBLOCKD) this.endKblockdRun(v, task >> TASK_BITS);
    else this.endSubmit(v, job);
  }

  /** virtblk_done: reap what was visible when the handler started, re-enable callbacks, loop if more
   *  raced in; freed descriptors let blk-mq dispatch requests that waited for ring space. */
  endIrq(v: Vcpu, src: number, count: number): void {
    const vm = this.vm;
    const vq = vm.vqs[src];
    for (let i = 0; i < count; i++) {
      const r = vq.driverReap();
      this.releaseBudget(v, r);
      this.guestDone(r);
      if (vm.requests.flush[r]) {
        const { riders, next } = this.flushQueueOf(vq, vm.requests.disk[r]).complete();
        for (const x of riders) this.guestDone(x);
        if (next >= 0) vq.blkmqWait.push(next);
      }
    }
    let added = 0;
    while (vq.blkmqWait.size > 0 && vq.hasRoom) {
      const r = vq.blkmqWait.shift();
      vq.driverAdd(r);
      vm.requests.stage[r] = Stage.Avail;
      added++;
    }
    if (added > 0) this.afterAdd(v, vq, added);
    this.grantTags(vq);
    if (!vq.driverEnableCb() && !vq.irqPending) {
      vq.irqPending = true;
      v.raiseIrq(this.driver, vq.index);
    }
  }

  private endSubmit(v: Vcpu, jobIndex: number): void {
    const vm = this.vm;
    const job = vm.jobs[jobIndex];
    const vq = vm.vqs[job.vq];
    const now = vm.sim.now;
    let added = 0;
    while (v.batch.size > 0) {
      const r = v.batch.shift();
      vm.requests.submitted[r] = now;
      if (vm.requests.flush[r]) {
        // No write cache: blk-flush completes the empty flush at once (blk_flush_policy is 0). With
        // one, the flush waits behind its hctx's running flush, if any, and rides on the next.
        if (!vm.guestWriteCache[vm.requests.disk[r]]) {
          this.guestDone(r);
          continue;
        }
        if (this.flushQueueOf(vq, vm.requests.disk[r]).add(r) < 0) continue;
      }
      if (vq.hasRoom && vq.blkmqWait.size === 0 && vq.tagWaiters.size === 0) {
        vq.reserve();
        if (this.toDriver(vq, r)) added++;
      } else {
        // No tag: the thread sleeps in io_submit with this and the rest of its batch (blk_mq_get_tag).
        vq.tagWaiters.push(r);
        job.tagWaits++;
      }
    }
    added += this.runHwQueue(vq, job.disk);
    if (added > 0) this.afterAdd(v, vq, added);
    if (job.toSubmit > 0) this.queueSubmit(job, true);
  }

  /** r holds a tag (a reserved descriptor): it goes on the ring, unless its LUN's budget is spent. */
  private toDriver(vq: Virtqueue, r: number): boolean {
    const vm = this.vm, disk = vm.requests.disk[r];
    if (vm.budget.limits(disk) && !vm.budget.take(disk, vq.index, r)) return false;
    this.addDispatched(vq, r);
    return true;
  }

  /** The submitter's own run of its hardware queue after a budget failure (blk_mq_run_hw_queue):
   *  requests waiting there go to the driver while budget lasts. */
  private runHwQueue(vq: Virtqueue, disk: number): number {
    const budget = this.vm.budget;
    if (!budget.limits(disk)) return 0;
    const slot = budget.waitingSlot(disk, vq.index);
    if (slot < 0) return 0;
    const n = budget.dispatch(slot, this.dispatched);
    while (this.dispatched.size > 0) this.addDispatched(vq, this.dispatched.shift());
    return n;
  }

  private addDispatched(vq: Virtqueue, r: number): void {
    vq.addReserved(r);
    this.vm.requests.stage[r] = Stage.Avail;
  }

  /** The guest completed r: its LUN's budget returns, and a LUN whose dispatch failed since has its
   *  waiting queues run, each by kblockd on the queue's vCPU. kblockd is a WQ_HIGHPRI workqueue (its
   *  kworkers run at nice -20): the woken kworker runs before the vCPU's other threads. */
  private releaseBudget(v: Vcpu, r: number): void {
    const vm = this.vm, disk = vm.requests.disk[r];
    if (!vm.budget.limits(disk)) return;
    for (const slot of vm.budget.release(r, disk, v.index)) {
      vm.vcpus[vm.vqs[vm.budget.slotVq[slot]].ownerVcpu].continueTask(this.driver, (slot << TASK_BITS) | TASK_KBLOCKD);
    }
  }

  /** The kworker puts what it dispatched on the ring. */
  private endKblockdRun(v: Vcpu, slot: number): void {
    const vq = this.vm.vqs[this.vm.budget.slotVq[slot]];
    const added = v.batch.size;
    while (v.batch.size > 0) this.addDispatched(vq, v.batch.shift());
    if (added > 0) this.afterAdd(v, vq, added);
  }

  /** Completions freed descriptors: each frees a tag, and the thread sleeping for it is woken
   *  (sbitmap_queue_wake_up); it adds its request when it runs, which is next: a thread that slept
   *  trails the running ones in vruntime, and the guest scheduler's wake-up preemption runs it first. */
  private grantTags(vq: Virtqueue): void {
    const vm = this.vm;
    while (vq.tagWaiters.size > 0 && vq.hasRoom) {
      const r = vq.tagWaiters.shift();
      vq.reserve();
      const job = vm.jobs[vm.requests.job[r]];
      job.tagGranted.push(r);
      if (!job.tagWakeQueued) {
        job.tagWakeQueued = true;
        vm.vcpus[job.vcpu].continueTask(this.driver, (job.index << TASK_BITS) | TASK_TAG_WAKE);
      }
    }
  }

  /** The woken thread adds the requests whose tags it got; with none left waiting its io_submit
   *  returns and fio goes on. */
  private endTagWake(v: Vcpu, jobIndex: number): void {
    const vm = this.vm, job = vm.jobs[jobIndex];
    const vq = vm.vqs[job.vq];
    const granted = job.tagGranted.size;
    let added = 0;
    while (job.tagGranted.size > 0) if (this.toDriver(vq, job.tagGranted.shift())) added++;
    job.tagWaits -= granted;
    added += this.runHwQueue(vq, job.disk);
    if (added > 0) this.afterAdd(v, vq, added);
    if (job.tagWaits > 0) return;
    if (job.toSubmit > 0) this.queueSubmit(job, true);
    this.queueReap(job);
  }

  /** r is complete in the guest: its job's io_getevents may take it. */
  private guestDone(r: number): void {
    const vm = this.vm;
    vm.requests.stage[r] = Stage.GuestDone;
    const job = vm.jobs[vm.requests.job[r]];
    job.done.push(r);
    this.queueReap(job);
  }

  private flushQueueOf(vq: Virtqueue, disk: number): FlushQueue {
    const key = disk * this.vm.vqs.length + vq.index;
    let fq = this.flushQueues.get(key);
    if (!fq) this.flushQueues.set(key, (fq = new FlushQueue()));
    return fq;
  }

  private endReap(jobIndex: number, count: number): void {
    const job = this.vm.jobs[jobIndex];
    this.vm.fio.reap(job, count);
    if (job.done.size > 0) this.queueReap(job);
  }

  /** The host sees new avail entries (a polling AioContext notices); kick if the ring says so. */
  private afterAdd(v: Vcpu, vq: Virtqueue, added: number): void {
    const kick = vq.driverKickPrepare(added);
    this.vm.servers[vq.server].onAvail(vq, kick);
    if (kick) v.kick(vq.index);
  }
}
