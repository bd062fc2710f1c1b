import { IntFifo } from '../engine/int-fifo.js';
import type { Rng } from '../engine/random.js';
import type { HaltPollParams } from './halt-polling.js';
import { Stage, type RequestTable } from './requests.js';
import { VcpuThread } from './vcpu-thread.js';
import type { Virtqueue } from './virtqueue.js';
import type { World } from './world.js';

/** What a vCPU running fio needs from its VM: its queues and jobs, fio's issue and reap, and the
 *  AioContext of each queue to tell of new requests. */
export interface GuestOwner extends World {
  readonly requests: RequestTable;
  readonly vqs: readonly Virtqueue[];
  readonly jobs: readonly Job[];
  readonly vcpus: readonly Vcpu[];
  readonly ctxs: readonly { onAvail(vq: Virtqueue, kick: boolean): void }[];
  issue(job: Job): number;
  reap(job: Job, n: number): void;
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
  /** rw read, write or rw: each I/O follows the last; random ones have no adjacent neighbour. */
  sequential = false;
  nextOffset = 0;

  constructor(
    readonly index: number,
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
  ) {}
}

const TASK_SUBMIT = 0, TASK_REAP = 1;
const STEP_IRQ = 1, STEP_SUBMIT = 2, STEP_REAP = 3;

/**
 * A vCPU running fio. Interrupt handlers run before task work (an interrupt preempts the running task
 * at the next step boundary); tasks (fio submitting and reaping) run in FIFO order; with nothing to do
 * it halts (VcpuThread).
 */
export class Vcpu extends VcpuThread {
  /** Virtqueues with an interrupt to handle. */
  private readonly irqs = new IntFifo(8);
  /** Encoded job tasks: job * 2 + TASK_*. */
  private readonly tasks = new IntFifo(16);
  /** The requests of the io_submit call being made. */
  private readonly batch = new IntFifo(8);
  constructor(index: number, private readonly vm: GuestOwner, haltPoll: HaltPollParams) {
    super(index, vm.sim, haltPoll, vm.costs.vcpu_wakeup_ns, vm.costs.vmexit_ns);
  }

  /** An interrupt for virtqueue vq arrives. */
  raiseIrq(vq: number): void {
    this.irqs.push(vq);
    this.poke();
  }

  queueSubmit(job: Job): void {
    if (job.submitQueued) return;
    job.submitQueued = true;
    this.tasks.push(job.index * 2 + TASK_SUBMIT);
    this.poke();
  }

  /** fio's io_getevents returns once iodepth_batch_complete_min completions (or all in flight) are in. */
  queueReap(job: Job): void {
    if (job.reapQueued || job.done.size < Math.min(job.batchCompleteMin, job.inflight)) return;
    job.reapQueued = true;
    this.tasks.push(job.index * 2 + TASK_REAP);
    this.poke();
  }

  protected next(): void {
    const vm = this.vm, c = vm.costs;
    if (this.irqs.size > 0) {
      const vq = vm.vqs[this.irqs.shift()];
      vq.irqPending = false;
      vq.driverDisableCb();
      const n = vq.usedIdx - vq.lastUsedIdx;
      this.begin(STEP_IRQ, vq.index, n, c.guest_irq_ns + n * (vq.reapNs + c.guest_blk_complete_ns));
      return;
    }
    if (this.tasks.size > 0) {
      const t = this.tasks.shift();
      const job = vm.jobs[t >> 1];
      if ((t & 1) === TASK_REAP) {
        job.reapQueued = false;
        const n = Math.min(job.done.size, job.batchCompleteMax);
        this.begin(STEP_REAP, job.index, n, n * c.guest_complete_ns);
      } else {
        // One io_submit of up to iodepth_batch_submit I/Os: blk-mq sees them in one plug, bd->last on
        // the last, so the driver decides on a kick once for the batch.
        job.submitQueued = false;
        const k = Math.min(job.batchSubmit, job.toSubmit);
        for (let i = 0; i < k; i++) this.batch.push(vm.issue(job));
        this.begin(STEP_SUBMIT, job.index, k, k * (c.guest_submit_ns + vm.vqs[job.vq].addNs));
      }
      return;
    }
    this.halt();
  }

  protected endStep(step: number): void {
    switch (step) {
      case STEP_IRQ: this.endIrq(); break;
      case STEP_SUBMIT: this.endSubmit(); break;
      case STEP_REAP: this.endReap(); break;
    }
  }

  /** virtblk_done: reap what was visible when the handler started, re-enable callbacks, loop if more
   *  raced in; freed descriptors let blk-mq dispatch requests that waited for ring space. */
  private endIrq(): void {
    const vm = this.vm;
    const vq = vm.vqs[this.stepArg];
    for (let i = 0; i < this.stepCount; i++) {
      const r = vq.driverReap();
      vm.requests.stage[r] = Stage.GuestDone;
      const job = vm.jobs[vm.requests.job[r]];
      job.done.push(r);
      vm.vcpus[job.vcpu].queueReap(job);
    }
    let added = 0;
    while (vq.blkmqWait.size > 0 && vq.hasRoom) {
      const r = vq.blkmqWait.shift();
      vq.driverAdd(r);
      vm.requests.stage[r] = Stage.Avail;
      added++;
    }
    if (added > 0) this.afterAdd(vq.index, added);
    if (!vq.driverEnableCb() && !vq.irqPending) {
      vq.irqPending = true;
      this.irqs.push(vq.index);
    }
  }

  private endSubmit(): void {
    const vm = this.vm;
    const job = vm.jobs[this.stepArg];
    const vq = vm.vqs[job.vq];
    let added = 0;
    while (this.batch.size > 0) {
      const r = this.batch.shift();
      if (vq.hasRoom && vq.blkmqWait.size === 0) {
        vq.driverAdd(r);
        vm.requests.stage[r] = Stage.Avail;
        added++;
      } else {
        vq.blkmqWait.push(r);
      }
    }
    if (added > 0) this.afterAdd(vq.index, added);
    if (job.toSubmit > 0) this.queueSubmit(job);
  }

  private endReap(): void {
    const job = this.vm.jobs[this.stepArg];
    this.vm.reap(job, this.stepCount);
    if (job.done.size > 0) this.queueReap(job);
  }

  /** The host sees new avail entries (a polling AioContext notices); kick if the ring says so. */
  private afterAdd(vqIndex: number, added: number): void {
    const vm = this.vm;
    const vq = vm.vqs[vqIndex];
    const kick = vq.driverKickPrepare(added);
    vm.ctxs[vq.ctx].onAvail(vq, kick);
    if (kick) this.kick(vqIndex);
  }
}
