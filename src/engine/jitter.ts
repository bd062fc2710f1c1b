import { probit } from 'simple-statistics';
import type { Rng } from './random.js';

/** Equal-probability bins of the factor's distribution: a draw is one uniform and one lookup. */
const BINS = 4096;
const tables = new Map<number, Float64Array>();

/** Midpoint quantiles of a lognormal with mean 1 and the given CV, scaled so their mean is exactly 1
 *  (a CV of 0: every entry exactly 1). */
function table(cv: number): Float64Array {
  let t = tables.get(cv);
  if (t) return t;
  t = new Float64Array(BINS);
  if (cv === 0) {
    t.fill(1);
    tables.set(cv, t);
    return t;
  }
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  let sum = 0;
  for (let i = 0; i < BINS; i++) {
    t[i] = Math.exp(-sigma * sigma / 2 + sigma * probit((i + 0.5) / BINS));
    sum += t[i];
  }
  for (let i = 0; i < BINS; i++) t[i] *= BINS / sum;
  tables.set(cv, t);
  return t;
}

/**
 * Multiplicative noise with mean 1 and a given coefficient of variation (lognormal: CPU work and
 * wake-ups have a hard floor and a long right tail), through a quantile table, so the hot path pays
 * a few integer operations and an array read: bins come from a xorshift32 generator seeded from the
 * owner's own stream (a jitter draw needs 12 good bits, not alea's 53). A CV of 0 returns exactly 1
 * (the same branch-free draw from a table of ones).
 */
export class Jitter {
  private readonly quantiles: Float64Array;
  private state: number;

  constructor(readonly cv: number, rng: Rng | null) {
    this.quantiles = table(rng === null ? 0 : cv);
    // Kept a signed 32-bit integer, so every instance's field stays a small integer (one hidden class).
    this.state = rng === null ? 1 : ((rng() * 0xffffffff) | 0) || 1;
  }

  factor(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return this.quantiles[x >>> 20];
  }
}

/** No noise: the exact constants the analytic tests need. */
export const NO_JITTER = new Jitter(0, null);
