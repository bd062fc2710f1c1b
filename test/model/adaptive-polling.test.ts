import { describe, expect, it } from 'vitest';
import { adjustPollNs, POLL_NS_INITIAL } from '../../src/model/qemu/adaptive-polling.js';
import { simulate } from '../helpers.js';

const defaults = { pollMaxNs: 32768, pollGrow: 0, pollShrink: 0 };

describe('adjustPollNs (util/aio-posix.c adjust_polling_time)', () => {
  it('grows from 0 to 4 us, then doubles, capped at poll-max-ns, after short waits', () => {
    const seen: number[] = [];
    let ns = 0;
    for (let i = 0; i < 6; i++) {
      ns = adjustPollNs(ns, Math.min(ns + 1, defaults.pollMaxNs - 1), defaults);
      seen.push(ns);
    }
    expect(seen).toEqual([POLL_NS_INITIAL, 8000, 16000, 32000, 32768, 32768]);
  });

  it('changes nothing when polling covered the wait (the sweet spot)', () => {
    expect(adjustPollNs(16000, 16000, defaults)).toBe(16000);
    expect(adjustPollNs(16000, 100, defaults)).toBe(16000);
    expect(adjustPollNs(0, 0, defaults)).toBe(0);
  });

  it('collapses to 0 after a wait longer than poll-max-ns', () => {
    expect(adjustPollNs(32768, 32769, defaults)).toBe(0);
  });

  it('divides by poll-shrink when set, and multiplies by poll-grow', () => {
    const p = { pollMaxNs: 100_000, pollGrow: 4, pollShrink: 2 };
    expect(adjustPollNs(64000, 200_000, p)).toBe(32000);
    expect(adjustPollNs(8000, 9000, p)).toBe(32000);
  });

  it('does not grow for a wait exactly at poll-max-ns', () => {
    expect(adjustPollNs(8000, 32768, defaults)).toBe(8000);
  });
});

describe('adaptive polling in a running iothread', () => {
  const base = {
    duration: '200ms', warmup: '20ms', vm: { vcpus: 1 },
    disk: { device: { preset: 'null_blk', read: { dist: 'constant', value: '5us' } } },
    job: { rw: 'randread', iodepth: 1 },
  };

  it('polls under steady load: the window stays open and catches most events', () => {
    const { vm, result } = simulate(base);
    const iot = vm.ctxs[0];
    expect(iot.pollNs).toBeGreaterThan(0);
    expect(result.pollHits / result.pollWindows).toBeGreaterThan(0.9);
    expect(result.threads.find((t) => t.role === 'iothread')!.pollNs).toBeGreaterThan(0);
  });

  it('stops polling when requests are sparse (each wait outlasts poll-max-ns)', () => {
    const sparse = simulate({ ...base, job: { ...base.job, rate_iops: 1000 } }).result;
    const steady = simulate(base).result;
    const pollShare = (r: typeof sparse) => r.threads.find((t) => t.role === 'iothread')!.pollNs / r.windowNs;
    // A 1 ms gap exceeds poll-max-ns: poll_ns drops to 0 at each arrival, so polling costs almost nothing.
    expect(pollShare(sparse)).toBeLessThan(0.02);
    expect(pollShare(steady)).toBeGreaterThan(0.3);
    // Each arrival finds the thread blocked with notifications on: the guest kicks every I/O.
    expect(sparse.kicks / sparse.ios).toBeGreaterThan(0.99);
  });

  it('never polls with poll-max-ns 0', () => {
    const { vm, result } = simulate({ ...base, iothread: { 'poll-max-ns': 0 } });
    expect(vm.ctxs[0].pollNs).toBe(0);
    expect(result.pollWindows).toBe(0);
  });
});
