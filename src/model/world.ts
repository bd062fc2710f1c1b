import type { Simulation } from '../engine/simulation.js';
import type { Costs } from './costs.js';

/** What every component of a simulated VM sees of its world: the clock and the costs. */
export interface World {
  readonly sim: Simulation;
  readonly costs: Readonly<Costs>;
}
