import type { CoroutinePoolKind } from '../versions.js';

/** util/qemu-coroutine.c: the release pool is reused once it holds more than this (POOL_BATCH_SIZE,
 *  later POOL_MIN_BATCH_SIZE), and both pools start at this size. */
export const POOL_BATCH_SIZE = 64;

/**
 * A QEMU process's coroutine pool before QEMU 9.0 (util/qemu-coroutine.c). Every request QEMU's block
 * layer serves runs in a coroutine from blk_aio_preadv/pwritev until its completion re-enters it to
 * terminate, so one is live per request in flight. A terminated coroutine goes to the process-wide
 * release pool while it holds under twice the pool size, else to its thread's alloc pool while that
 * holds under the pool size, else it is deleted (coroutine_delete). A new one comes from the thread's
 * alloc pool; when that is empty, the whole release pool moves over, but only once it holds more than
 * the batch size; else it is made afresh (qemu_coroutine_create). So a thread whose requests in
 * flight swing by more than the pools hold between a burst of submissions and a burst of completions
 * deletes stacks in one and maps new ones in the next: what large unplugged batches did before
 * aio-max-batch (QEMU 6.1), which "can hide this issue" (S. Hajnoczi, reviewing 4c41c69e05fe).
 * From QEMU 9.0 the pool is sized by vm.max_map_count and never runs short: no instance is made.
 */
export class CoroutinePool {
  private release = 0;
  /** Each thread's alloc pool. */
  private readonly alloc: number[] = [];
  private readonly batch: number;
  /** Coroutines made afresh and deleted (for the run's counters). */
  created = 0;
  deleted = 0;

  /** `extra`: what the process's virtio-blk devices add to the pool size (num-queues x queue-size / 2
   *  each, QEMU >= 7.0). */
  constructor(kind: Exclude<CoroutinePoolKind, 'global'>, extra: number, private readonly newNs: number, private readonly deleteNs: number) {
    this.size = kind === 'fixed' ? POOL_BATCH_SIZE : POOL_BATCH_SIZE + extra;
    this.batch = kind === 'sized' ? POOL_BATCH_SIZE : this.size;
  }

  /** A thread that runs requests joins: its index for create and terminate. */
  addThread(): number {
    return this.alloc.push(0) - 1;
  }

  /** Largest alloc pool; the release pool holds up to twice it. */
  readonly size: number;

  /** Thread t starts n requests: the CPU their coroutines cost beyond reuse (qemu_coroutine_new). */
  create(t: number, n: number): number {
    let fresh = 0;
    for (let i = 0; i < n; i++) {
      if (this.alloc[t] === 0 && this.release > this.batch) {
        this.alloc[t] = this.release;
        this.release = 0;
      }
      if (this.alloc[t] > 0) this.alloc[t]--;
      else fresh++;
    }
    this.created += fresh;
    return fresh * this.newNs;
  }

  /** A request of thread t completes and its coroutine terminates: what deleting it costs, if the
   *  pools are full. */
  terminate(t: number): number {
    if (this.release < 2 * this.size) this.release++;
    else if (this.alloc[t] < this.size) this.alloc[t]++;
    else {
      this.deleted++;
      return this.deleteNs;
    }
    return 0;
  }
}
