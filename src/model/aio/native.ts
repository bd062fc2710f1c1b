import type { Costs } from '../costs.js';
import type { Vm } from '../vm.js';
import { AioEngine } from './engine.js';

/** Default aio-max-batch of a LinuxAioState (block/linux-aio.c DEFAULT_MAX_BATCH). */
export const NATIVE_MAX_BATCH = 32;

/**
 * aio=native (block/linux-aio.c): requests queued in a plug section go out in one io_submit per batch
 * of at most aio-max-batch; a batch that reaches the cap is submitted at once. io_submit allocates a
 * tag per iocb and sleeps when the device has none: the AioContext thread blocks until every iocb of
 * the call is admitted. Completions arrive on the AIO ring, signalled by an eventfd; the ring is
 * pollable.
 */
export class NativeAio extends AioEngine {
  constructor(ctx: number, vm: Vm, private readonly maxBatch: number, private readonly c: Costs) {
    super(ctx, vm);
  }

  takeChunk(final: boolean): number {
    const n = this.pending.size;
    if (n >= this.maxBatch) return this.maxBatch;
    return final ? n : 0;
  }

  chunkCost(k: number): number {
    return this.c.native_submit_batch_ns + k * this.c.native_submit_req_ns;
  }

  commit(k: number): number {
    return this.submitToDevices(k, this.ctx);
  }

  reapCost(n: number, viaFd: boolean): number {
    return (viaFd ? this.c.fd_dispatch_ns : 0) + n * this.c.native_reap_req_ns;
  }
}
