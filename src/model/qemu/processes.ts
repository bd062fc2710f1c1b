import type { Costs } from '../costs.js';
import type { HostThread } from '../host/host-cpu.js';
import type { Behaviour } from '../versions.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import type { AioEngine, AioKind, PoolOwner } from './aio/engine.js';
import type { PoolWorker } from './aio/pool-worker.js';
import { aioEngine } from './aio/registry.js';
import { AioContext } from './aio-context.js';
import { CoroutinePool } from './coroutine-pool.js';
import type { AioContextOwner } from './aio-types.js';
import { MAIN_LOOP } from './iothread-mapping.js';
import type { PollParams } from './adaptive-polling.js';

/** A VM's iothread settings (-object iothread): polling, aio-max-batch, the fd monitor. */
export interface IothreadSetup extends PollParams {
  aioMaxBatch: number;
  fdmon: 'io_uring' | 'poll';
}

/**
 * The QEMU processes of a host's VMs: per VM its main loop and its iothreads (AioContexts, each made at
 * its first use by whichever device asks for it, so a VM has one main loop whatever runs on it), their
 * aio engines, and the thread pools' workers. The devices register their virtqueues and handlers with
 * the AioContexts. Indices are the host's.
 */
export class QemuProcesses {
  readonly ctxs: AioContext[] = [];
  /** The VM of each AioContext. */
  readonly vmOfCtx: number[] = [];
  readonly workers: PoolWorker[] = [];
  /** Threads the engines may spawn at most (thread pools), for sizing the host's tables. */
  maxEngineThreads = 0;
  private readonly ctxByName = new Map<string, AioContext>();
  private readonly engineByName = new Map<string, AioEngine>();
  /** Each VM's coroutine pool (QEMU < 9.0), made with its first AioContext. */
  readonly coroutinePools: (CoroutinePool | null)[] = [];

  /** `owner`: what the AioContexts and engines serve (the storage side); `poolExtra[v]`: what VM v's
   *  virtio-blk devices add to its coroutine pool; `place` puts a VM's thread on the host (a pool worker
   *  as it spawns). */
  constructor(
    private readonly owner: AioContextOwner & PoolOwner,
    private readonly iothreads: readonly IothreadSetup[],
    private readonly poolExtra: readonly number[],
    private readonly behaviour: Behaviour,
    private readonly costs: Readonly<Costs>,
    private readonly place: (t: HostThread, vm: number) => void,
  ) {}

  /** VM v's AioContext of that name (an iothread's, or MAIN_LOOP), made at its first use. */
  contextOf(v: number, name: string): AioContext {
    const key = `${v}/${name}`;
    let ctx = this.ctxByName.get(key);
    if (!ctx) {
      const main = name === MAIN_LOOP, iothread = this.iothreads[v], b = this.behaviour;
      const poll = main ? { pollMaxNs: 0, pollGrow: 0, pollShrink: 0 } : iothread;
      ctx = new AioContext(this.ctxs.length, name, main, {
        // The main loop notifies at once (virtio_irq: defer_call only in an iothread).
        ...poll, pollPerHandler: b.pollPerHandler, deferNotify: !main && b.deferredNotify,
        deferPollEnd: b.pollModeDeferred,
        fdmon: main && !b.mainLoopFdmon ? 'poll' : iothread.fdmon, forcedPollPass: !main && b.forcedPollPass,
      }, this.owner);
      this.ctxByName.set(key, ctx);
      this.ctxs.push(ctx);
      this.vmOfCtx.push(v);
      const pool = this.coroutinePoolOf(v);
      if (pool) ctx.drawCoroutinesFrom(pool);
    }
    return ctx;
  }

  private coroutinePoolOf(v: number): CoroutinePool | null {
    const kind = this.behaviour.coroutinePool, c = this.costs;
    if (this.coroutinePools[v] === undefined) {
      this.coroutinePools[v] = kind === 'global' ? null : new CoroutinePool(kind, this.poolExtra[v], c.coroutine_new_ns, c.coroutine_delete_ns);
    }
    return this.coroutinePools[v];
  }

  /** The AioContext's engine of that aio= name, made at its first use. */
  engineOf(ctx: AioContext, name: AioKind): AioEngine {
    const key = `${ctx.index}/${name}`;
    let e = this.engineByName.get(key);
    if (!e) {
      const kind = aioEngine(name);
      e = kind.create({
        ctx: ctx.index, ctxName: ctx.name, owner: this.owner, costs: this.costs, behaviour: this.behaviour,
        aioMaxBatch: this.iothreads[this.vmOfCtx[ctx.index]].aioMaxBatch,
      });
      this.maxEngineThreads += kind.maxThreads;
      this.engineByName.set(key, e);
      ctx.engines.push(e);
    }
    return e;
  }

  /** A thread pool spawned a worker. */
  addWorker(w: PoolWorker): void {
    this.workers.push(w);
    this.place(w, this.vmOfCtx[w.pool.ctx]);
  }

  /** Every loop's poll list, once every device has registered its handlers (`active`: a queue the
   *  guest uses). */
  setUpPolling(active: (vq: Virtqueue) => boolean): void {
    for (const ctx of this.ctxs) ctx.setUpPolling(active);
  }

  /** VM v's AioContexts. */
  contextsOf(v: number): AioContext[] {
    return this.ctxs.filter((_, i) => this.vmOfCtx[i] === v);
  }

  /** The measurement window starts. */
  resetStats(now: number): void {
    for (const x of this.ctxs) { x.acct.reset(now); x.iterations = x.pollWindows = x.pollHits = x.wakeups = x.submitBlocks = 0; }
    for (const w of this.workers) w.acct.reset(now);
  }
}
