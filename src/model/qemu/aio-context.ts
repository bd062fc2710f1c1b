import { IntFifo } from '../../engine/int-fifo.js';
import { LazyTimer } from '../../engine/lazy-timer.js';
import type { PollParams } from './adaptive-polling.js';
import type { AioEngine } from './aio/engine.js';
import type { SharedBlockState } from './block-state.js';
import { CpuAccount, CpuState } from '../host/cpu-account.js';
import { HostThread } from '../host/host-cpu.js';
import { Ev } from '../events.js';
import { AioPolling } from './poll-handlers.js';
import { Stage, type RequestTable } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import type { VqServer } from '../virtio/vq-server.js';
import type { World } from '../world.js';

const T_BLOCKED = 0, T_POLLING = 1, T_RUNNING = 2, T_WAKING = 3, T_IN_SUBMIT = 4, T_SUBMIT_WAKING = 5, T_YIELDED = 6;
const S_PPOLL = 0, S_MAIN_LOOP = 1, S_VQ = 2, S_SUBMIT = 3, S_COMPLETE = 4, S_NOTIFY = 5, S_POLL_END = 6, S_INLINE = 7, S_CLIENT = 8;
/** A client's handler in the to-do list: CLIENT + its position (virtqueue indices stay below). */
const CLIENT = 1 << 30;

/** ppoll gives way to epoll at this many fds (util/fdmon-epoll.c EPOLL_ENABLE_THRESHOLD). */
const EPOLL_ENABLE_THRESHOLD = 64;

/** What an AioContext needs from its world: the queues with their engines, the requests, the way to
 *  hand popped requests on, and the way to interrupt the guest. */
export interface AioContextOwner extends World {
  readonly requests: RequestTable;
  readonly vqs: readonly Virtqueue[];
  /** Scratch flags to coalesce notifications per queue. */
  readonly vqTouched: Uint8Array;
  /** The disks' block-layer state, contended when several AioContexts serve one disk. */
  readonly blockState: SharedBlockState;
  sendIrq(vq: Virtqueue): void;
  /** The device's handler hands the requests it popped (in ring order) to the engine (virtio-blk:
   *  through its MultiReqBuffer, virtio_blk_submit_multireq). */
  submitPopped(vq: Virtqueue, popped: Int32Array, count: number, engine: AioEngine): void;
}

/**
 * Another device's handlers that run on this loop's thread (virtio-net without vhost: its TX
 * ioeventfds and its tap fds are handlers of the main loop, virtio_net_handle_tx_bh and tap_send).
 * The client says when it has work (AioContext.onClientWork); in the loop's next iteration the loop
 * hands it the thread (onLoopTurn), the client runs its CPU steps through clientStep, each ending in
 * its onStepDone, and gives the thread back with clientDone when it has run out of work.
 */
export interface LoopClient {
  /** fds the client has the loop's fd monitor watch. */
  readonly fds: number;
  onLoopTurn(): void;
  onStepDone(): void;
}

export interface AioContextParams extends PollParams {
  /** poll_ns per handler (QEMU >= 10.0) rather than per AioContext. */
  pollPerHandler: boolean;
  /** Guest notifications deferred to the end of a completion batch (defer_call, iothreads of QEMU >=
   *  8.2); else a notification as each request is pushed (with EVENT_IDX; without it, iothreads of
   *  QEMU < 8.2 batch them in a notification BH), as the main loop does in every version. */
  deferNotify: boolean;
  /** Poll mode kept on across iterations until the loop blocks (QEMU >= 8.0); else a pending bottom
   *  half ends it (try_poll_mode before 816a430c517e). */
  deferPollEnd: boolean;
  /** fdmon-io_uring (and its removal of idle poll handlers) or ppoll/epoll. */
  fdmon: 'io_uring' | 'poll';
}

/**
 * An AioContext and the thread that runs it: an iothread, or QEMU's main loop (no polling, plus the
 * main loop's own dispatch work). One loop iteration (aio_poll) waits, by polling or by blocking in
 * the fd monitor, then runs each ready handler once: a virtqueue's handler (virtio_blk_handle_vq) or
 * an aio engine's completion handler. Poll mode disables the queues' notifications and keeps them
 * disabled while polling finds work; a window that expires re-enables them (io_poll_end, and one last
 * io_poll each) and blocks. Polling passes and the fd monitor cost what QEMU's do (AioPolling,
 * waitScanNs); poll_ns adapts after every wait.
 */
export class AioContext extends HostThread implements VqServer {
  readonly vqs: Virtqueue[] = [];
  /** The aio engine each of our queues submits through, by handler position. */
  private readonly vqEngines: AioEngine[] = [];
  readonly engines: AioEngine[] = [];
  /** Built by setUpPolling once the handlers are known. */
  polling!: AioPolling;
  private state = T_BLOCKED;
  private pollStarted = false;
  private waitStart = 0;
  /** When polling sees work (the end of the pass where its handler's turn comes), or Infinity; once
   *  set, the window's timeout no longer applies. */
  private foundAt = Infinity;
  /** The polling window's end. */
  private pollDeadline = Infinity;
  /** One timer for a window's timeout and its finds: windows cut short by work leave it pending. */
  private readonly pollTimer: LazyTimer;
  /** Handlers to run this iteration: a virtqueue index, or -(engine position + 1). */
  private readonly todo = new IntFifo(16);
  private readyIds = new Int32Array(16);
  private step = S_PPOLL;
  private stepCount = 0;
  private curVq: Virtqueue | null = null;
  private readonly clients: LoopClient[] = [];
  private readonly clientWork: boolean[] = [];
  private curClient: LoopClient | null = null;
  private curEngine: AioEngine | null = null;
  private curSuppress = false;
  private curFinal = false;
  /** Completions being processed right after an io_submit (laio's ioq_submit): the vq round goes on after. */
  private inSubmitPath = false;
  /** Queues with used elements pushed and not yet checked for a notification; those to notify. */
  private readonly toNotify = new IntFifo(16);
  private readonly sending = new IntFifo(16);
  /** Host I/Os left of a batch reaped one at a time (QEMU < 8.2), and whether an fd woke the reap. */
  private reapLeft = 0;
  private reapViaFd = false;
  private popped = new Int32Array(1);
  private blockedInSubmit = 0;
  /** The main loop's extra work per request (the BQL), paid at submission and again at completion. */
  private readonly perRequestNs: number;
  /** Disks whose shared block-layer state this step works on, and the extra cost per request of each. */
  private readonly enteredDisk: number[] = [];
  private readonly enteredNs: number[] = [];
  private entered = 0;

  iterations = 0;
  pollWindows = 0;
  pollHits = 0;
  wakeups = 0;
  /** io_submit calls that slept for a device tag. */
  submitBlocks = 0;
  /** Most requests popped in one round: never above its queue's maxPop (checked as an invariant). */
  largestPop = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly isMainLoop: boolean,
    private readonly params: AioContextParams,
    private readonly vm: AioContextOwner,
  ) {
    super(new CpuAccount(name, isMainLoop ? 'main-loop' : 'iothread'), vm.sim, Ev.CtxStepDone, index);
    this.perRequestNs = isMainLoop ? vm.costs.main_loop_request_ns : 0;
    this.pollTimer = new LazyTimer(vm.sim, Ev.CtxPollTimer, index);
  }

  addVq(vq: Virtqueue, engine: AioEngine): void {
    vq.handlerPos = this.vqs.length;
    this.vqs.push(vq);
    this.vqEngines.push(engine);
    if (vq.maxPop > this.popped.length) this.popped = new Int32Array(vq.maxPop);
  }

  /**
   * The poll list once the handlers are known: every aio completion handler, and the virtqueues the
   * guest uses (`active`). An unused queue was used at boot; fdmon-io_uring has since dropped it as
   * idle, the other fd monitors never drop a handler.
   */
  setUpPolling(active: (vq: Virtqueue) => boolean): void {
    const p = this.params;
    this.polling = new AioPolling(p, p.pollPerHandler, this.vm.costs.poll_handler_ns, this.vqs.length + this.engines.length);
    for (const vq of this.vqs) if (p.fdmon !== 'io_uring' || active(vq)) this.polling.add(vq.handlerPos);
    this.engines.forEach((_, i) => this.polling.add(this.vqs.length + i));
    this.readyIds = new Int32Array(this.vqs.length + this.engines.length);
  }

  get pollNs(): number {
    return this.polling.windowNs;
  }

  /** A device whose handlers run on this loop (before setUpPolling). */
  addClient(c: LoopClient): void {
    this.clients.push(c);
    this.clientWork.push(false);
  }

  /** fds the fd monitor watches: each queue's ioeventfd, each engine's completion fd, the clients',
   *  the notifier. */
  private get fds(): number {
    let n = this.vqs.length + this.engines.length + 1;
    for (const c of this.clients) n += c.fds;
    return n;
  }

  /** CPU that one blocking wait spends walking fds: ppoll visits every fd going in and coming out;
   *  epoll (at 64 fds or more) and io_uring report only the ready ones. (The main loop is glib's
   *  ppoll: the assembly gives it fdmon poll.) */
  private waitScanNs(): number {
    const n = this.fds;
    if (this.params.fdmon === 'io_uring') return 0;
    return n >= EPOLL_ENABLE_THRESHOLD ? 0 : 2 * n * this.vm.costs.fd_poll_ns;
  }

  /** A wait whose fd is already ready: one syscall, and ppoll's walk over the fds. */
  private readyWaitNs(): number {
    return this.vm.costs.ppoll_ns + this.waitScanNs() / 2;
  }

  // --- notifications in ---

  /** The guest published avail entries on one of our queues, kicking or not. */
  onAvail(vq: Virtqueue, kick: boolean): void {
    if (kick) vq.kickPending = true;
    if (this.state === T_POLLING) {
      if (kick || this.polling.isPolled(vq.handlerPos)) this.pollSees(vq.handlerPos);
    } else if (kick && this.state === T_BLOCKED) {
      this.wake();
    }
  }

  /** An engine of ours has a completion ready (eventfd, CQ entry or bottom half). */
  onCompletion(engine: AioEngine): void {
    if (this.state === T_POLLING) this.pollSees(this.vqs.length + this.engines.indexOf(engine));
    else if (this.state === T_BLOCKED) this.wake();
  }

  /** A client's fd is ready: it runs in the next iteration. Its fds are not polled: a polling window
   *  sees them when it ends. */
  onClientWork(c: LoopClient): void {
    this.clientWork[this.clients.indexOf(c)] = true;
    if (this.state === T_BLOCKED) this.wake();
  }

  /** A client's step of CPU work on this thread. */
  clientStep(cost: number): void {
    this.begin(S_CLIENT, 0, cost);
  }

  /** The client has run out of work: the iteration goes on with the next handler. */
  clientDone(): void {
    this.curClient = null;
    this.nextHandler();
  }

  /** A request our io_submit was blocked on got its device slot. */
  onAdmitted(): void {
    if (--this.blockedInSubmit === 0) {
      this.state = T_SUBMIT_WAKING;
      this.wakeups++;
      this.vm.sim.after(this.wakeDelay(this.vm.costs.wakeup_ns), Ev.CtxWake, this.index, 0);
    }
  }

  // --- waiting ---

  private wake(): void {
    this.state = T_WAKING;
    this.wakeups++;
    this.vm.sim.after(this.wakeDelay(this.vm.costs.wakeup_ns), Ev.CtxWake, this.index, 0);
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
      return;
    }
    this.state = T_RUNNING;
    const scan = this.waitScanNs();
    if (scan > 0) this.begin(S_PPOLL, 0, scan);
    else this.startIteration(this.vm.sim.now - this.waitStart);
  }

  /** Polling will see handler h's new work at the end of a pass. */
  private pollSees(h: number): void {
    const at = this.polling.seenAt(this.vm.sim.now, h);
    if (at >= this.foundAt) return;
    this.foundAt = at;
    this.armPollTimer();
  }

  private armPollTimer(): void {
    this.pollTimer.arm(this.foundAt < Infinity ? this.foundAt : this.pollDeadline);
  }

  /** The poll timer fired: polling has seen work, or its window has ended, or neither yet. */
  onPollTimer(): void {
    const now = this.vm.sim.now;
    this.pollTimer.fired();
    if (this.state !== T_POLLING) return;
    if (this.foundAt < Infinity) {
      if (now < this.foundAt) {
        this.armPollTimer();
        return;
      }
      this.endPollWindow();
      this.pollHits++;
      if (this.bhEndsPollMode(false)) {
        // Only the bottom half's aio_notify was seen: run_poll_handlers made no progress, and
        // try_poll_mode ends poll mode.
        this.state = T_RUNNING;
        this.leavePollMode();
        return;
      }
      this.startIteration(now - this.waitStart);
    } else if (now >= this.pollDeadline) {
      this.endPollWindow();
      this.state = T_RUNNING;
      this.leavePollMode();
    } else {
      this.armPollTimer();
    }
  }

  private endPollWindow(): void {
    this.foundAt = Infinity;
    this.pollDeadline = Infinity;
  }

  /** poll_set_started(false): io_poll_end and one last io_poll on every polled handler, then the fd
   *  monitor's wait. */
  private leavePollMode(): void {
    this.setPollMode(false);
    this.begin(S_POLL_END, 0, 2 * this.polling.handlersPolled * this.vm.costs.poll_handler_ns);
  }

  private afterPollEnd(): void {
    if (this.anyReady(true)) this.begin(S_PPOLL, 0, this.readyWaitNs());
    else this.block();
  }

  private block(): void {
    this.state = T_BLOCKED;
    this.acct.enter(CpuState.Idle, this.vm.sim.now);
    this.dropCore();
  }

  /** io_poll_begin / io_poll_end on every queue that is polled. */
  private setPollMode(on: boolean): void {
    this.pollStarted = on;
    for (const vq of this.vqs) if (this.polling.isPolled(vq.handlerPos)) vq.setNotification(!on);
  }

  /** QEMU < 8.0 ends poll mode when a bottom half is pending (an engine completing by BH has work):
   *  at an iteration's start always, after a polling pass only when no queue had work for it. */
  private bhEndsPollMode(atStart: boolean): boolean {
    if (this.params.deferPollEnd) return false;
    let bh = false;
    for (const e of this.engines) if (e.completesByBh && e.ready.size > 0) bh = true;
    if (!bh || atStart) return bh;
    for (const vq of this.vqs) if (vq.kickPending || (this.polling.isPolled(vq.handlerPos) && vq.hasAvail)) return false;
    return true;
  }

  private anyReady(includeAvail: boolean): boolean {
    for (const e of this.engines) if (e.ready.size > 0) return true;
    for (const w of this.clientWork) if (w) return true;
    for (const vq of this.vqs) if (vq.kickPending || (includeAvail && vq.hasAvail)) return true;
    return false;
  }

  /** The end of an iteration: poll if the window is open, else wait in the fd monitor. */
  private beginWait(): void {
    const now = this.vm.sim.now;
    this.waitStart = now;
    if (this.polling.windowNs > 0) {
      if (this.bhEndsPollMode(true)) {
        // A scheduled bottom half zeroes aio_compute_timeout: no polling, poll mode off, then the fd
        // monitor's non-blocking wait.
        this.state = T_RUNNING;
        if (this.pollStarted) this.leavePollMode();
        else this.begin(S_PPOLL, 0, this.readyWaitNs());
        return;
      }
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
      this.pollDeadline = this.polling.begin(now);
      this.armPollTimer();
      return;
    }
    if (this.pollStarted) {
      this.leavePollMode();
      return;
    }
    if (this.anyReady(false)) {
      this.state = T_RUNNING;
      this.begin(S_PPOLL, 0, this.readyWaitNs());
    } else {
      this.block();
    }
  }

  // --- one iteration ---

  private startIteration(blockNs: number): void {
    this.state = T_RUNNING;
    this.iterations++;
    let ready = 0;
    for (let i = 0; i < this.engines.length; i++) {
      if (this.engines[i].ready.size > 0) {
        this.todo.push(-(i + 1));
        this.readyIds[ready++] = this.vqs.length + i;
      }
    }
    for (const vq of this.vqs) {
      if (vq.kickPending || (this.pollStarted && this.polling.isPolled(vq.handlerPos) && vq.hasAvail)) {
        this.todo.push(vq.index);
        this.readyIds[ready++] = vq.handlerPos;
        // aio_dispatch_handler: a handler that becomes ready joins the poll list.
        if (!this.polling.isPolled(vq.handlerPos)) {
          this.polling.add(vq.handlerPos);
          if (this.pollStarted) vq.setNotification(false);
        }
      }
    }
    for (let k = 0; k < this.clients.length; k++) if (this.clientWork[k]) this.todo.push(CLIENT + k);
    this.polling.adjust(blockNs, this.readyIds, ready);
    if (this.isMainLoop) this.begin(S_MAIN_LOOP, 0, this.vm.costs.main_loop_iteration_ns);
    else this.nextHandler();
  }

  private begin(step: number, count: number, cost: number): void {
    this.step = step;
    this.stepCount = count;
    this.runSegment(cost);
  }

  onStepDone(): void {
    if (this.entered > 0) this.leaveBlockState();
    switch (this.step) {
      case S_PPOLL: this.startIteration(this.vm.sim.now - this.waitStart); break;
      case S_MAIN_LOOP: this.nextHandler(); break;
      case S_VQ: this.endVqRound(); break;
      case S_SUBMIT: this.endSubmit(); break;
      case S_INLINE: this.endInline(); break;
      case S_COMPLETE: this.endComplete(); break;
      case S_NOTIFY: this.endNotify(); break;
      case S_POLL_END: this.afterPollEnd(); break;
      case S_CLIENT: this.curClient!.onStepDone(); break;
    }
  }

  private nextHandler(): void {
    const c = this.vm.costs;
    while (this.todo.size > 0) {
      const h = this.todo.shift();
      if (h >= CLIENT) {
        const k = h - CLIENT;
        if (!this.clientWork[k]) continue;
        this.clientWork[k] = false;
        this.curClient = this.clients[k];
        this.curClient.onLoopTurn();
        return;
      }
      if (h < 0) {
        const e = this.engines[-h - 1];
        if (e.ready.size === 0) continue;
        this.curEngine = e;
        this.reap(!this.pollStarted);
        return;
      }
      const vq = this.vm.vqs[h];
      // The device's handle_output (virtio_blk_handle_vq): notifications suppressed while popping unless
      // poll mode already did.
      this.curVq = vq;
      this.curEngine = this.vqEngines[vq.handlerPos];
      this.curSuppress = vq.notification;
      const dispatch = vq.kickPending ? c.fd_dispatch_ns : 0;
      vq.kickPending = false;
      this.vqRound(dispatch);
      return;
    }
    this.beginWait();
  }

  /** Reaps every host I/O the current engine has ready; `viaFd` when its fd woke the handler. Each
   *  guest request merged into one completes on its own (as virtio_blk_rw_complete walks them). */
  private reap(viaFd: boolean): void {
    const e = this.curEngine!;
    const n = e.ready.size;
    if (!this.params.deferNotify) {
      this.reapLeft = n;
      this.reapViaFd = viaFd;
      this.reapNext(true);
      return;
    }
    let cost = e.reapCost(n, viaFd);
    for (let i = 0; i < n; i++) cost += this.completionNs(e.ready.at(i));
    this.begin(S_COMPLETE, n, cost);
  }

  /** QEMU < 8.2 notifies as it pushes, so a batch is completed one host I/O at a time; the first
   *  carries the batch's fixed reap cost. */
  private reapNext(first: boolean): void {
    const e = this.curEngine!;
    const base = e.reapCost(1, this.reapViaFd);
    const reapNs = first ? base : e.reapCost(2, this.reapViaFd) - base;
    this.begin(S_COMPLETE, 1, reapNs + this.completionNs(e.ready.at(0)));
  }

  /** Pushing the used elements of host I/O r and its merged requests, each completed on its own. */
  private completionNs(r: number): number {
    const req = this.vm.requests;
    let cost = 0;
    for (; r >= 0; r = req.next[r]) {
      const vq = this.vm.vqs[req.vq[r]];
      cost += vq.pushNs + vq.completeNs + this.perRequestNs + this.blockStateNs(req.disk[r]);
    }
    return cost;
  }

  /** The extra cost per request of disk d's shared block-layer state in this step (0 unless several
   *  AioContexts serve the disk); the step counts as inside that state until it ends. */
  private blockStateNs(disk: number): number {
    const bs = this.vm.blockState;
    if (!bs.isShared(disk)) return 0;
    for (let k = 0; k < this.entered; k++) if (this.enteredDisk[k] === disk) return this.enteredNs[k];
    const ns = bs.enter(disk);
    this.enteredDisk[this.entered] = disk;
    this.enteredNs[this.entered++] = ns;
    return ns;
  }

  private leaveBlockState(): void {
    for (let k = 0; k < this.entered; k++) this.vm.blockState.leave(this.enteredDisk[k]);
    this.entered = 0;
  }

  /** Pops up to the queue's maxPop (virtio-blk: one MultiReqBuffer's worth) and hands them on. */
  private vqRound(extra: number): void {
    const vq = this.curVq!;
    if (this.curSuppress) vq.setNotification(false);
    const n = Math.min(vq.availIdx - vq.lastAvailIdx, vq.maxPop);
    if (n > this.largestPop) this.largestPop = n;
    let cost = extra + n * (vq.popNs + vq.handleNs + this.perRequestNs);
    if (this.vm.blockState.isShared(vq.disk)) {
      // A LUN of a virtio-scsi controller has state of its own: each request's disk.
      const disk = this.vm.requests.disk;
      for (let i = 0; i < n; i++) cost += this.blockStateNs(disk[vq.avail.at(i)]);
    }
    this.begin(S_VQ, n, cost);
  }

  private endVqRound(): void {
    const vq = this.curVq!;
    for (let i = 0; i < this.stepCount; i++) this.popped[i] = vq.devicePop();
    this.vm.submitPopped(vq, this.popped, this.stepCount, this.curEngine!);
    this.curFinal = false;
    this.submitChunks();
  }

  /**
   * Submits what the engine lets out now. Inside the handler's loop it pops on while the ring has
   * requests; once it is empty it re-enables notifications and looks again; at the end of the plug
   * section (defer_call_end) whatever is still queued goes out.
   */
  private submitChunks(): void {
    const e = this.curEngine!;
    const k = e.takeChunk(this.curFinal);
    if (k > 0) {
      this.begin(S_SUBMIT, k, e.chunkCost(k));
      return;
    }
    if (this.curFinal) {
      this.curVq = null;
      if (this.toNotify.size > 0) this.flushNotify(false);
      else this.nextHandler();
      return;
    }
    const vq = this.curVq!;
    if (vq.hasAvail) {
      this.vqRound(0);
      return;
    }
    if (this.curSuppress) vq.setNotification(true);
    if (vq.hasAvail) {
      this.vqRound(0);
    } else {
      this.curFinal = true;
      this.submitChunks();
    }
  }

  private endSubmit(): void {
    const e = this.curEngine!;
    const waiting = e.commit(this.stepCount);
    if (e.inlineCount > 0) {
      // Reads served from the page cache inside the syscall: its copies, on this thread.
      this.begin(S_INLINE, 0, e.inlineNs);
      return;
    }
    this.afterCommit(waiting);
  }

  private endInline(): void {
    this.curEngine!.takeInline();
    this.afterCommit(0);
  }

  private afterCommit(waiting: number): void {
    const e = this.curEngine!;
    if (waiting > 0) {
      this.blockedInSubmit = waiting;
      this.submitBlocks++;
      this.state = T_IN_SUBMIT;
      this.acct.enter(CpuState.Idle, this.vm.sim.now);
      this.dropCore();
      return;
    }
    if (e.reapsAfterSubmit && e.ready.size > 0) {
      // ioq_submit: "try to complete something just right away".
      this.inSubmitPath = true;
      this.reap(false);
      return;
    }
    this.submitChunks();
  }

  /**
   * Completions reaped: used elements published. The guest is notified once per queue (virtio_notify
   * deferred by defer_call), at the end of the completion batch, or, for completions processed inside
   * a queue handler's io_submit, at the end of that handler's plug section. Before QEMU 8.2, each push
   * is followed by its notification check at once.
   */
  private endComplete(): void {
    const vm = this.vm, e = this.curEngine!;
    for (let i = 0; i < this.stepCount; i++) {
      let r = e.ready.shift();
      e.onReaped();
      while (r >= 0) {
        const vq = vm.vqs[vm.requests.vq[r]];
        vq.devicePush(r);
        vm.requests.stage[r] = Stage.Used;
        if (!vm.vqTouched[vq.index]) {
          vm.vqTouched[vq.index] = 1;
          this.toNotify.push(vq.index);
        }
        const next = vm.requests.next[r];
        vm.requests.next[r] = -1;
        r = next;
      }
    }
    if (!this.params.deferNotify) {
      this.reapLeft -= this.stepCount;
      this.flushNotify(this.reapLeft > 0);
    } else if (this.inSubmitPath) {
      this.inSubmitPath = false;
      this.submitChunks();
    } else {
      this.flushNotify(false);
    }
  }

  /**
   * virtio_should_notify once per touched queue, one irqfd write per yes: at defer_call_end, or (QEMU
   * < 8.2) right after a push. `midBatch`: more of the batch is to come, so a queue without EVENT_IDX
   * waits for the batch's end (the notification BH of QEMU < 8.2).
   */
  private flushNotify(midBatch: boolean): void {
    const vm = this.vm;
    for (let i = 0, n = this.toNotify.size; i < n; i++) {
      const q = this.toNotify.shift();
      const vq = vm.vqs[q];
      if (midBatch && !vq.eventIdx) {
        this.toNotify.push(q);
        continue;
      }
      vm.vqTouched[q] = 0;
      if (vq.shouldNotify()) this.sending.push(q);
    }
    const m = this.sending.size;
    if (m > 0) this.begin(S_NOTIFY, m, m * vm.costs.irqfd_notify_ns);
    else this.endNotify();
  }

  private endNotify(): void {
    while (this.sending.size > 0) this.vm.sendIrq(this.vm.vqs[this.sending.shift()]);
    if (this.reapLeft > 0) {
      this.reapNext(false);
      return;
    }
    if (this.inSubmitPath) {
      this.inSubmitPath = false;
      this.submitChunks();
      return;
    }
    if (this.curEngine!.pending.size > 0) {
      // Requests held back at the in-flight cap go out from the completion path.
      this.curVq = null;
      this.curFinal = true;
      this.submitChunks();
      return;
    }
    this.nextHandler();
  }
}
