import type { PollParams } from './adaptive-polling.js';
import type { AioEngine } from './aio/engine.js';
import type { SharedBlockState } from './block-state.js';
import type { RequestTable } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import type { World } from '../world.js';

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
  /** One pass over the poll handlers before each wait even with polling off (QEMU < 5.0 iothreads). */
  forcedPollPass: boolean;
}
