import { passSeenAt } from '../host/poll-pass.js';
import { adjustPollNs, type PollParams } from './adaptive-polling.js';

/**
 * The poll side of one AioContext (util/aio-posix.c): which handlers a polling pass calls, what a
 * pass costs, when polling sees new work, and the adaptive window.
 * - run_poll_handlers_once calls io_poll on every handler of the poll list, in list order, so a pass
 *   costs pollHandlerNs per handler and work is seen only when its handler's turn comes; the pass
 *   then ends and the loop exits. run_poll_handlers repeats passes until the window has elapsed, so
 *   a window is a whole number of passes (at least one).
 * - poll_ns is one per AioContext before QEMU 10.0, adjusted after every aio_poll; from 10.0 one
 *   per handler, adjusted only for handlers that were ready, and the window is the largest of them.
 */
export class AioPolling {
  /** Per handler (vqs first, then aio completion handlers): in the poll list. */
  private readonly inList: Uint8Array;
  /** Per handler: its place in a pass (0 = polled first), for those in the list. */
  private readonly order: Int32Array;
  private readonly handlerNs: Float64Array;
  private listSize = 0;
  /** The window the next wait polls for. */
  windowNs = 0;
  passNs = 0;
  private passStart = 0;

  constructor(
    private readonly p: PollParams,
    private readonly perHandler: boolean,
    private readonly pollHandlerNs: number,
    handlers: number,
  ) {
    this.inList = new Uint8Array(handlers);
    this.order = new Int32Array(handlers);
    this.handlerNs = new Float64Array(handlers);
  }

  /** Puts handler h on the poll list (it has been ready since the VM booted). */
  add(h: number): void {
    if (this.inList[h]) return;
    this.inList[h] = 1;
    this.order[h] = this.listSize++;
    // The AioContext's own notifier (aio_notify) is polled too: one handler more per pass.
    this.passNs = (this.listSize + 1) * this.pollHandlerNs;
  }

  get handlersPolled(): number {
    return this.listSize + 1;
  }

  /** adjust_polling_time after a wait of blockNs, for the handlers that were ready. */
  adjust(blockNs: number, ready: ArrayLike<number>, count: number): void {
    if (this.p.pollMaxNs === 0) return;
    if (!this.perHandler) {
      this.windowNs = adjustPollNs(this.windowNs, blockNs, this.p);
      return;
    }
    let max = 0;
    let stale = false;
    for (let i = 0; i < count; i++) {
      const h = ready[i];
      if (!this.inList[h]) continue;
      const before = this.handlerNs[h];
      const after = adjustPollNs(before, blockNs, this.p);
      this.handlerNs[h] = after;
      if (after > max) max = after;
      if (before === this.windowNs && after < before) stale = true;
    }
    if (stale) {
      max = 0;
      for (let h = 0; h < this.handlerNs.length; h++) if (this.inList[h] && this.handlerNs[h] > max) max = this.handlerNs[h];
      this.windowNs = max;
    } else if (max > this.windowNs) {
      this.windowNs = max;
    }
  }

  /** A polling window starts at `now`; returns when it ends with nothing found (whole passes). */
  begin(now: number): number {
    this.passStart = now;
    if (this.passNs === 0) return now + this.windowNs;
    return now + Math.max(1, Math.ceil(this.windowNs / this.passNs)) * this.passNs;
  }

  isPolled(h: number): boolean {
    return this.inList[h] === 1;
  }

  /** When the polling that began at begin() sees work that handler h got at `now`: at the end of
   *  this pass if h's turn in it is still to come, else at the end of the next one. A handler off the
   *  list is seen through its fd, which the fd monitor reports after the pass (need_wait). */
  seenAt(now: number, h: number): number {
    const P = this.passNs;
    if (P === 0) return now;
    if (!this.inList[h]) return this.passStart + (Math.floor((now - this.passStart) / P) + 1) * P;
    return passSeenAt(now, this.passStart, P, this.pollHandlerNs, this.order[h], true);
  }
}
