import { IntFifo } from '../../../engine/int-fifo.js';
import type { Costs } from '../../costs.js';
import { Ev } from '../../events.js';
import { AioEngine, type AioEngineKind, type PoolOwner } from './engine.js';
import { PoolWorker, type WorkerPool } from './pool-worker.js';

/** util/thread-pool.c: a pool grows up to max_threads, 64 by default. */
export const THREAD_POOL_MAX = 64;

const W_IDLE = 0, W_WAKING = 1, W_IO = 2, W_BLOCKED = 3, W_DONE = 4, W_SPAWNING = 5;

/**
 * aio=threads (util/thread-pool.c): every request goes on the pool's list and posts its semaphore. An
 * idle worker is woken; it counts as idle until it runs (idle_threads drops in the worker), so requests
 * submitted meanwhile spawn no thread and wait on the list. With no idle worker a new one is spawned
 * (spawn_thread; the thread is created by new_thread_bh and starts after thread_spawn_ns) while fewer
 * than 64 exist. A worker's blocking syscall holds it until the device completes; it then posts the
 * result and schedules the completion bottom half, which wakes the AioContext, and takes the next
 * request on the list. Not batched: a hand-off and a wake-up per request.
 */
export class ThreadsAio extends AioEngine implements WorkerPool {
  override readonly completesByBh = true;
  /** Requests handed to the pool and not yet taken by a worker. */
  private readonly queueOfPool = new IntFifo(64);
  private readonly idle: PoolWorker[] = [];
  /** Woken and not yet running: still counted idle by the pool. */
  private signalled = 0;
  readonly workers: PoolWorker[] = [];

  constructor(ctx: number, private readonly owner: PoolOwner, private readonly c: Costs, private readonly ctxName: string) {
    super(ctx, owner);
  }

  takeChunk(): number {
    return this.pending.size;
  }

  chunkCost(k: number): number {
    return k * this.c.threads_submit_req_ns;
  }

  commit(k: number): number {
    for (let i = 0; i < k; i++) {
      const r = this.pending.shift();
      const w = this.idle.pop();
      if (w) {
        this.signalled++;
        this.start(w, r, W_WAKING, this.c.wakeup_ns);
      } else if (this.signalled === 0 && this.workers.length < THREAD_POOL_MAX) {
        this.start(this.spawn(), r, W_SPAWNING, this.c.thread_spawn_ns);
      } else {
        this.queueOfPool.push(r);
      }
    }
    return 0;
  }

  reapCost(n: number): number {
    // The completion bottom half runs from the AioContext's event notifier either way.
    return this.c.fd_dispatch_ns + n * this.c.threads_reap_req_ns;
  }

  private spawn(): PoolWorker {
    const w = new PoolWorker(this.owner.workers.length, this, `${this.ctxName}-worker${this.workers.length}`, this.owner.sim);
    this.workers.push(w);
    this.owner.addWorker(w);
    return w;
  }

  /** Hands r to a worker that starts running after `delayNs` (woken, or a new thread starting). */
  private start(w: PoolWorker, r: number, state: number, delayNs: number): void {
    w.req = r;
    w.state = state;
    this.owner.workerOf[r] = w.index;
    this.owner.sim.after(w.wakeDelay(delayNs), Ev.WorkerWake, w.index, 0);
  }

  /** Running after a wake-up or its start with a new request, or by its I/O's completion (W_BLOCKED). */
  onWorkerRunning(w: PoolWorker): void {
    if (w.state === W_WAKING) this.signalled--;
    if (w.state === W_BLOCKED) w.run(W_DONE, this.c.threads_worker_done_ns);
    else w.run(W_IO, this.c.threads_worker_io_ns);
  }

  onWorkerStepDone(w: PoolWorker): void {
    if (w.state === W_IO) {
      // Served from the host's page cache inside the syscall: the copy is the worker's CPU time.
      const inline = this.vm.deviceOf(w.req).submitInline(w.req);
      if (inline >= 0) {
        w.run(W_DONE, inline + this.c.threads_worker_done_ns);
        return;
      }
      // In the blocking syscall: off CPU until the device completes (waiting for a tag included).
      w.off(W_BLOCKED);
      return;
    }
    this.complete(w.req);
    w.req = -1;
    if (this.queueOfPool.size > 0) {
      w.req = this.queueOfPool.shift();
      this.owner.workerOf[w.req] = w.index;
      w.run(W_IO, this.c.threads_worker_io_ns);
    } else {
      w.off(W_IDLE);
      this.idle.push(w);
    }
  }

  override violations(): string[] {
    return this.workers.length > THREAD_POOL_MAX ? [`spawned ${this.workers.length} pool workers`] : [];
  }

  /** The device finished the worker's request: the kernel wakes the worker. */
  override onDeviceDone(r: number): void {
    const w = this.owner.workers[this.owner.workerOf[r]];
    this.owner.sim.after(w.wakeDelay(this.c.wakeup_ns), Ev.WorkerWake, w.index, 0);
  }
}

export const THREADS_AIO: AioEngineKind = {
  create: (e) => new ThreadsAio(e.ctx, e.owner, e.costs, e.ctxName),
  maxThreads: THREAD_POOL_MAX,
  needsDirect: false,
};
