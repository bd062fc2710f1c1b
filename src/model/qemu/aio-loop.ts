import { IntFifo } from '../../engine/int-fifo.js';
import { LazyTimer } from '../../engine/lazy-timer.js';
import type { AioEngine } from './aio/engine.js';
import { CpuAccount, CpuState } from '../host/cpu-account.js';
import { HostThread } from '../host/host-cpu.js';
import { Ev } from '../events.js';
import type { AioContextOwner, AioContextParams, LoopClient } from './aio-types.js';
import { AioPolling } from './poll-handlers.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import type { VqServer } from '../virtio/vq-server.js';

export const T_BLOCKED = 0, T_POLLING = 1, T_RUNNING = 2, T_WAKING = 3, T_IN_SUBMIT = 4, T_SUBMIT_WAKING = 5, T_YIELDED = 6;
export const S_PPOLL = 0, S_MAIN_LOOP = 1, S_VQ = 2, S_SUBMIT = 3, S_COMPLETE = 4, S_NOTIFY = 5, S_POLL_END = 6, S_INLINE = 7, S_CLIENT = 8, S_POLL_ONCE = 9;
/** A client's handler in the to-do list: CLIENT + its position (virtqueue indices stay below). */
export const CLIENT = 1 << 30;

/** ppoll gives way to epoll at this many fds (util/fdmon-epoll.c EPOLL_ENABLE_THRESHOLD). */
const EPOLL_ENABLE_THRESHOLD = 64;

/**
 * The loop of an AioContext and the thread that runs it: an iothread, or QEMU's main loop (no polling,
 * plus the main loop's own dispatch work). One loop iteration (aio_poll) waits, by polling or by
 * blocking in the fd monitor, then runs each ready handler once (AioContext: the handlers). Poll mode
 * disables the queues' notifications and keeps them disabled while polling finds work; a window that
 * expires re-enables them (io_poll_end, and one last io_poll each) and blocks. Polling passes and the
 * fd monitor cost what QEMU's do (AioPolling, waitScanNs); poll_ns adapts after every wait.
 */
export abstract class AioLoop extends HostThread implements VqServer {
  readonly vqs: Virtqueue[] = [];
  /** The aio engine each of our queues submits through, by handler position. */
  protected readonly vqEngines: AioEngine[] = [];
  readonly engines: AioEngine[] = [];
  /** Built by setUpPolling once the handlers are known. */
  polling!: AioPolling;
  protected state = T_BLOCKED;
  protected pollStarted = false;
  protected waitStart = 0;
  /** When polling sees work (the end of the pass where its handler's turn comes), or Infinity; once
   *  set, the window's timeout no longer applies. */
  private foundAt = Infinity;
  /** The polling window's end. */
  private pollDeadline = Infinity;
  /** One timer for a window's timeout and its finds: windows cut short by work leave it pending. */
  private readonly pollTimer: LazyTimer;
  /** Handlers to run this iteration: a virtqueue index, -(engine position + 1), or CLIENT + a client's. */
  protected readonly todo = new IntFifo(16);
  private readyIds = new Int32Array(16);
  protected readonly clients: LoopClient[] = [];
  protected readonly clientWork: boolean[] = [];
  /** iocbs of the io_submit the thread sleeps in, waiting for device tags. */
  protected blockedInSubmit = 0;

  iterations = 0;
  pollWindows = 0;
  pollHits = 0;
  wakeups = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly isMainLoop: boolean,
    protected readonly params: AioContextParams,
    protected readonly vm: AioContextOwner,
  ) {
    super(new CpuAccount(name, isMainLoop ? 'main-loop' : 'iothread'), vm.sim, Ev.CtxStepDone, index);
    this.pollTimer = new LazyTimer(vm.sim, Ev.CtxPollTimer, index);
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
   *  ppoll before QEMU 10.2: the assembly gives it fdmon poll.) */
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
    if (scan > 0) this.runStep(S_PPOLL, 0, scan);
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
    this.runStep(S_POLL_END, 0, 2 * this.polling.handlersPolled * this.vm.costs.poll_handler_ns);
  }

  protected afterPollEnd(): void {
    if (this.anyReady(true)) this.runStep(S_PPOLL, 0, this.readyWaitNs());
    else this.block();
  }

  protected block(): void {
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
  protected beginWait(): void {
    const now = this.vm.sim.now;
    this.waitStart = now;
    if (this.polling.windowNs > 0) {
      if (this.bhEndsPollMode(true)) {
        // A scheduled bottom half zeroes aio_compute_timeout: no polling, poll mode off, then the fd
        // monitor's non-blocking wait.
        this.state = T_RUNNING;
        if (this.pollStarted) this.leavePollMode();
        else this.runStep(S_PPOLL, 0, this.readyWaitNs());
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
    if (this.params.forcedPollPass) {
      // run_poll_handlers_once: every poll handler once, whatever poll_ns.
      this.runStep(S_POLL_ONCE, 0, this.polling.passNs);
      return;
    }
    if (this.anyReady(false)) {
      this.state = T_RUNNING;
      this.runStep(S_PPOLL, 0, this.readyWaitNs());
    } else {
      this.block();
    }
  }

  /** After the forced pass: a handler it found with work runs (aio_poll then does not wait), else the
   *  fd monitor's wait. */
  protected afterPollOnce(): void {
    if (this.anyReady(true)) this.startIteration(0);
    else this.block();
  }

  // --- one iteration ---

  protected startIteration(blockNs: number): void {
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
    if (this.isMainLoop) this.runStep(S_MAIN_LOOP, 0, this.vm.costs.main_loop_iteration_ns);
    else this.nextHandler();
  }


  /** Runs the next ready handler of the iteration, or ends it (beginWait). */
  protected abstract nextHandler(): void;
  /** Back from an io_submit that slept for device tags: the handler's submissions go on. */
  protected abstract submitChunks(): void;
}
