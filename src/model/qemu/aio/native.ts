import type { Costs } from '../../costs.js';
import { AioEngine, type AioEngineKind, type EngineOwner } from './engine.js';

/**
 * aio=native (block/linux-aio.c): requests queued in a plug section go out in one io_submit once
 * aio-max-batch of them are queued (laio_do_submit), the rest at the end of the plug section. At most
 * MAX_EVENTS iocbs are in flight per LinuxAioState: ioq_submit holds the excess in QEMU and sends it
 * from the completion path. io_submit allocates a tag per iocb and sleeps when the device has none:
 * the AioContext thread blocks until every iocb of the call is admitted. After each submission
 * ioq_submit processes the completions already on the AIO ring; otherwise an eventfd signals them
 * and the ring is pollable.
 */
export class NativeAio extends AioEngine {
  override readonly reapsAfterSubmit = true;
  /** iocbs submitted and not yet reaped (io_q.in_flight). */
  inFlight = 0;

  constructor(ctx: number, vm: EngineOwner, private readonly maxBatch: number, private readonly maxEvents: number, private readonly c: Costs) {
    super(ctx, vm);
  }

  takeChunk(final: boolean): number {
    const n = this.pending.size;
    const room = this.maxEvents - this.inFlight;
    if (room <= 0) return 0;
    const batch = Math.min(this.maxBatch, room);
    if (n >= batch) return batch;
    return final ? Math.min(n, room) : 0;
  }

  override onReaped(): void {
    this.inFlight--;
  }

  chunkCost(k: number): number {
    return this.c.native_submit_batch_ns + k * this.c.native_submit_req_ns;
  }

  commit(k: number): number {
    this.inFlight += k;
    return this.submitToDevices(k, this.ctx);
  }

  reapCost(n: number, viaFd: boolean): number {
    return (viaFd ? this.c.fd_dispatch_ns : 0) + n * this.c.native_reap_req_ns;
  }
}

export const NATIVE_AIO: AioEngineKind = {
  create: (e) => new NativeAio(e.ctx, e.owner, e.aioMaxBatch || e.behaviour.nativeDefaultBatch, e.behaviour.linuxAioMaxEvents, e.costs),
  maxThreads: 0,
  needsDirect: true,
};
