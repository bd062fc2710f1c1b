import type { Simulation } from '../engine/simulation.js';
import type { Costs } from './costs.js';

/** A component that takes events of its own kinds: it declares them, the host hands them over. */
export interface EventReceiver {
  /** The event kinds it schedules and takes (Ev). */
  readonly eventKinds: readonly number[];
  receive(kind: number, a: number, b: number): void;
}

/** What every component of a simulated VM sees of its world: the clock and the costs. */
export interface World {
  readonly sim: Simulation;
  readonly costs: Readonly<Costs>;
}
