import { IntFifo } from '../../engine/int-fifo.js';
import { CpuState } from '../host/cpu-account.js';
import { passSeenAt } from '../host/poll-pass.js';
import { Ev } from '../events.js';
import { BackendServer } from '../storage/backend-server.js';
import { Stage } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';

/** Requests one virtqueue's poller takes per pass (SPDK lib/vhost SPDK_VHOST_VQ_MAX_SUBMISSIONS). */
export const SPDK_VHOST_VQ_MAX_SUBMISSIONS = 32;

const R_POLLING = 0, R_RUNNING = 1, R_SIGNALLING = 2;

/**
 * A reactor of a vhost-user-blk target (SPDK's vhost app): a thread on a core of its own that runs
 * its pollers in a loop and never sleeps. A pass looks at every virtqueue of the controllers placed
 * on it and at one NVMe queue pair per device (spdk_nvme_qpair_process_completions), each a cache line
 * another agent wrote; work is handled when its poller's turn comes. Guest
 * notifications are off (rte_vhost_enable_guest_notification(0)), so the guest does not kick. A pass
 * that finds work pops up to 32 requests per queue and submits each through the user-space NVMe
 * driver (no syscall), reaps every completion, pushes their used elements and signals each queue
 * whose used_event asks for it with an eventfd write (rte_vhost_vring_call). Its core is busy-polled
 * whether there is work or not.
 */
export class VhostUserReactor extends BackendServer {
  private state = R_POLLING;
  private passStart = 0;
  private foundAt = Infinity;
  private token = 0;
  /** Completed by their devices, not yet seen in a completion queue. */
  private readonly cq = new IntFifo(64);
  /** This pass's pops and completions. */
  private readonly popped = new IntFifo(64);
  private stepCompletions = 0;

  private get passNs(): number {
    return (this.vqs.length + this.devices.size) * this.costs.poll_handler_ns;
  }

  /** The target takes the guest's notifications off and starts polling. */
  start(): void {
    for (const vq of this.vqs) vq.setNotification(false);
    if (this.wantCore()) this.resume();
  }

  protected resume(): void {
    this.poll();
  }

  onAvail(vq: Virtqueue): void {
    if (this.state === R_POLLING) this.sees(vq.handlerPos);
  }

  onDeviceDone(r: number): void {
    this.owner.requests.stage[r] = Stage.HostDone;
    this.cq.push(r);
    // Queue pairs are polled after the virtqueues; the last one stands for all.
    if (this.state === R_POLLING) this.sees(this.vqs.length + this.devices.size - 1);
  }

  onWake(): void {}

  /** The poller at `turn` got work: the loop acts on it when that poller next runs. */
  private sees(turn: number): void {
    const at = passSeenAt(this.sim.now, this.passStart, this.passNs, this.costs.poll_handler_ns, turn, false);
    if (at >= this.foundAt) return;
    this.foundAt = at;
    this.sim.at(at, Ev.BackendTimer, this.index, ++this.token);
  }

  onTimer(token: number): void {
    if (token !== this.token || this.state !== R_POLLING) return;
    this.foundAt = Infinity;
    this.iterate();
  }

  private hasWork(): boolean {
    if (this.cq.size > 0) return true;
    for (const vq of this.vqs) if (vq.hasAvail) return true;
    return false;
  }

  /** Empty passes until a poller finds work. */
  private poll(): void {
    if (this.hasWork()) {
      this.iterate();
      return;
    }
    this.state = R_POLLING;
    this.passStart = this.sim.now;
    this.acct.enter(CpuState.Poll, this.sim.now);
  }

  /** Work found: every poller's requests and completions, handled as the pollers run (the empty polls
   *  around them were spent polling); a new pass starts after. */
  private iterate(): void {
    this.state = R_RUNNING;
    let cost = 0;
    for (const vq of this.vqs) {
      const n = Math.min(vq.availIdx - vq.lastAvailIdx, SPDK_VHOST_VQ_MAX_SUBMISSIONS);
      if (n === 0) continue;
      cost += n * (vq.popNs + vq.handleNs);
      this.popTo(vq, n, this.popped);
    }
    const m = this.cq.size;
    for (let i = 0; i < m; i++) {
      const vq = this.owner.vqs[this.owner.requests.vq[this.cq.at(i)]];
      cost += vq.pushNs + vq.completeNs;
    }
    this.stepCompletions = m;
    this.runSegment(cost);
  }

  onStepDone(): void {
    if (this.state === R_SIGNALLING) {
      this.sendSignals();
      this.poll();
      return;
    }
    while (this.popped.size > 0) this.submit(this.popped.shift());
    for (let i = 0; i < this.stepCompletions; i++) this.pushUsed(this.cq.shift());
    const due = this.signalsDue();
    if (due > 0) {
      this.state = R_SIGNALLING;
      this.runSegment(due * this.costs.irqfd_notify_ns);
      return;
    }
    this.poll();
  }
}
