import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/engine/event-queue.js';
import { Simulation } from '../../src/engine/simulation.js';
import { stream } from '../../src/engine/random.js';

function drain(q: EventQueue): [number, number][] {
  const out: [number, number][] = [];
  while (q.size > 0) {
    q.pop();
    out.push([q.topTime, q.topA]);
  }
  return out;
}

describe('EventQueue', () => {
  it('pops in time order', () => {
    const q = new EventQueue(2);
    [5, 1, 4, 2, 3].forEach((t, i) => q.push(t, 0, i, 0));
    expect(drain(q).map(([t]) => t)).toEqual([1, 2, 3, 4, 5]);
  });

  it('breaks ties by insertion order', () => {
    const q = new EventQueue(2);
    for (let i = 0; i < 100; i++) q.push(i % 3, 0, i, 0);
    const out = drain(q);
    for (let i = 1; i < out.length; i++) {
      const [t0, a0] = out[i - 1], [t1, a1] = out[i];
      expect(t1 > t0 || (t1 === t0 && a1 > a0)).toBe(true);
    }
  });

  it('matches a stable sort on random interleaved pushes and pops', () => {
    const rng = stream(7, 'heap', 0, 'test');
    const q = new EventQueue(4);
    const model: { t: number; seq: number }[] = [];
    let seq = 0;
    for (let step = 0; step < 20_000; step++) {
      if (model.length === 0 || rng() < 0.6) {
        const t = Math.floor(rng() * 50);
        q.push(t, 1, seq, 0);
        model.push({ t, seq: seq++ });
      } else {
        model.sort((x, y) => x.t - y.t || x.seq - y.seq);
        const want = model.shift()!;
        q.pop();
        expect([q.topTime, q.topA]).toEqual([want.t, want.seq]);
      }
    }
  });

  it('keeps order when the earliest event, held beside the heap, is tied or displaced', () => {
    const q = new EventQueue(2);
    q.push(5, 0, 0, 0);
    q.push(3, 0, 1, 0); // the earliest: held
    q.push(3, 0, 2, 0); // a tie: after it
    q.push(1, 0, 3, 0); // earlier still: the held one goes into the heap
    q.push(1, 0, 4, 0);
    expect(drain(q)).toEqual([[1, 3], [1, 4], [3, 1], [3, 2], [5, 0]]);
  });

  it('carries kind and both arguments', () => {
    const q = new EventQueue();
    q.push(10, 7, -3, 42);
    q.pop();
    expect([q.topKind, q.topA, q.topB]).toEqual([7, -3, 42]);
  });
});

describe('Simulation', () => {
  it('runs events up to the horizon and refuses the past', () => {
    const sim = new Simulation();
    const seen: number[] = [];
    sim.at(5, 0, 1, 0);
    sim.at(15, 0, 2, 0);
    sim.runUntil(10, { dispatch: (_k, a) => { seen.push(a); sim.after(1, 0, 9, 0); } });
    expect(seen).toEqual([1, 9, 9, 9, 9, 9]);
    expect(sim.now).toBe(10);
    expect(() => sim.at(3, 0, 0, 0)).toThrow(/past/);
  });
});
