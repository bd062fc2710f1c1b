import seedrandom from 'seedrandom';

/** A uniform generator on [0, 1). */
export type Rng = () => number;

/**
 * One independent stream per component, derived from the scenario seed, the variant, the replication
 * and the component's name: adding a component does not shift any other component's draws.
 */
export function stream(seed: number, variant: string, replication: number, component: string): Rng {
  return seedrandom.alea(`${seed}|${variant}|${replication}|${component}`);
}
