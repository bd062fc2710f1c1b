import { Simulation, type Dispatcher } from '../engine/simulation.js';

/**
 * A run over warmup + duration of simulated time: a world starts its load, is advanced (at once or in
 * slices, with the same events either way), and gives its result once the end is reached.
 */
export abstract class SimulatedRun<R> implements Dispatcher {
  readonly sim = new Simulation();

  constructor(private readonly window: { warmupNs: number; durationNs: number }) {}

  abstract dispatch(kind: number, a: number, b: number): void;
  /** Schedules the load and the end of warmup. */
  abstract start(): void;
  /** The measurements of the window after warmup; checks the invariants. */
  abstract finish(): R;

  get endNs(): number {
    return this.window.warmupNs + this.window.durationNs;
  }

  /** Simulates up to `until` ns (at most the end). */
  advance(until: number): void {
    this.sim.runUntil(Math.min(until, this.endNs), this);
  }

  run(): R {
    this.start();
    this.advance(this.endNs);
    return this.finish();
  }
}
