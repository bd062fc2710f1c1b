import { IntFifo } from '../../engine/int-fifo.js';
import { CpuState } from '../host/cpu-account.js';
import { Ev } from '../events.js';
import { BackendServer } from '../storage/backend-server.js';
import { Stage } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';

/** vhost_scsi_handle_vq stops after this many requests (vhost_exceeds_weight) and requeues itself
 *  behind the worker's other work (drivers/vhost/scsi.c VHOST_SCSI_WEIGHT). */
export const VHOST_SCSI_WEIGHT = 256;

const W_SLEEP = 0, W_WAKING = 1, W_RUNNING = 2;
const S_HANDLE = 0, S_COMPLETE = 1, S_SIGNAL = 2;
/** A work item: queue position * 2 + kind (handle_kick, or the queue's completion_work). */
const KICK = 0, COMPLETE = 1;
/** The timer's argument: which of LIO's workqueues ran its queued work. */
const HOP_SUBMIT = 0, HOP_COMPLETE = 1;

/**
 * A vhost worker of a vhost-scsi device (drivers/vhost/scsi.c with LIO, target_core): one per device,
 * or one per virtqueue (QEMU worker_per_virtqueue, VHOST_NEW_WORKER since Linux 6.4). Its work list
 * runs in queueing order (vhost_vq_work_queue); an item's queued bit is cleared as it starts, so a
 * kick or completion during its run queues it again. handle_kick pops with notifications disabled,
 * at most VHOST_SCSI_WEIGHT requests per run, and re-enables them when the ring is empty. vhost-scsi
 * submits and completes through LIO's workqueues (TARGET_QUEUE_SUBMIT, TARGET_QUEUE_COMPL): a kworker
 * on the same CPU takes everything queued when it runs, so each direction is one hop of a thread
 * wake-up; the hop's CPU work is in the worker's per-request costs (the kworker runs on the worker's
 * CPU), as is a drive's command and completion interrupt. completion_work pushes every completed
 * command of its queue and signals it once.
 */
export class VhostScsiWorker extends BackendServer {
  private state = W_SLEEP;
  private stepVq: Virtqueue | null = null;
  private readonly work = new IntFifo(8);
  private queued = new Uint8Array(4);
  /** Per queue: commands LIO completed, waiting for the queue's completion_work (svq->completion_list). */
  private readonly completions: IntFifo[] = [];
  /** The queue whose handle_kick is running, and the requests it has popped in this run. */
  private handling: Virtqueue | null = null;
  private runCount = 0;
  /** Commands in LIO's submission and completion workqueues, and whether their kworker is due. */
  private readonly hop = [new IntFifo(64), new IntFifo(64)];
  private readonly hopDue = [false, false];

  addVq(vq: Virtqueue, device: number): void {
    super.addVq(vq, device);
    this.completions.push(new IntFifo(16));
    if (this.queued.length < this.vqs.length) this.queued = new Uint8Array(2 * this.vqs.length);
  }

  /** Notifications on: a kick queues handle_kick (vhost_poll_wakeup); otherwise the run in progress
   *  finds the new requests as it pops. */
  onAvail(vq: Virtqueue, kick: boolean): void {
    if (kick) this.queueWork(vq.handlerPos, KICK);
  }

  onDeviceDone(r: number): void {
    this.owner.requests.stage[r] = Stage.HostDone;
    this.toHop(HOP_COMPLETE, r);
  }

  private toHop(which: number, r: number): void {
    this.hop[which].push(r);
    if (this.hopDue[which]) return;
    this.hopDue[which] = true;
    this.sim.after(this.wakeDelay(this.costs.wakeup_ns), Ev.BackendTimer, this.index, which);
  }

  /** LIO's kworker runs: queued commands go to the device (iblock's submit_bio), or completed ones
   *  to their queue's completion_work (vhost_scsi_queue_data_in -> vhost_scsi_complete_cmd). */
  onTimer(which: number): void {
    this.hopDue[which] = false;
    const q = this.hop[which];
    const req = this.owner.requests;
    while (q.size > 0) {
      const r = q.shift();
      if (which === HOP_SUBMIT) {
        this.submit(r);
      } else {
        const pos = this.owner.vqs[req.vq[r]].handlerPos;
        this.completions[pos].push(r);
        this.queueWork(pos, COMPLETE);
      }
    }
  }

  private queueWork(pos: number, kind: number): void {
    if (this.queued[pos] & (1 << kind)) return;
    this.queued[pos] |= 1 << kind;
    this.work.push(2 * pos + kind);
    if (this.state === W_SLEEP) {
      this.state = W_WAKING;
      this.sim.after(this.wakeDelay(this.costs.wakeup_ns), Ev.BackendWake, this.index, 0);
    }
  }

  onWake(): void {
    if (this.wantCore()) this.resume();
  }

  protected resume(): void {
    this.run();
  }

  private run(): void {
    this.state = W_RUNNING;
    if (this.handling !== null) {
      this.handleMore();
      return;
    }
    while (this.work.size > 0) {
      const item = this.work.shift();
      const pos = item >> 1;
      this.queued[pos] &= ~(1 << (item & 1));
      const vq = this.vqs[pos];
      if ((item & 1) === COMPLETE) {
        const list = this.completions[pos];
        if (list.size > 0) {
          this.begin(S_COMPLETE, vq, list.size, list.size * (vq.pushNs + vq.completeNs) + this.driverNs(list));
          return;
        }
      } else if (vq.hasAvail) {
        this.handling = vq;
        this.runCount = 0;
        this.handleMore();
        return;
      }
    }
    this.state = W_SLEEP;
    this.acct.enter(CpuState.Idle, this.sim.now);
    this.dropCore();
  }

  /** The next requests of the handle_kick run, or its end: the ring is empty (notifications back on)
   *  or the weight is reached (the run requeued at the tail). */
  private handleMore(): void {
    const vq = this.handling!;
    if (vq.hasAvail && this.runCount < VHOST_SCSI_WEIGHT) {
      if (vq.notification) vq.setNotification(false);
      const n = Math.min(vq.availIdx - vq.lastAvailIdx, VHOST_SCSI_WEIGHT - this.runCount);
      this.begin(S_HANDLE, vq, n, n * (vq.popNs + vq.handleNs));
      return;
    }
    this.handling = null;
    if (vq.hasAvail) this.queueWork(vq.handlerPos, KICK);
    else vq.setNotification(true);
    this.run();
  }

  /** The drive's command and completion interrupt of each completed command: the submission kworker
   *  and the interrupt ran on this worker's CPU (LIO queues to se_cmd->cpuid, the NVMe queue's vector
   *  is affine to it), booked with the completion as the kworkers' other work is. */
  private driverNs(list: IntFifo): number {
    let ns = 0;
    for (let i = 0; i < list.size; i++) ns += this.owner.hostDriverNs(list.at(i));
    return ns;
  }

  private begin(step: number, vq: Virtqueue | null, n: number, cost: number): void {
    this.stepVq = vq;
    this.runStep(step, n, cost);
  }

  onStepDone(): void {
    const vq = this.stepVq!;
    switch (this.step) {
      case S_HANDLE:
        for (let i = 0; i < this.stepCount; i++) {
          const r = vq.devicePop();
          this.owner.requests.stage[r] = Stage.HostQueued;
          this.toHop(HOP_SUBMIT, r);
        }
        this.runCount += this.stepCount;
        this.run();
        return;
      case S_COMPLETE: {
        const list = this.completions[vq.handlerPos];
        for (let i = 0; i < this.stepCount; i++) this.pushUsed(list.shift());
        const due = this.signalsDue();
        if (due > 0) this.begin(S_SIGNAL, vq, due, due * this.costs.irqfd_notify_ns);
        else this.run();
        return;
      }
      case S_SIGNAL:
        this.sendSignals();
        this.run();
    }
  }
}
