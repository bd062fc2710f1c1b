import type { Histogram } from '../engine/histogram.js';

/** A run broke a law every run must keep: a bug in the model, never in the scenario. */
export class InvariantError extends Error {}

/**
 * Little's law L = lambda W over a window of T ns, for `count` completions of latency `w`; what
 * straddles the window's edges (at most maxOutstanding items, each in the window for at most the
 * longer of w.max and `oldestAge`, the age of the oldest item still in flight at the end, and never
 * more than T) bounds the difference. Returns the broken law's description, or undefined.
 */
export function littleViolation(meanOutstanding: number, count: number, T: number, w: Histogram, maxOutstanding: number, oldestAge = 0): string | undefined {
  if (count === 0 || T <= 0) return undefined;
  const lambdaW = (count / T) * w.mean;
  const straddle = Math.min(T, Math.max(w.max, oldestAge));
  const slack = 0.01 * meanOutstanding + (2 * maxOutstanding * straddle) / T + 1e-9;
  if (Math.abs(meanOutstanding - lambdaW) <= slack) return undefined;
  return `Little's law: L = ${meanOutstanding.toFixed(4)} but lambda*W = ${lambdaW.toFixed(4)} (slack ${slack.toFixed(4)})`;
}

