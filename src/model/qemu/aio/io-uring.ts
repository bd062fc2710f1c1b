import type { Costs } from '../../costs.js';
import { AioEngine, type AioEngineKind, type EngineOwner } from './engine.js';

/** Submission queue entries per LuringState (block/io_uring.c MAX_ENTRIES). */
export const IO_URING_MAX_ENTRIES = 128;

/**
 * aio=io_uring (block/io_uring.c): the plug section fills the SQ, one io_uring_enter submits the batch
 * (at most MAX_ENTRIES). A request that finds no device tag is punted to an io-wq worker in the kernel,
 * so the AioContext thread never blocks; it waits in the host instead. Completions are read from the
 * CQ ring without a syscall; an eventfd signals them when the thread is not polling. A buffered read
 * the host's page cache holds completes inside io_uring_enter (io_read's IOCB_NOWAIT attempt succeeds),
 * its copy on the iothread; other buffered I/O goes on as a device's would.
 */
export class IoUringAio extends AioEngine {
  protected override readonly readsInline = true;

  constructor(ctx: number, vm: EngineOwner, private readonly c: Costs) {
    super(ctx, vm);
  }

  takeChunk(final: boolean): number {
    const n = this.pending.size;
    if (n >= IO_URING_MAX_ENTRIES) return IO_URING_MAX_ENTRIES;
    return final ? n : 0;
  }

  chunkCost(k: number): number {
    return this.c.io_uring_enter_ns + k * this.c.io_uring_submit_req_ns;
  }

  commit(k: number): number {
    this.submitToDevices(k, -1);
    return 0;
  }

  reapCost(n: number, viaFd: boolean): number {
    return (viaFd ? this.c.fd_dispatch_ns : 0) + n * this.c.io_uring_reap_req_ns;
  }
}

export const IO_URING_AIO: AioEngineKind = {
  create: (e) => new IoUringAio(e.ctx, e.owner, e.costs),
  maxThreads: 0,
  needsDirect: false,
};
