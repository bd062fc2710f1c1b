import { describe, expect, it } from 'vitest';
import { LazyTimer } from '../../src/engine/lazy-timer.js';
import { Simulation } from '../../src/engine/simulation.js';

const TIMER = 0, WAKE = 1;

describe('LazyTimer', () => {
  it('meets every deadline at its exact time, at about one event per timeout length', () => {
    // A waiter sets a 100 ns timeout at every wait; wake-ups come every 10 ns in the first half of
    // each 200 ns period, each starting a new wait, so one wait a period times out, 100 ns after 90.
    const sim = new Simulation();
    const timer = new LazyTimer(sim, TIMER, 0);
    let deadline = 0;
    const wait = () => { deadline = sim.now + 100; timer.arm(deadline); };
    const timeouts: number[] = [];
    const periods = 100;
    for (let k = 0; k < periods; k++) for (let t = 10; t < 100; t += 10) sim.at(200 * k + t, WAKE, 0, 0);
    wait();
    sim.runUntil(200 * periods, {
      dispatch(kind: number) {
        if (kind === WAKE) return wait();
        timer.fired();
        if (sim.now >= deadline) { timeouts.push(sim.now); wait(); } else timer.arm(deadline);
      },
    });
    expect(timeouts.slice(0, 3)).toEqual([190, 390, 590]);
    expect(timeouts.length).toBe(periods);
    // 9 wake-ups a period and at most two timer events, where a timer per wait would fire 10.
    expect(sim.events).toBeLessThanOrEqual(periods * (9 + 2));
  });

  it('schedules an earlier event when the new deadline comes before the pending one', () => {
    const sim = new Simulation();
    const timer = new LazyTimer(sim, TIMER, 0);
    timer.arm(500);
    timer.arm(200);
    timer.arm(300);
    const fired: number[] = [];
    sim.runUntil(1000, { dispatch: () => { timer.fired(); fired.push(sim.now); } });
    expect(fired).toEqual([200, 500]);
  });
});
