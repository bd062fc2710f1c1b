import { IntFifo } from '../../engine/int-fifo.js';
import type { AioEngine } from './aio/engine.js';
import type { CoroutinePool } from './coroutine-pool.js';
import { CpuState } from '../host/cpu-account.js';
import { Stage } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import {
  AioLoop, CLIENT, S_CLIENT, S_COMPLETE, S_INLINE, S_MAIN_LOOP, S_NOTIFY, S_POLL_END, S_POLL_ONCE, S_PPOLL, S_SUBMIT, S_VQ, T_IN_SUBMIT,
} from './aio-loop.js';
import type { AioContextOwner, AioContextParams, LoopClient } from './aio-types.js';

export type { AioContextOwner, AioContextParams, LoopClient } from './aio-types.js';

/**
 * An AioContext's handlers, run once each per loop iteration when ready: a virtqueue's handler
 * (virtio_blk_handle_vq: pop, hand to the aio engine, submit), an aio engine's completion handler
 * (reap, push the used elements, notify the guest), and the handlers of clients (virtio-net in
 * userspace on the main loop).
 */
export class AioContext extends AioLoop {
  private curVq: Virtqueue | null = null;
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
  /** The main loop's extra work per request (the BQL), paid at submission and again at completion. */
  private readonly perRequestNs: number;
  /** Disks whose shared block-layer state this step works on, and the extra cost per request of each. */
  private readonly enteredDisk: number[] = [];
  private readonly enteredNs: number[] = [];
  private entered = 0;

  /** The process's coroutine pool (QEMU < 9.0) and this thread's place in it. */
  private coroutines: CoroutinePool | null = null;
  private coroutineThread = 0;

  /** io_submit calls that slept for a device tag. */
  submitBlocks = 0;
  /** Most requests popped in one round: never above its queue's maxPop (checked as an invariant). */
  largestPop = 0;

  constructor(index: number, name: string, isMainLoop: boolean, params: AioContextParams, vm: AioContextOwner) {
    super(index, name, isMainLoop, params, vm);
    this.perRequestNs = isMainLoop ? vm.costs.main_loop_request_ns : 0;
  }

  addVq(vq: Virtqueue, engine: AioEngine): void {
    vq.handlerPos = this.vqs.length;
    this.vqs.push(vq);
    this.vqEngines.push(engine);
    if (vq.maxPop > this.popped.length) this.popped = new Int32Array(vq.maxPop);
  }

  drawCoroutinesFrom(pool: CoroutinePool): void {
    this.coroutines = pool;
    this.coroutineThread = pool.addThread();
  }

  /** A client's step of CPU work on this thread. */
  clientStep(cost: number): void {
    this.runStep(S_CLIENT, 0, cost);
  }

  /** The client has run out of work: the iteration goes on with the next handler. */
  clientDone(): void {
    this.curClient = null;
    this.nextHandler();
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
      case S_POLL_ONCE: this.afterPollOnce(); break;
      case S_CLIENT: this.curClient!.onStepDone(); break;
    }
  }

  protected nextHandler(): void {
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
    this.runStep(S_COMPLETE, n, cost);
  }

  /** QEMU < 8.2 notifies as it pushes, so a batch is completed one host I/O at a time; the first
   *  carries the batch's fixed reap cost. */
  private reapNext(first: boolean): void {
    const e = this.curEngine!;
    const base = e.reapCost(1, this.reapViaFd);
    const reapNs = first ? base : e.reapCost(2, this.reapViaFd) - base;
    this.runStep(S_COMPLETE, 1, reapNs + this.completionNs(e.ready.at(0)));
  }

  /** Pushing the used elements of host I/O r and its merged requests, each completed on its own. */
  private completionNs(r: number): number {
    const req = this.vm.requests;
    // The host I/O's coroutine terminates (coroutine_delete).
    let cost = this.coroutines ? this.coroutines.terminate(this.coroutineThread) : 0;
    for (; r >= 0; r = req.next[r]) {
      const vq = this.vm.vqs[req.vq[r]];
      cost += vq.pushNs + vq.completeNs + this.perRequestNs + this.blockStateNs(req.disk[r]);
    }
    return cost;
  }

  /** The extra cost of the next request of disk d's shared block-layer state in this step (0 unless
   *  several AioContexts serve the disk); the step counts as inside that state until it ends. */
  private blockStateNs(disk: number): number {
    const bs = this.vm.blockState;
    if (!bs.isShared(disk)) return 0;
    for (let k = 0; k < this.entered; k++) if (this.enteredDisk[k] === disk) return this.enteredNs[k];
    const first = bs.enter(disk, this.index);
    this.enteredDisk[this.entered] = disk;
    this.enteredNs[this.entered++] = bs.further;
    return first;
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
    this.runStep(S_VQ, n, cost);
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
  protected submitChunks(): void {
    const e = this.curEngine!;
    const k = e.takeChunk(this.curFinal);
    if (k > 0) {
      // Each host I/O's coroutine (blk_aio_prwv) is made as it is handed on; the model books it here.
      const co = this.coroutines ? this.coroutines.create(this.coroutineThread, k) : 0;
      this.runStep(S_SUBMIT, k, e.chunkCost(k) + co);
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
      this.runStep(S_INLINE, 0, e.inlineNs);
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
    if (m > 0) this.runStep(S_NOTIFY, m, m * vm.costs.irqfd_notify_ns);
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
