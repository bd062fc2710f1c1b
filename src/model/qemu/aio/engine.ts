import { IntFifo } from '../../../engine/int-fifo.js';
import type { Simulation } from '../../../engine/simulation.js';
import type { Costs } from '../../costs.js';
import type { BlockTarget } from '../../storage/page-cache.js';
import { Stage, type RequestTable } from '../../storage/requests.js';
import type { Behaviour } from '../../versions.js';
import type { PoolWorker } from './pool-worker.js';

/** What an engine needs from the world it serves: the requests, their devices, and the AioContexts to
 *  tell of completions. */
export interface EngineOwner {
  readonly requests: RequestTable;
  deviceOf(r: number): BlockTarget;
  readonly ctxs: readonly { onCompletion(e: AioEngine): void }[];
}

/** What an engine that runs threads of its own (the thread pool) needs besides: the clock, and where
 *  its workers join the host. */
export interface PoolOwner extends EngineOwner {
  readonly sim: Simulation;
  readonly workers: readonly PoolWorker[];
  /** Pool worker holding each request. */
  readonly workerOf: Int32Array;
  addWorker(w: PoolWorker): void;
}

/** A host aio engine by its aio= name, one of the registry's (registry.ts). */
export type AioKind = string;

/** What an engine of one AioContext is built from. */
export interface EngineEnv {
  ctx: number;
  ctxName: string;
  /** The world it serves; a thread pool also registers its workers there. */
  owner: PoolOwner;
  costs: Readonly<Costs>;
  behaviour: Behaviour;
  /** The iothread's aio-max-batch (0: the engine's own default). */
  aioMaxBatch: number;
}

/** A host aio engine as QEMU's aio= names it: how to build it, and what the scenario checks of it. */
export interface AioEngineKind {
  create(env: EngineEnv): AioEngine;
  /** Threads it may spawn per AioContext (the memory estimate sizes for them). */
  maxThreads: number;
  /** QEMU refuses it without cache.direct=on (O_DIRECT). */
  needsDirect: boolean;
}

/**
 * A host aio engine of one AioContext, after fio's engine interface: the handler queues requests
 * (inside its plug section), takes them off in chunks that each cost the AioContext thread some CPU,
 * and commits each chunk; completions come back on `ready` for the AioContext to reap.
 */
export abstract class AioEngine {
  /** Queued by the handler, not yet submitted. */
  readonly pending = new IntFifo(64);
  /** Completed, visible to the AioContext, not yet reaped. */
  readonly ready = new IntFifo(64);

  constructor(readonly ctx: number, protected readonly vm: EngineOwner) {}

  queue(r: number): void {
    this.vm.requests.stage[r] = Stage.HostQueued;
    this.pending.push(r);
  }

  /** Size of the next submission chunk, 0 when nothing is to be submitted now. `final` is the end of
   *  the plug section (defer_call_end). */
  abstract takeChunk(final: boolean): number;
  /** CPU cost (ns) on the AioContext thread of submitting a chunk of k. */
  abstract chunkCost(k: number): number;
  /** Submits the k oldest pending requests; returns how many of them the AioContext thread must wait
   *  for (blocked in the syscall) until they have a device slot. */
  abstract commit(k: number): number;
  /** CPU cost (ns) of reaping n completions; `viaFd` when an fd woke the handler rather than polling. */
  abstract reapCost(n: number, viaFd: boolean): number;
  /** Completions reach the AioContext as a scheduled bottom half (the thread pool's completion_bh),
   *  not through an fd or a ring that polling reads. */
  readonly completesByBh: boolean = false;
  /** Completions are processed right after each submission (linux-aio's ioq_submit). */
  readonly reapsAfterSubmit: boolean = false;
  /** A read the host's page cache holds completes inside the submitting syscall (io_uring's
   *  non-blocking first attempt), on the AioContext thread. */
  protected readonly readsInline: boolean = false;
  /** Reads served inside the last commit, and the CPU time they took: the AioContext spends it, then
   *  completes them (takeInline). */
  private readonly inline = new IntFifo(8);
  inlineNs = 0;

  /** One completion has been reaped by the AioContext. */
  onReaped(): void {}

  /** Broken bounds of the engine's own, for the run's invariants (a thread pool past its size). */
  violations(): string[] {
    return [];
  }

  /** The device finished r. */
  onDeviceDone(r: number): void {
    this.complete(r);
  }

  protected complete(r: number): void {
    this.vm.requests.stage[r] = Stage.HostDone;
    this.ready.push(r);
    this.vm.ctxs[this.ctx].onCompletion(this);
  }

  get inlineCount(): number {
    return this.inline.size;
  }

  /** The AioContext spent inlineNs: the reads served inside the commit complete. */
  takeInline(): void {
    this.inlineNs = 0;
    while (this.inline.size > 0) this.complete(this.inline.shift());
  }

  /** Submits k pending requests to their devices; returns how many had to wait for a slot. */
  protected submitToDevices(k: number, blocker: number): number {
    const vm = this.vm;
    let waiting = 0;
    for (let i = 0; i < k; i++) {
      const r = this.pending.shift();
      const target = vm.deviceOf(r);
      if (this.readsInline && !vm.requests.write[r] && !vm.requests.flush[r]) {
        const ns = target.submitInline(r);
        if (ns >= 0) {
          this.inline.push(r);
          this.inlineNs += ns;
        }
        continue;
      }
      if (!target.submit(r)) {
        vm.requests.blocker[r] = blocker;
        waiting++;
      }
    }
    return waiting;
  }
}
