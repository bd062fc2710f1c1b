/** An AioContext's polling parameters (QEMU `-object iothread,poll-max-ns=,poll-grow=,poll-shrink=`). */
export interface PollParams {
  /** Upper bound of the polling window; 0 disables polling. QEMU default 32768 (IOTHREAD_POLL_MAX_NS_DEFAULT). */
  pollMaxNs: number;
  /** Growth factor; 0 means the default, 2. */
  pollGrow: number;
  /** Shrink divisor; 0 means the default: drop to 0 at once. */
  pollShrink: number;
}

/** Polling starts at 4 us when it first grows (util/aio-posix.c). */
export const POLL_NS_INITIAL = 4000;

/**
 * The next poll_ns after a wait that lasted block_ns (polling included), as util/aio-posix.c's
 * adjust_polling_time does: a wait that polling covered changes nothing; one longer than poll-max-ns
 * means polling is wasted, so shrink (to 0 by default); one that polling could have covered with a
 * longer window grows the window (4 us from 0, then x poll-grow, capped at poll-max-ns).
 */
export function adjustPollNs(pollNs: number, blockNs: number, p: PollParams): number {
  if (blockNs <= pollNs) return pollNs;
  if (blockNs > p.pollMaxNs) return p.pollShrink ? Math.floor(pollNs / p.pollShrink) : 0;
  if (pollNs < p.pollMaxNs && blockNs < p.pollMaxNs) {
    const grown = pollNs ? pollNs * (p.pollGrow || 2) : POLL_NS_INITIAL;
    return Math.min(grown, p.pollMaxNs);
  }
  return pollNs;
}
