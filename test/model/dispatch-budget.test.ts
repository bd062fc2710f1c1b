import { describe, expect, it } from 'vitest';
import { IntFifo } from '../../src/engine/int-fifo.js';
import { DispatchBudget } from '../../src/model/blk/dispatch-budget.js';

/** Disk 0 a LUN of depth 2, disk 1 a virtio-blk disk (no budget); two queues. Requests r of the LUN
 *  on queue q, given as [q, r], ask for budget in turn. */
const budget = (...asks: [number, number][]) => {
  const b = new DispatchBudget(Int32Array.from([2, 0]), 2, 16);
  for (const [q, r] of asks) b.take(0, q, r);
  return b;
};

describe('DispatchBudget (scsi_mq_get_budget and the restart that follows a failure)', () => {
  it('grants up to the LUN\'s depth across its queues; the next request waits in its queue', () => {
    const b = budget();
    expect(b.limits(0)).toBe(true);
    expect(b.limits(1)).toBe(false);
    expect(b.take(0, 0, 1)).toBe(true);
    expect(b.take(0, 1, 2)).toBe(true);
    expect(b.take(0, 1, 3)).toBe(false);
    expect(b.busy[0]).toBe(2);
    expect(b.waitingSlot(0, 1)).toBeGreaterThanOrEqual(0);
    expect(b.waitingSlot(0, 0)).toBe(-1);
  });

  it('a completion after a failed dispatch runs each queue with waiting requests once; the run takes what budget there is', () => {
    const b = budget([0, 1], [0, 2], [0, 3], [1, 4]);
    const runs = b.release(1, 0, 7);
    expect(runs.length).toBe(2); // both queues hold a waiting request
    expect(b.release(2, 0, 7)).toEqual([]); // the restart was taken; the runs are queued
    const out = new IntFifo(4);
    const [first, second] = runs;
    expect(b.startRun(first)).toBe(7);
    expect(b.dispatch(first, out)).toBe(1);
    expect(b.startRun(second)).toBe(7);
    expect(b.dispatch(second, out)).toBe(1);
    expect([out.shift(), out.shift()].sort()).toEqual([3, 4]);
    expect(b.busy[0]).toBe(2);
    expect(b.overruns).toBe(0);
  });

  it('a run that finds no budget leaves its requests waiting and marks the restart again', () => {
    const b = budget([0, 1], [0, 2], [1, 3], [1, 4]);
    const [slot] = b.release(1, 0, 0);
    b.take(0, 0, 5); // the submitter on queue 0 takes the freed budget first
    b.startRun(slot);
    expect(b.dispatch(slot, new IntFifo(4))).toBe(0);
    expect(b.release(2, 0, 0)).toEqual([slot]);
  });

  it('returns nothing for a request that never held budget (a flush sent outside it)', () => {
    const b = budget([0, 1], [0, 2], [0, 3]);
    expect(b.release(9, 0, 0)).toEqual([]);
    expect(b.busy[0]).toBe(2);
  });
});
