import { IntFifo } from '../engine/int-fifo.js';
import { adjustPollNs, type PollParams } from './adaptive-polling.js';
import type { AioEngine } from './aio/engine.js';
import { CpuAccount, CpuState } from './cpu-account.js';
import { HostThread } from './host-cpu.js';
import { Ev } from './events.js';
import { Stage } from './requests.js';
import type { Virtqueue } from './virtqueue.js';
import type { Vm } from './vm.js';

const T_BLOCKED = 0, T_POLLING = 1, T_RUNNING = 2, T_WAKING = 3, T_IN_SUBMIT = 4, T_SUBMIT_WAKING = 5, T_YIELDED = 6;
const S_PPOLL = 0, S_MAIN_LOOP = 1, S_VQ = 2, S_SUBMIT = 3, S_COMPLETE = 4, S_NOTIFY = 5;

/**
 * An AioContext and the thread that runs it: an iothread, or QEMU's main loop (no polling, plus the
 * main loop's own dispatch work). One loop iteration (aio_poll) waits, by polling or by blocking in
 * ppoll, then runs each ready handler once: a virtqueue's handler (virtio_blk_handle_vq) or an aio
 * engine's completion handler. Adaptive polling as util/aio-posix.c: poll mode disables the queues'
 * notifications and keeps them disabled while polling finds work; a window that expires re-enables
 * them and blocks; poll_ns adapts after every wait (adjustPollNs).
 */
export class AioContext extends HostThread {
  readonly vqs: Virtqueue[] = [];
  readonly engines: AioEngine[] = [];
  pollNs = 0;
  private state = T_BLOCKED;
  private pollStarted = false;
  private waitStart = 0;
  private pollToken = 0;
  /** Handlers to run this iteration: a virtqueue index, or -(engine position + 1). */
  private readonly todo = new IntFifo(16);
  private step = S_PPOLL;
  private stepCount = 0;
  private curVq: Virtqueue | null = null;
  private curEngine: AioEngine | null = null;
  private curSuppress = false;
  private curFinal = false;
  private readonly toNotify = new IntFifo(16);
  private blockedInSubmit = 0;
  /** The main loop's extra work per request (the BQL), paid at submission and again at completion. */
  private readonly perRequestNs: number;

  iterations = 0;
  pollWindows = 0;
  pollHits = 0;
  wakeups = 0;
  /** io_submit calls that slept for a device tag. */
  submitBlocks = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly isMainLoop: boolean,
    private readonly poll: PollParams,
    private readonly vm: Vm,
  ) {
    super(new CpuAccount(name, isMainLoop ? 'main-loop' : 'iothread'), vm.sim, Ev.CtxStepDone, index);
    this.perRequestNs = isMainLoop ? vm.costs.main_loop_request_ns : 0;
  }

  // --- notifications in ---

  /** The guest published avail entries on one of our queues, kicking or not. */
  onAvail(vq: Virtqueue, kick: boolean): void {
    if (kick) vq.kickPending = true;
    if (this.state === T_POLLING) this.pollProgress();
    else if (kick && this.state === T_BLOCKED) this.wake();
  }

  /** An engine of ours has a completion ready (eventfd, CQ entry or bottom half). */
  onCompletion(): void {
    if (this.state === T_POLLING) this.pollProgress();
    else if (this.state === T_BLOCKED) this.wake();
  }

  /** A request our io_submit was blocked on got its device slot. */
  onAdmitted(): void {
    if (--this.blockedInSubmit === 0) {
      this.state = T_SUBMIT_WAKING;
      this.wakeups++;
      this.vm.sim.after(this.vm.costs.wakeup_ns, Ev.CtxWake, this.index, 0);
    }
  }

  // --- waiting ---

  private wake(): void {
    this.state = T_WAKING;
    this.wakeups++;
    this.vm.sim.after(this.vm.costs.wakeup_ns, Ev.CtxWake, this.index, 0);
  }

  onWake(): void {
    if (this.wantCore()) this.afterWake();
  }

  protected resume(): void {
    if (this.state === T_YIELDED) {
      this.state = T_RUNNING;
      this.beginWait();
    } else {
      this.afterWake();
    }
  }

  private afterWake(): void {
    if (this.state === T_SUBMIT_WAKING) {
      this.state = T_RUNNING;
      this.submitChunks();
    } else {
      this.startIteration(this.vm.sim.now - this.waitStart);
    }
  }

  private pollProgress(): void {
    this.pollHits++;
    this.pollToken++;
    this.startIteration(this.vm.sim.now - this.waitStart);
  }

  onPollTimeout(token: number): void {
    if (token !== this.pollToken || this.state !== T_POLLING) return;
    this.setPollMode(false);
    if (this.anyReady(true)) {
      this.startIteration(this.vm.sim.now - this.waitStart);
    } else {
      this.block();
    }
  }

  private block(): void {
    this.state = T_BLOCKED;
    this.acct.enter(CpuState.Idle, this.vm.sim.now);
    this.dropCore();
  }

  /** io_poll_begin / io_poll_end on every queue of ours. */
  private setPollMode(on: boolean): void {
    this.pollStarted = on;
    for (const vq of this.vqs) vq.setNotification(!on);
  }

  private anyReady(includeAvail: boolean): boolean {
    for (const e of this.engines) if (e.ready.size > 0) return true;
    for (const vq of this.vqs) if (vq.kickPending || (includeAvail && vq.hasAvail)) return true;
    return false;
  }

  /** The end of an iteration: poll if the window is open, else block in ppoll. */
  private beginWait(): void {
    const now = this.vm.sim.now;
    this.waitStart = now;
    if (this.pollNs > 0) {
      if (!this.pollStarted) this.setPollMode(true);
      if (this.anyReady(true)) {
        this.startIteration(0);
        return;
      }
      if (this.host !== null && this.host.shouldYield(this)) {
        // Preempted before polling: it polls again when it next gets a core.
        this.state = T_YIELDED;
        this.acct.enter(CpuState.Idle, now);
        if (this.host.yieldCore(this)) this.resume();
        return;
      }
      this.state = T_POLLING;
      this.pollWindows++;
      this.acct.enter(CpuState.Poll, now);
      this.vm.sim.after(this.pollNs, Ev.CtxPollTimeout, this.index, ++this.pollToken);
      return;
    }
    const leftPollMode = this.pollStarted;
    if (leftPollMode) this.setPollMode(false);
    if (this.anyReady(leftPollMode)) {
      // ppoll returns at once: an fd is already ready. That wait still counts for polling.
      this.state = T_RUNNING;
      this.begin(S_PPOLL, 0, this.vm.costs.ppoll_ns);
    } else {
      this.block();
    }
  }

  // --- one iteration ---

  private startIteration(blockNs: number): void {
    if (this.poll.pollMaxNs > 0) this.pollNs = adjustPollNs(this.pollNs, blockNs, this.poll);
    this.state = T_RUNNING;
    this.iterations++;
    for (let i = 0; i < this.engines.length; i++) if (this.engines[i].ready.size > 0) this.todo.push(-(i + 1));
    for (const vq of this.vqs) if (vq.kickPending || (this.pollStarted && vq.hasAvail)) this.todo.push(vq.index);
    if (this.isMainLoop) this.begin(S_MAIN_LOOP, 0, this.vm.costs.main_loop_iteration_ns);
    else this.nextHandler();
  }

  private begin(step: number, count: number, cost: number): void {
    this.step = step;
    this.stepCount = count;
    this.runSegment(cost);
  }

  onStepDone(): void {
    switch (this.step) {
      case S_PPOLL: this.startIteration(this.vm.sim.now - this.waitStart); break;
      case S_MAIN_LOOP: this.nextHandler(); break;
      case S_VQ: this.endVqRound(); break;
      case S_SUBMIT: this.endSubmit(); break;
      case S_COMPLETE: this.endComplete(); break;
      case S_NOTIFY: this.endNotify(); break;
    }
  }

  private nextHandler(): void {
    const c = this.vm.costs;
    while (this.todo.size > 0) {
      const h = this.todo.shift();
      if (h < 0) {
        const e = this.engines[-h - 1];
        const n = e.ready.size;
        if (n === 0) continue;
        let cost = e.reapCost(n, !this.pollStarted) + n * (c.blk_complete_ns + this.perRequestNs);
        for (let i = 0; i < n; i++) cost += this.vm.vqs[this.vm.requests.vq[e.ready.at(i)]].pushNs;
        this.curEngine = e;
        this.begin(S_COMPLETE, n, cost);
        return;
      }
      const vq = this.vm.vqs[h];
      // virtio_blk_handle_vq: suppress notifications while popping unless poll mode already did.
      this.curVq = vq;
      this.curEngine = this.vm.engineOfVq[h];
      this.curSuppress = vq.notification;
      const dispatch = vq.kickPending ? c.fd_dispatch_ns : 0;
      vq.kickPending = false;
      this.vqRound(dispatch);
      return;
    }
    this.beginWait();
  }

  private vqRound(extra: number): void {
    const vq = this.curVq!;
    if (this.curSuppress) vq.setNotification(false);
    const n = vq.availIdx - vq.lastAvailIdx;
    this.begin(S_VQ, n, extra + n * (vq.popNs + this.vm.costs.blk_request_ns + this.perRequestNs));
  }

  private endVqRound(): void {
    const vq = this.curVq!, e = this.curEngine!;
    for (let i = 0; i < this.stepCount; i++) e.queue(vq.devicePop());
    this.curFinal = false;
    this.submitChunks();
  }

  /** Submits what the engine lets out now; at the end of a round, re-enable and loop if more came. */
  private submitChunks(): void {
    const e = this.curEngine!;
    const k = e.takeChunk(this.curFinal);
    if (k > 0) {
      this.begin(S_SUBMIT, k, e.chunkCost(k));
      return;
    }
    if (this.curFinal) {
      this.curVq = null;
      this.nextHandler();
      return;
    }
    const vq = this.curVq!;
    if (this.curSuppress) vq.setNotification(true);
    if (vq.hasAvail) {
      this.vqRound(0);
    } else {
      // defer_call_end: whatever is still queued goes out now.
      this.curFinal = true;
      this.submitChunks();
    }
  }

  private endSubmit(): void {
    const waiting = this.curEngine!.commit(this.stepCount);
    if (waiting === 0) {
      this.submitChunks();
      return;
    }
    this.blockedInSubmit = waiting;
    this.submitBlocks++;
    this.state = T_IN_SUBMIT;
    this.acct.enter(CpuState.Idle, this.vm.sim.now);
    this.dropCore();
  }

  /** Completions reaped: used elements published; one coalesced notification check per queue. */
  private endComplete(): void {
    const vm = this.vm, e = this.curEngine!;
    for (let i = 0; i < this.stepCount; i++) {
      const r = e.ready.shift();
      const vq = vm.vqs[vm.requests.vq[r]];
      vq.devicePush(r);
      vm.requests.stage[r] = Stage.Used;
      if (!vm.vqTouched[vq.index]) {
        vm.vqTouched[vq.index] = 1;
        this.toNotify.push(vq.index);
      }
    }
    let m = 0;
    for (let i = 0, n = this.toNotify.size; i < n; i++) {
      const q = this.toNotify.shift();
      vm.vqTouched[q] = 0;
      if (vm.vqs[q].shouldNotify()) {
        this.toNotify.push(q);
        m++;
      }
    }
    if (m > 0) this.begin(S_NOTIFY, m, m * vm.costs.irqfd_notify_ns);
    else this.nextHandler();
  }

  private endNotify(): void {
    while (this.toNotify.size > 0) this.vm.sendIrq(this.vm.vqs[this.toNotify.shift()]);
    this.nextHandler();
  }
}
